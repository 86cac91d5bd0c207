// Deploy keys after creation (issue 15 item 10), against a real sshd serving a real git repository
// (electron/services/testing/sshd.ts; the SSH user is root through CRAFT_SSH_USER, this machine has
// no git account): a passphrase field for a protected key, a warning when creating after a failed
// access test, the default branch offered from the test's answer; in Settings the public key shown
// again with Copy and "Test access" by the platform; "Replace deploy key" tested before it is saved.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';
import { sshdSkipReason, startTestGitServer, type TestGitServer } from '../../electron/services/testing/sshd.js';
import { callApp } from './seeded-app.js';

test.describe.configure({ mode: 'serial' });
test.skip(sshdSkipReason !== null, `needs a real sshd: ${sshdSkipReason}`);

const dir = mkdtempSync(join(tmpdir(), 'craft-e2e-git-'));
let git: TestGitServer;
let app: BrowserMode;
let page: Page;
let protectedKey: { privatePem: string; publicKey: string };
const NAME = 'churn-ssh';

test.beforeAll(async ({ browser }) => {
  git = await startTestGitServer(dir);
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', 'open sesame', '-C', 'protected', '-f', join(dir, 'protected')]);
  protectedKey = { privatePem: readFileSync(join(dir, 'protected'), 'utf8'), publicKey: readFileSync(join(dir, 'protected.pub'), 'utf8').trim() };
  app = await startBrowserMode({ env: { CRAFT_SSH_USER: 'root' } });
  page = await (await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] })).newPage();
  await page.goto(app.appUrl);
  await expect(page.getByRole('button', { name: 'New project' }).first()).toBeVisible({ timeout: 30_000 });
});

test.afterAll(async () => {
  await page?.context().close();
  await app?.stop();
  git?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a protected key pasted asks for its passphrase; a failed access test warns before creating; the default branch comes from the test', async () => {
  await page.getByRole('button', { name: 'New project' }).first().click();
  await page.getByLabel('Project name').fill(NAME);
  await page.getByLabel('Repository URL').fill(git.repositoryUrl);
  await page.getByRole('button', { name: 'Paste an existing private key' }).click();
  await expect(page.getByLabel('Passphrase')).toHaveCount(0);
  await page.getByLabel('Private key').fill(protectedKey.privatePem);
  const passphrase = page.getByLabel('Passphrase');
  await expect(passphrase).toBeVisible();
  await expect(passphrase).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Use this key' }).click();
  await expect(page.getByText(/^Passphrase is required/)).toBeVisible();
  await expect(passphrase).toBeFocused();
  await passphrase.fill('wrong');
  await page.getByRole('button', { name: 'Use this key' }).click();
  await expect(page.getByText('The passphrase does not open this key: check it and try again')).toBeVisible();
  await passphrase.fill('open sesame');
  await passphrase.press('Enter');
  await expect(page.getByText('Private key accepted.')).toBeVisible();
  await expect(page.locator('#deploy-public-key')).toHaveValue(new RegExp(`^${protectedKey.publicKey.split(' ').slice(0, 2).join(' ').replace(/[+/]/g, '\\$&')}`));

  // Not yet a deploy key of the repository: the test fails (after trusting the host), and Create warns.
  await page.getByRole('button', { name: 'Test access' }).click();
  await page.getByRole('button', { name: 'Trust this host and test again' }).click();
  await expect(page.getByRole('status').filter({ hasText: /refused this deploy key/ })).toBeVisible();
  await page.getByRole('button', { name: 'Create project' }).click();
  const warning = page.getByRole('dialog', { name: 'The access test failed' });
  await expect(warning).toContainText(/refused this deploy key/);
  await page.screenshot({ path: test.info().outputPath('create-after-failed-test.png') });
  await warning.getByRole('button', { name: 'Go back' }).click();
  await expect(warning).toBeHidden();
  expect((await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name)).not.toContain(NAME);

  // Added to the repository: access works, and its default branch is offered for the form.
  git.authorize([protectedKey.publicKey]);
  await page.getByRole('button', { name: 'Test access' }).click();
  await expect(page.getByText('Access works: 3 branches, default branch main.')).toBeVisible();
  await page.getByRole('button', { name: 'Use main as the default branch' }).click();
  await expect(page.getByLabel('Default branch')).toHaveValue('main');
  await expect(page.getByRole('button', { name: 'Use main as the default branch' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible({ timeout: 30_000 });
  const project = await callApp<{ item: { default_branch: string } }>(app, 'getProject', { name: NAME });
  expect(project.item.default_branch).toBe('main');
});

test('Settings: the public key again with Copy, and Test access by the platform with the key it holds', async () => {
  await page.goto(`${app.appUrl.replace(/#.*$/, '')}#/projects/${NAME}/settings`);
  const section = page.getByRole('region', { name: 'Deploy key' });
  await expect(section.getByLabel('Public key', { exact: true })).toHaveValue(/^ssh-rsa AAAA\S+ craft-mlops-deploy-key$/);
  const shown = await section.getByLabel('Public key', { exact: true }).inputValue();
  expect(shown.split(' ')[1]).toBe(protectedKey.publicKey.split(' ')[1]);
  await section.getByRole('button', { name: 'Copy public key' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);

  await section.getByRole('button', { name: 'Test access' }).click();
  await expect(section.getByText('Access works: 3 branches, default branch main.')).toBeVisible({ timeout: 30_000 });
  // The platform's own test: with the key removed from the repository, it fails there too.
  git.authorize([]);
  await section.getByRole('button', { name: 'Test access' }).click();
  await expect(section.getByText(/refused this deploy key/)).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: test.info().outputPath('settings-deploy-key-refused.png'), fullPage: true });
  git.authorize([protectedKey.publicKey]);
  await section.getByRole('button', { name: 'Test access' }).click();
  await expect(section.getByText('Access works: 3 branches, default branch main.')).toBeVisible({ timeout: 30_000 });
});

test('Replace deploy key: a new key the repository refuses is not saved; added, it is tested, saved, the old fingerprint named, the rotation in History', async () => {
  const section = page.getByRole('region', { name: 'Deploy key' });
  const before = await callApp<{ item: { deploy_key_fingerprint: string } }>(app, 'getProject', { name: NAME });
  await section.getByRole('button', { name: 'Replace deploy key' }).click();
  await section.getByRole('button', { name: 'Generate deploy key' }).click();
  const newPublic = section.locator('#deploy-public-key');
  await expect(newPublic).toHaveValue(/^ssh-rsa AAAA/, { timeout: 60_000 });
  const newKey = await newPublic.inputValue();

  await section.getByRole('button', { name: 'Test and save the new key' }).click();
  await expect(section.getByText('The new key was not saved.')).toBeVisible({ timeout: 30_000 });
  await expect(section.getByText(/refused this deploy key/)).toBeVisible();
  expect((await callApp<{ item: { deploy_key_fingerprint: string } }>(app, 'getProject', { name: NAME })).item.deploy_key_fingerprint).toBe(before.item.deploy_key_fingerprint);

  git.authorize([protectedKey.publicKey, newKey]);
  await section.getByRole('button', { name: 'Test and save the new key' }).click();
  await expect(section.getByText(/^New deploy key saved/)).toBeVisible({ timeout: 30_000 });
  await expect(section.getByText(/Now delete the old key/)).toContainText(before.item.deploy_key_fingerprint);
  await expect(section.getByLabel('Public key', { exact: true })).toHaveValue(`${newKey.split(' ').slice(0, 2).join(' ')} craft-mlops-deploy-key`);
  const after = await callApp<{ item: { deploy_key_fingerprint: string } }>(app, 'getProject', { name: NAME });
  expect(after.item.deploy_key_fingerprint).not.toBe(before.item.deploy_key_fingerprint);
  await page.screenshot({ path: test.info().outputPath('deploy-key-replaced.png'), fullPage: true });

  await page.getByRole('tab', { name: /^History/ }).click();
  await expect(page.getByText(before.item.deploy_key_fingerprint).first()).toBeVisible();
  await expect(page.getByText(after.item.deploy_key_fingerprint).first()).toBeVisible();
});
