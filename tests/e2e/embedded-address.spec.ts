// The embedded platform keeps its address from one launch to the next (issue 15, item 2): the
// environment URL a user copied into a .env yesterday, or that `craft exec` exported, still answers today.
import { test, expect, type Page } from '@playwright/test';
import type { BrowserMode } from './browser-mode.js';
import { startBrowserMode } from './browser-mode.js';
import { callApp, startSeededApp } from './seeded-app.js';
import { controlUrlOf } from '../../domain/environment.js';

let app: BrowserMode | undefined;

test.afterEach(async () => {
  await app?.stop();
});

async function environmentUrlShown(page: Page, appUrl: string, project: string): Promise<string> {
  await page.goto(`${appUrl.replace(/\?.*$/, '')}#/projects/${project}`);
  const table = page.getByRole('table', { name: 'Environments' });
  const url = table.getByRole('row', { name: /production/ }).locator('code');
  await expect(url).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/environments\/[a-z0-9-]+$/, { timeout: 30_000 });
  return (await url.textContent())!;
}

test('an environment URL copied before the app restarts is the one shown after it, and it still answers', async ({ page }) => {
  app = await startSeededApp({ projects: 1, executions: 10 });
  const dataDir = app.dataDir;
  await page.goto(app.appUrl);
  const [project] = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name);
  const before = await environmentUrlShown(page, app.appUrl, project!);
  await app.stop();

  // The next launch: a new app address and token, the same platform address.
  app = await startBrowserMode({ dataDir });
  await page.goto(app.appUrl);
  const after = await environmentUrlShown(page, app.appUrl, project!);
  await page.screenshot({ path: test.info().outputPath('environments-after-restart.png'), fullPage: true });
  expect(after).toBe(before);
  const health = await fetch(`${controlUrlOf(before)}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'alive' });
});
