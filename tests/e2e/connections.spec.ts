// Connections (issue 15, item 7) as a user meets them in browser mode, next to a real team platform:
// adding one checks that a platform answers there first; removing one says what really happened; a
// banner goes away with the screen it was raised on; a token the keychain lost is not a dead end.
import { test, expect, type Page } from '@playwright/test';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';
import { startTeamPlatform, type TeamPlatform } from './team-platform.js';
import { callApp } from './seeded-app.js';
import { shotLightAndDark } from './shots.js';

let app: BrowserMode | undefined;
let team: TeamPlatform | undefined;
let website: Server | undefined;

test.afterEach(async () => {
  await app?.stop();
  await team?.stop();
  await new Promise((resolve) => (website ? website.close(resolve) : resolve(undefined)));
  website = undefined;
});

async function addConnection(page: Page, url: string, name?: string) {
  await page.getByRole('button', { name: /^Connection:/ }).click();
  await page.getByRole('menu', { name: 'Connections' }).getByRole('menuitem', { name: 'Add connection' }).click();
  const add = page.getByRole('dialog', { name: 'Add connection' });
  await add.getByLabel('Platform URL').fill(url);
  if (name) await add.getByLabel('Name').fill(name);
  await add.getByRole('button', { name: 'Add connection' }).click();
  return add;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('adding a connection saves it only once a platform answers at the URL; nothing, or another web server, is said at the field', async ({ page }) => {
  website = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Team wiki</h1>'));
  await new Promise<void>((resolve) => website!.listen(0, '127.0.0.1', resolve));
  const wiki = `http://127.0.0.1:${(website.address() as AddressInfo).port}`;
  team = await startTeamPlatform();
  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();

  const add = await addConnection(page, `http://127.0.0.1:${await freePort()}`);
  await expect(add.getByText(/^Platform URL does not answer \(connection refused \(is it running\?\)\): check the address, and that the platform runs$/)).toBeVisible();
  await add.getByLabel('Platform URL').fill(wiki);
  await add.getByRole('button', { name: 'Add connection' }).click();
  await expect(add.getByText(/^Platform URL answers, but not as a Craft MLOps platform/)).toBeVisible();
  await expect(add.getByLabel('Platform URL')).toHaveAttribute('aria-invalid', 'true');
  await shotLightAndDark(page, 'add-connection-not-a-platform');
  expect((await callApp<{ items: unknown[] }>(app, 'listConnections')).items).toHaveLength(1);

  await add.getByLabel('Platform URL').fill(team.url);
  await add.getByLabel('Name').fill('Acme team');
  await add.getByRole('button', { name: 'Add connection' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect((await callApp<{ items: { url: string }[] }>(app, 'listConnections')).items.map((c) => c.url)).toContain(team.url);
});

test('removing a connection says what happened; a banner goes away with the screen it was raised on', async ({ page }) => {
  team = await startTeamPlatform();
  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await addConnection(page, team.url, 'Acme team');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // Back to this computer from Parameters: the banner is Parameters'.
  await page.getByRole('button', { name: /^Connection:/ }).click();
  await page.getByRole('menu', { name: 'Connections' }).getByRole('menuitem', { name: /This computer/ }).click();
  await page.getByRole('link', { name: 'Parameters' }).click();
  const connections = page.locator('#section-connections');
  await connections.getByRole('button', { name: 'Switch to Acme team' }).click();
  // The switch leads to the sign-in: the banner is on it, and leaves with it once signed in.
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const banner = page.getByText('Acme team is now the active connection.');
  await expect(banner).toBeVisible();
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.getByLabel('Email').fill(team.admin.email);
  await page.getByLabel('Password').fill(team.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Parameters' })).toBeVisible();
  await expect(connections.getByRole('listitem', { name: 'Acme team (active)' })).toContainText('Signed in');
  await expect(banner).toHaveCount(0);

  // Signed in: removing it revokes its SDK token on the platform, and says so.
  await connections.getByRole('button', { name: 'Remove Acme team' }).click();
  await expect(page.getByRole('dialog', { name: 'Remove Acme team?' })).toContainText('the platform revokes its SDK token');
  await page.getByRole('dialog', { name: 'Remove Acme team?' }).getByRole('button', { name: 'Remove connection' }).click();
  const revoked = page.getByText('Acme team was removed from this app: the platform revoked its SDK token; the token and what it cached on this computer are deleted. This computer is the active connection now.');
  await expect(revoked).toBeVisible();
  await shotLightAndDark(page, 'connection-removed');
  // The banner is Parameters': it goes when the user goes to Projects.
  await page.getByRole('link', { name: 'Projects' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await expect(revoked).toHaveCount(0);

  // Never signed in: nothing happened on the platform, and the dialog and the banner say so.
  await addConnection(page, team.url, 'Acme again');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('button', { name: /^Connection:/ }).click();
  await page.getByRole('menu', { name: 'Connections' }).getByRole('menuitem', { name: /This computer/ }).click();
  await page.getByRole('link', { name: 'Parameters' }).click();
  await connections.getByRole('button', { name: 'Remove Acme again' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove Acme again?' });
  await expect(dialog).toContainText('Nobody is signed in to');
  await expect(dialog).toContainText('Nothing changes on the platform.');
  await dialog.getByRole('button', { name: 'Remove connection' }).click();
  await expect(page.getByText('Acme again was removed from this app: nobody was signed in to it, so no session was open on the platform; what it cached on this computer is deleted.')).toBeVisible();
  await expect(page.getByText(/session on the platform was revoked/)).toHaveCount(0);
});

/** The OS keychain the app uses (keytar, as the app does); null when no Secret Service answers here. */
async function osKeychain(): Promise<null | { deletePassword(service: string, account: string): Promise<boolean>; setPassword(service: string, account: string, password: string): Promise<void> }> {
  try {
    const keytar = createRequire(import.meta.url)('keytar') as { findCredentials(service: string): Promise<unknown[]>; deletePassword(service: string, account: string): Promise<boolean>; setPassword(service: string, account: string, password: string): Promise<void> };
    await keytar.findCredentials('craft-mlops-desktop');
    return keytar;
  } catch {
    return null;
  }
}

test('a token the keychain lost: the embedded platform signs its local admin in again by itself; a team platform asks to sign in again', async ({ page }) => {
  const keychain = await osKeychain();
  test.skip(!keychain, 'needs a Secret Service (npm test starts a private one with gnome-keyring)');
  team = await startTeamPlatform();
  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  const embedded = (await callApp<{ items: { id: string; kind: string }[] }>(app, 'listConnections')).items.find((c) => c.kind === 'embedded')!;

  // The entry is deleted in the keychain's manager (or the keychain was reset) while the app runs.
  expect(await keychain!.deletePassword('craft-mlops-desktop', `sdk-token:${embedded.id}`)).toBe(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await expect(page.getByText('No projects yet')).toBeVisible();
  await expect(page.getByRole('button', { name: /Local admin: account menu/ })).toBeVisible();
  await shotLightAndDark(page, 'embedded-token-lost-signed-in-again');

  // A damaged entry (a token the platform never issued): the same, once the app asks for a new access token.
  await keychain!.setPassword('craft-mlops-desktop', `sdk-token:${embedded.id}`, 'damaged-entry-0000000000000000000000000');
  await app.stop();
  app = await startBrowserMode({ dataDir: app.dataDir });
  await page.goto(app.appUrl);
  await expect(page.getByText('No projects yet')).toBeVisible();
  await expect(page.getByRole('button', { name: /Local admin: account menu/ })).toBeVisible();

  // A team connection whose entry is lost: a "Sign in again" instead of a dead end.
  await addConnection(page, team.url, 'Acme team');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.getByLabel('Email').fill(team.admin.email);
  await page.getByLabel('Password').fill(team.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  const teamId = (await callApp<{ items: { id: string; kind: string }[] }>(app, 'listConnections')).items.find((c) => c.kind === 'team')!.id;
  expect(await keychain!.deletePassword('craft-mlops-desktop', `sdk-token:${teamId}`)).toBe(true);
  await page.getByRole('link', { name: 'Parameters' }).click();
  const signInAgain = page.getByRole('button', { name: 'Sign in again' }).first();
  await expect(signInAgain).toBeVisible();
  await shotLightAndDark(page, 'team-token-lost');
  await signInAgain.click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
