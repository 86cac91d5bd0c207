// "Write .env" as a user meets it: a .env that already holds their own secrets keeps them; what
// changes is shown and confirmed first; ~ is their home; a wrong path is said in words; the result
// stays next to the button, with the offer to keep the token out of git.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';

test.describe.configure({ mode: 'serial' });

let app: BrowserMode;
let page: Page;
let project: string;
/** The app's home folder (HOME of the browser-mode process): where ~ leads. */
const home = mkdtempSync(join(tmpdir(), 'craft-e2e-home-'));

test.beforeAll(async ({ browser }) => {
  app = await startSeededApp({ projects: 1, executions: 20, env: { HOME: home } });
  page = await (await browser.newContext()).newPage();
  await page.goto(app.appUrl);
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  project = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items[0]!.name;
});

test.afterAll(async () => {
  await page?.context().close();
  await app?.stop();
});

async function openEnvironment(): Promise<void> {
  await page.goto(`${app.appUrl.replace(/\?.*$/, '')}#/projects/${project}/environments/production`);
  await expect(page.getByRole('heading', { level: 1, name: 'production' })).toBeVisible();
}

test("Write .env into an existing file keeps the user's variables and comments, after showing what changes; then offers .gitignore", async () => {
  const repo = join(home, 'churn');
  mkdirSync(join(repo, '.git'), { recursive: true });
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
  const mine = '# my app\nDATABASE_URL=postgres://me:pw@db/app\nOPENAI_API_KEY=sk-live-123\n';
  writeFileSync(join(repo, '.env'), mine);
  const token = (await callApp<{ token: string }>(app, 'getSdkToken', { reveal: true })).token;

  await openEnvironment();
  const sdk = page.getByRole('region', { name: 'Connect to the SDK' });
  await sdk.getByRole('button', { name: 'Write .env' }).click();
  const dialog = page.getByRole('dialog', { name: 'Write a .env file' });
  await dialog.getByLabel('Path of the file').fill('~/churn/.env');
  await dialog.getByLabel('Path of the file').press('Enter');

  // The preview: the SDK's variables and what happens to each; the rest kept; nothing written yet.
  await expect(dialog.getByText(`${join(repo, '.env')} already exists`)).toBeVisible();
  const changes = dialog.getByRole('table', { name: `Changes to ${join(repo, '.env')}` });
  await expect(changes.locator('tbody tr')).toHaveText([/CRAFT_AI_ENVIRONMENT_URL\s*added/, /CRAFT_AI_SDK_TOKEN\s*added/, /CRAFT_AI_CONTROL_URL\s*added/]);
  await expect(dialog).toContainText('Its 3 other lines are kept as they are.');
  await expect(dialog).not.toContainText(token);
  expect(readFileSync(join(repo, '.env'), 'utf8')).toBe(mine);
  await checkView(page, 'dotenv-preview', { fullPage: false });

  await dialog.getByRole('button', { name: 'Update the file' }).click();
  await expect(dialog).toBeHidden();
  const written = readFileSync(join(repo, '.env'), 'utf8');
  expect(written.startsWith(mine)).toBe(true);
  expect(written).toContain(`CRAFT_AI_SDK_TOKEN=${token}\n`);
  expect(written).toContain(`CRAFT_AI_CONTROL_URL=${app.platformUrl}\n`);
  expect(statSync(join(repo, '.env')).mode & 0o077).toBe(0);

  // The result beside the button, and the offer to keep the token out of commits.
  await expect(sdk.getByRole('status').filter({ hasText: 'Updated' })).toContainText(`Updated ${join(repo, '.env')} (readable by you only): 3 added; 3 other lines kept as they were.`);
  await expect(sdk).toContainText('does not ignore this file: your SDK token could be committed');
  await checkView(page, 'dotenv-written');
  await sdk.getByRole('button', { name: 'Add it to .gitignore' }).click();
  await expect(sdk).toContainText(`Added .env to ${join(repo, '.gitignore')}.`);
  await expect(sdk.getByRole('button', { name: 'Add it to .gitignore' })).toHaveCount(0);
  expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('node_modules/\n.env\n');

  // Written again: nothing to confirm, nothing changed.
  await sdk.getByRole('button', { name: 'Write .env' }).click();
  await dialog.getByLabel('Path of the file').fill('~/churn/.env');
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog).toBeHidden();
  await expect(sdk).toContainText(`${join(repo, '.env')} already holds these SDK variables: nothing to change.`);
  expect(readFileSync(join(repo, '.env'), 'utf8')).toBe(written);
});

test('Write .env says in words what is wrong with the path: a folder, a folder that does not exist, a relative path', async () => {
  await openEnvironment();
  const sdk = page.getByRole('region', { name: 'Connect to the SDK' });
  await sdk.getByRole('button', { name: 'Write .env' }).click();
  const dialog = page.getByRole('dialog', { name: 'Write a .env file' });
  const path = dialog.getByLabel('Path of the file');
  await path.fill(home);
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(`path: ${home} is a folder: give the path of a file in it, such as ${home}/.env`);
  await path.fill('~/nowhere/.env');
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(`path: the folder ${join(home, 'nowhere')} does not exist: create it first, or choose another folder`);
  await checkView(page, 'dotenv-error', { fullPage: false });
  await path.fill('churn/.env');
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog.getByRole('alert')).toContainText('must be an absolute path');
  await expect(dialog).not.toContainText(/EISDIR|ENOENT/);
  // A new file needs no confirmation.
  await path.fill('~/fresh.env');
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog).toBeHidden();
  await expect(sdk).toContainText(`Written to ${join(home, 'fresh.env')} (readable by you only): 3 added.`);
});
