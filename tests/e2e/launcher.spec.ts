// Browser mode opens the system browser on an owner-only launcher file (the connection token on
// no command line): in Chromium, that file leads to the app, signed in, with no token left in the URL.
import { test, expect } from '@playwright/test';
import { pathToFileURL } from 'node:url';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';
import { writeLauncher } from '../../electron/web-host/launcher.js';

let app: BrowserMode;

test.afterEach(async () => {
  await app?.stop();
});

test('the launcher file browser mode opens leads to the app, and the token leaves the address bar', async ({ page }) => {
  app = await startBrowserMode();
  const launcher = writeLauncher(app.dataDir, app.appUrl);
  await page.goto(pathToFileURL(launcher).href);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  expect(page.url()).toBe(`${new URL(app.appUrl).origin}/`);
});
