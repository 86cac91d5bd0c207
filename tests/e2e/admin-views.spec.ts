// The shell, sign-in and Parameters against a real team platform (standalone, as a child
// process) next to the embedded one: add the connection, refusals, sign in, users and
// access requests, access rights, connections, sign out; screenshots in light and dark.
import { test, expect, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { hashPassword } from '../../platform/secrets.js';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';
import { startTeamPlatform, throwawayDeployKey, type TeamPlatform } from './team-platform.js';
import { shotLightAndDark } from './shots.js';

let app: BrowserMode | undefined;
let team: TeamPlatform | undefined;

test.afterEach(async () => {
  await app?.stop();
  await team?.stop();
});

async function openConnectionMenu(page: Page) {
  await page.getByRole('button', { name: /^Connection:/ }).click();
  return page.getByRole('menu', { name: 'Connections' });
}

async function openAccountMenu(page: Page) {
  await page.getByRole('button', { name: /account menu/ }).click();
  return page.getByRole('menu', { name: 'Account' });
}

function openSessions(dataDir: string, userEmail: string): number {
  const db = new Database(join(dataDir, 'platform.sqlite'), { readonly: true });
  try {
    const row = db
      .prepare('SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ? AND s.revoked_at IS NULL')
      .get(userEmail) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

test('an admin adds a team platform, signs in, manages users and access, switches connections and signs out', async ({ page }) => {
  team = await startTeamPlatform();
  // The platform's own data: a project with a member.
  const created = await team.api('POST', '/projects', { name: 'fraud-team', python_version: '3.11', repository_url: 'git@github.com:acme/fraud.git', deploy_key: throwawayDeployKey() });
  expect(created.status).toBe(201);
  const grace = await team.api<{ id: string }>('POST', '/users', { name: 'Grace Hopper', email: 'grace@team.test', role: 'member' });
  expect(grace.status).toBe(201);
  expect((await team.api('PUT', `/projects/fraud-team/members/${grace.data.id}`, { role: 'viewer' })).status).toBe(200);
  await team.logout();

  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();

  // Header: the active connection, and "Add connection" (the URL is checked first).
  let menu = await openConnectionMenu(page);
  await expect(menu.getByRole('menuitem', { name: /This computer/ })).toBeVisible();
  await shotLightAndDark(page, 'header-connections-menu');
  await menu.getByRole('menuitem', { name: 'Add connection' }).click();
  const add = page.getByRole('dialog', { name: 'Add connection' });
  await add.getByLabel('Platform URL').fill('mlops dot example');
  await add.getByRole('button', { name: 'Add connection' }).click();
  await expect(add.getByText(/Platform URL must be a URL/)).toBeVisible();
  await add.getByLabel('Platform URL').fill(team.url);
  await add.getByLabel('Name').fill('Acme team');
  await shotLightAndDark(page, 'add-connection');
  await add.getByRole('button', { name: 'Add connection' }).click();

  // Sign in: refusals first, each saying what happened and what to do.
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText(`Acme team (${team.url})`)).toBeVisible();
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Email must be a valid email address')).toBeVisible();
  await expect(page.getByText('Password is required')).toBeVisible();
  await page.getByLabel('Email').fill(team.admin.email);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password' })).toBeVisible();
  await shotLightAndDark(page, 'sign-in-refused');

  await page.getByLabel('Email').fill('ghost@team.test');
  await page.getByLabel('Password').fill('any password will do');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Access request sent' })).toContainText(/access request was sent/);
  await shotLightAndDark(page, 'sign-in-access-request');

  await page.getByRole('button', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await page.getByLabel('Email').fill('grace@team.test');
  await page.getByRole('button', { name: 'Send the code' }).click();
  await expect(page.getByText('Check your mail')).toBeVisible();
  await expect(page.getByText(/If an account exists for grace@team.test/)).toBeVisible();
  await page.getByRole('button', { name: 'Back to sign in' }).click();

  await page.getByLabel('Email').fill(team.admin.email);
  await page.getByLabel('Password').fill(team.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: /fraud-team/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connection: Acme team' })).toBeVisible();

  // The user's menu: Parameters and Sign out.
  menu = await openAccountMenu(page);
  await expect(menu.getByRole('menuitem', { name: 'Sign out' })).toBeVisible();
  await shotLightAndDark(page, 'header-account-menu');
  await menu.getByRole('menuitem', { name: 'Parameters' }).click();
  await expect(page.getByRole('heading', { name: 'Parameters' })).toBeVisible();

  // Account: the change-password refusal is shown at the field.
  const account = page.locator('#section-account');
  await expect(account).toContainText(team.admin.email);
  await account.getByLabel('Current password').fill('this is not it at all');
  await account.getByLabel('New password', { exact: true }).fill('short');
  await account.getByRole('button', { name: 'Change password' }).click();
  await expect(account.getByText(/New password must be at least 12 characters/)).toBeVisible();
  await account.getByLabel('New password', { exact: true }).fill('a much better password');
  await account.getByLabel('Repeat new password').fill('a much better password');
  await account.getByRole('button', { name: 'Change password' }).click();
  await expect(account.getByText('Current password is wrong')).toBeVisible();
  await expect(account.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');

  // Users: the pending access request of the unknown email, approved.
  const users = page.locator('#section-users');
  await expect(users.getByText('ghost@team.test')).toBeVisible();
  await users.getByRole('button', { name: 'Approve ghost@team.test' }).click();
  await expect(users.getByText(/ghost@team.test was approved/)).toBeVisible();
  await expect(users.getByRole('cell', { name: 'ghost@team.test' })).toBeVisible();

  // Add, edit, delete a user.
  await users.getByRole('button', { name: 'Add user' }).click();
  let dialog = page.getByRole('dialog', { name: 'Add user' });
  await dialog.getByLabel('Name').fill('Katherine Johnson');
  await dialog.getByLabel('Email').fill('not-an-email');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(dialog.getByText(/Email must be a valid email address/)).toBeVisible();
  await dialog.getByLabel('Email').fill('katherine@team.test');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(users.getByRole('cell', { name: 'katherine@team.test' })).toBeVisible();

  await users.getByRole('button', { name: 'Edit Katherine Johnson' }).click();
  dialog = page.getByRole('dialog', { name: 'Edit Katherine Johnson' });
  await dialog.getByLabel('Name').fill('Katherine G. Johnson');
  await dialog.getByLabel('Role').selectOption('admin');
  await dialog.getByRole('button', { name: 'Save' }).click();
  const row = users.getByRole('row').filter({ hasText: 'katherine@team.test' });
  await expect(row).toContainText('Katherine G. Johnson');
  await expect(row).toContainText('admin');

  await users.getByRole('button', { name: 'Delete Katherine G. Johnson' }).click();
  dialog = page.getByRole('dialog', { name: 'Delete Katherine G. Johnson?' });
  await expect(dialog).toContainText(/SDK token stops working now/);
  await dialog.getByRole('button', { name: 'Delete user' }).click();
  await expect(users.getByText(/Katherine G. Johnson was deleted/)).toBeVisible();
  await expect(users.getByRole('cell', { name: 'katherine@team.test' })).toHaveCount(0);
  const listed = await team.api<{ items: { email: string }[] }>('GET', '/users');
  expect(listed.data.items.map((u) => u.email).sort()).toEqual(['admin@team.test', 'ghost@team.test', 'grace@team.test']);

  // Access rights: members of projects with their role; the platform setting.
  const access = page.locator('#section-access');
  await expect(access.getByRole('row').filter({ hasText: 'fraud-team' })).toContainText(/Grace Hopper\s*viewer/);
  await access.getByLabel('Every user sees every project').check();
  await expect(access.getByText('Every user now sees (and may edit) every project.')).toBeVisible();
  expect((await team.api<{ every_user_sees_every_project: boolean }>('GET', '/settings')).data.every_user_sees_every_project).toBe(true);
  await access.getByLabel('Every user sees every project').uncheck();
  await expect(access.getByText('Users now see only the projects they are members of.')).toBeVisible();
  await team.logout();

  // Connections: the token manager.
  const connections = page.locator('#section-connections');
  const teamItem = connections.getByRole('listitem', { name: 'Acme team (active)' });
  await expect(teamItem).toContainText('Signed in');
  await expect(teamItem).toContainText('Token: OS keychain');
  await expect(connections.getByRole('listitem', { name: 'This computer' })).toContainText('Signed in');
  await shotLightAndDark(page, 'parameters-team-admin');

  await connections.getByRole('button', { name: 'Switch to This computer' }).click();
  await expect(page.getByRole('button', { name: 'Connection: This computer' })).toBeVisible();
  await expect(connections.getByRole('listitem', { name: 'This computer (active)' })).toBeVisible();
  // Back to the team platform from the header: still signed in, no password asked.
  menu = await openConnectionMenu(page);
  await menu.getByRole('menuitem', { name: /Acme team/ }).click();
  await expect(page.getByRole('button', { name: 'Connection: Acme team' })).toBeVisible();
  await expect(page.locator('#section-account')).toContainText(team.admin.email);
  expect(openSessions(team.dataDir, team.admin.email)).toBeGreaterThan(0);

  // Sign out revokes the session on the platform, and the sign-in comes back.
  menu = await openAccountMenu(page);
  await menu.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect(openSessions(team.dataDir, team.admin.email)).toBe(0);
  await shotLightAndDark(page, 'sign-in');

  // A member (not an admin) sees no Users section and cannot change the platform setting.
  const db = new Database(join(team.dataDir, 'platform.sqlite'));
  db.prepare('UPDATE users SET password_hash = ? WHERE email = ?').run(await hashPassword('grace password 2026'), 'grace@team.test');
  db.close();
  await page.getByLabel('Email').fill('grace@team.test');
  await page.getByLabel('Password').fill('grace password 2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: /fraud-team/ })).toBeVisible();
  await page.getByRole('link', { name: 'Parameters' }).click();
  await expect(page.locator('#section-account')).toContainText('grace@team.test');
  await expect(page.getByRole('heading', { name: 'Users' })).toHaveCount(0);
  await expect(page.locator('#section-access')).toContainText(/Every user sees every project:\s*off/);
  await expect(page.getByLabel('Every user sees every project')).toHaveCount(0);
  await shotLightAndDark(page, 'parameters-team-member');

  // The team platform goes away: the offline notice says since when; removing the
  // connection then says the platform could not be told (its session expires by itself).
  await team.stop();
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: /offline — last synced/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /Grace Hopper/ })).toBeVisible();
  await expect(page.locator('#section-account')).toContainText('grace@team.test');
  await shotLightAndDark(page, 'parameters-team-offline');
  await page.locator('#section-connections').getByRole('button', { name: 'Remove Acme team' }).click();
  await page.getByRole('dialog', { name: 'Remove Acme team?' }).getByRole('button', { name: 'Remove connection' }).click();
  await expect(page.getByRole('button', { name: 'Connection: This computer' })).toBeVisible();
  await expect(page.getByText(/^Acme team was removed from this app: the platform could not be told \(.*\): its session there expires by itself;/)).toBeVisible();
  await expect(page.locator('#section-connections').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByRole('status').filter({ hasText: /offline/ })).toHaveCount(0);
});

test('the header menus and Parameters work from the keyboard with visible focus, and fit a narrow window', async ({ page }) => {
  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();

  const outline = () => page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);

  // The user's menu: Enter opens it on its first item, Escape closes it and gives focus back.
  const account = page.getByRole('button', { name: /account menu/ });
  await account.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'Account' });
  await expect(menu.getByRole('menuitem', { name: 'Parameters' })).toBeFocused();
  expect(await outline()).not.toBe('none');
  // The embedded connection signs in by itself: no "Sign out" there.
  await expect(menu.getByRole('menuitem', { name: 'Sign out' })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(account).toBeFocused();

  // Arrow down opens it too; Enter follows the item.
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Parameters' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Parameters' })).toBeVisible();

  // The connections menu: arrows move between the connections and "Add connection".
  const connection = page.getByRole('button', { name: /^Connection:/ });
  await connection.focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: /This computer/ })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Add connection' })).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add connection' });
  await expect(dialog.getByLabel('Platform URL')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Section links move focus to the section's heading.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'Connections' })).toBeFocused();
  await page.keyboard.press('Tab');
  expect(await outline()).not.toBe('none');

  // A narrow window: nothing wider than the window.
  await page.setViewportSize({ width: 640, height: 900 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(640);
  }
  await shotLightAndDark(page, 'parameters-embedded-narrow');
  await page.getByRole('button', { name: /^Connection:/ }).click();
  await shotLightAndDark(page, 'header-narrow-menu');
});
