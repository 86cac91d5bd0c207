// The one test that drives the real Electron shell. These machines install with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1, so it reports itself skipped here and runs where a binary exists.
import { test, expect, _electron as electron } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronBinary } from '../../scripts/electron-binary.js';

const binary = electronBinary();

test('the desktop app opens its window on the Homepage', async () => {
  test.skip(!binary, 'No Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1): the Electron smoke test runs where one exists');
  const build = spawnSync('npm', ['run', '--silent', 'build:electron'], { stdio: 'inherit' });
  expect(build.status).toBe(0);
  const app = await electron.launch({
    executablePath: binary!,
    args: ['.'],
    env: { ...process.env, CRAFT_DATA_DIR: mkdtempSync(join(tmpdir(), 'craft-electron-')) },
  });
  const window = await app.firstWindow();
  await expect(window.getByRole('heading', { name: 'Projects' })).toBeVisible();
  const sandboxed = await window.evaluate(() => typeof (globalThis as { require?: unknown }).require === 'undefined');
  expect(sandboxed).toBe(true);
  await app.close();
});
