// The foundation's whole path, as a user walks it in browser mode: create a project with a
// generated deploy key, see its card, reload, regenerate the SDK token, work offline.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesContaining, startBrowserMode, type BrowserMode } from './browser-mode.js';

let app: BrowserMode;

test.afterEach(async () => {
  await app?.stop();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

async function refreshWith(platformUrl: string, token: string): Promise<number> {
  const response = await fetch(`${platformUrl}/api/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  });
  return response.status;
}

test('a user creates a project with a generated deploy key, finds it after a reload, and regenerates the SDK token', async ({ page }) => {
  app = await startBrowserMode();
  await page.goto(app.appUrl);

  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await expect(page.getByText('No projects yet')).toBeVisible();
  await shot(page, 'homepage-empty');

  await page.getByRole('button', { name: 'New project' }).first().click();
  await expect(page.getByRole('heading', { name: 'New project' })).toBeVisible();

  // Inline validation names the rule.
  await page.getByLabel('Project name').fill('Churn Model');
  await page.getByLabel('Project name').blur();
  await expect(page.getByText(/lowercase letters, digits and "-"/).first()).toBeVisible();
  await page.getByLabel('Repository URL').fill('https://github.com/acme/churn.git');
  await page.getByLabel('Repository URL').blur();
  await expect(page.getByText(/must be an SSH URL starting with git@/)).toBeVisible();

  await page.getByLabel('Project name').fill('churn-model');
  await page.getByLabel('Python version').selectOption('3.11');
  await page.getByLabel('Repository URL').fill('git@github.com:acme/churn.git');
  await page.getByRole('button', { name: 'Generate deploy key' }).click();
  await expect(page.getByLabel('Public key')).toHaveValue(/^ssh-rsa AAAA/, { timeout: 60_000 });
  await expect(page.getByText(/4096 SHA256:[A-Za-z0-9+/]{43}/)).toBeVisible();
  await expect(page.getByRole('link', { name: /deploy key on GitHub/i })).toHaveAttribute('href', 'https://github.com/acme/churn/settings/keys');
  await shot(page, 'new-project-with-key');

  await page.getByLabel('Requirements.txt').fill('requirements.txt');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'churn-model' })).toBeVisible();

  await page.goto(app.appUrl.replace(/\?.*$/, '')); // the token stays in the tab's session
  await expect(page.getByRole('link', { name: /churn-model/ })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('link', { name: /churn-model/ })).toBeVisible();
  await shot(page, 'homepage');

  // Parameters: the token is masked until revealed, and lives in the OS keychain.
  await page.getByRole('link', { name: 'Parameters' }).click();
  await expect(page.getByRole('heading', { name: 'Parameters' })).toBeVisible();
  await expect(page.getByText('Stored in the OS keychain')).toBeVisible();
  await page.getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByRole('button', { name: 'Hide' })).toBeVisible();
  const oldToken = await page.getByLabel('SDK token').inputValue();
  expect(oldToken.length).toBeGreaterThanOrEqual(43);
  expect(await refreshWith(app.platformUrl, oldToken)).toBe(200);
  await shot(page, 'parameters');

  await page.getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('dialog')).toContainText(/stops working/);
  await page.getByRole('button', { name: 'Regenerate token' }).click();
  await expect(page.getByText(/new SDK token/i)).toBeVisible();
  await page.getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByRole('button', { name: 'Hide' })).toBeVisible();
  const newToken = await page.getByLabel('SDK token').inputValue();
  expect(newToken).not.toBe(oldToken);
  expect(await refreshWith(app.platformUrl, oldToken)).toBe(401);
  expect(await refreshWith(app.platformUrl, newToken)).toBe(200);

  // No file of the app and no log line holds a secret.
  await app.stop();
  for (const secret of [oldToken, newToken, 'PRIVATE KEY']) {
    expect(filesContaining(app.dataDir, secret), `files holding ${secret.slice(0, 6)}…`).toEqual([]);
    expect(app.output()).not.toContain(secret);
  }

  // Quit and start again: the project is still there.
  app = await startBrowserMode({ dataDir: app.dataDir });
  await page.goto(app.appUrl);
  await expect(page.getByRole('link', { name: /churn-model/ })).toBeVisible();
});

test('with the platform stopped, the Homepage lists projects from the cache and says it is offline', async ({ page }) => {
  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await page.getByRole('button', { name: 'New project' }).first().click();
  await page.getByLabel('Project name').fill('offline-demo');
  await page.getByLabel('Repository URL').fill('git@gitlab.com:acme/offline-demo.git');

  // A pasted private key is accepted; it never lands in a file of the app.
  const dir = mkdtempSync(join(tmpdir(), 'craft-key-'));
  execFileSync('ssh-keygen', ['-q', '-m', 'PEM', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'id_rsa')]);
  const pem = readFileSync(join(dir, 'id_rsa'), 'utf8');
  await page.getByRole('button', { name: /Paste an existing private key/ }).click();
  await page.getByLabel('Private key').fill(pem);
  await page.getByRole('button', { name: /Use this key/ }).click();
  await expect(page.getByText(/2048 SHA256:/)).toBeVisible();
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'offline-demo' })).toBeVisible();
  await page.goto(app.appUrl.replace(/\?.*$/, ''));
  await expect(page.getByRole('link', { name: /offline-demo/ })).toBeVisible();

  // Stop the embedded platform, as a user does in Parameters.
  await page.getByRole('link', { name: 'Parameters' }).click();
  await page.getByRole('button', { name: 'Stop platform' }).click();
  await expect(page.getByText(/Stopped/)).toBeVisible();
  await page.goto(app.appUrl.replace(/\?.*$/, ''));
  await expect(page.getByRole('link', { name: /offline-demo/ })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /offline — last synced/ })).toBeVisible();
  await shot(page, 'homepage-offline');

  const body = pem.split('\n')[1]!;
  await app.stop();
  expect(filesContaining(app.dataDir, body)).toEqual([]);
  expect(app.output()).not.toContain(body);
});

test('without a Secret Service the token is kept for this session only, and the app says why', async ({ page }) => {
  app = await startBrowserMode({ env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/craft-no-bus' } });
  await page.goto(app.appUrl);
  await page.getByRole('link', { name: 'Parameters' }).click();
  await expect(page.getByText('Kept for this session only')).toBeVisible();
  await expect(page.getByText(/Secret Service/).first()).toBeVisible();
  await shot(page, 'parameters-no-keychain');
  await page.getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByRole('button', { name: 'Hide' })).toBeVisible();
  const token = await page.getByLabel('SDK token').inputValue();
  await app.stop();
  expect(filesContaining(app.dataDir, token)).toEqual([]);
});
