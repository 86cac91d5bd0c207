// Before saving a project: save the generated pair to files, and test the key against the
// repository host (here an address where nothing listens, so the answer names that step).
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';

let app: BrowserMode;

test.afterEach(async () => {
  await app?.stop();
});

test('a generated key pair is saved to files OpenSSH reads, and "Test access" names the step that failed', async ({ page }) => {
  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await page.getByRole('button', { name: 'New project' }).first().click();
  await page.getByLabel('Repository URL').fill('ssh://git@127.0.0.1:9/acme/churn.git');
  await page.getByRole('button', { name: 'Generate deploy key' }).click();
  await expect(page.getByLabel('Public key')).toHaveValue(/^ssh-rsa AAAA/, { timeout: 60_000 });
  const publicKey = await page.getByLabel('Public key').inputValue();

  const path = join(mkdtempSync(join(tmpdir(), 'craft-saved-key-')), 'craft_deploy_key');
  await page.getByLabel('Save key pair to').fill(path);
  await page.getByRole('button', { name: 'Save key pair' }).click();
  await expect(page.getByText(/^Saved: /)).toBeVisible();
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  const derived = execFileSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' }).trim();
  expect(publicKey.startsWith(derived.split(' ').slice(0, 2).join(' '))).toBe(true);
  expect(readFileSync(`${path}.pub`, 'utf8').trim()).toBe(publicKey.trim());
  // Saving again over the same files asks first; keeping them changes nothing, replacing them writes the pair.
  writeFileSync(path, 'my other key\n', { mode: 0o600 });
  await page.getByRole('button', { name: 'Save key pair' }).click();
  const confirm = page.getByRole('dialog', { name: 'Replace the existing file?' });
  await expect(confirm).toContainText(`${path} already exists`);
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  expect(readFileSync(path, 'utf8')).toBe('my other key\n');
  await page.getByRole('button', { name: 'Save key pair' }).click();
  await confirm.getByRole('button', { name: 'Replace it' }).click();
  await expect(confirm).toBeHidden();
  expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);

  await page.getByRole('button', { name: 'Test access' }).click();
  await expect(page.getByText(/unreachable|refused|could not connect/i).first()).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: test.info().outputPath('deploy-key-tools.png'), fullPage: true });
});
