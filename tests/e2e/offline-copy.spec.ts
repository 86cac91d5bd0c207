// "Keep an offline copy now" (Parameters → Connections): before going offline on purpose, a user
// caches everything the active connection lets them read — not only the views they opened — and
// a project never opened here is readable offline afterwards.
import { test, expect } from '@playwright/test';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';

let app: BrowserMode | undefined;

test.afterEach(async () => {
  if (app) await callApp(app, 'setEmbeddedPlatform', { running: true }).catch(() => {});
  await app?.stop();
});

test('a project never opened here is readable offline after "Keep an offline copy now"', async ({ page }) => {
  app = await startSeededApp({ projects: 2, executions: 40 });
  const base = app.appUrl.replace(/\?.*$/, '');
  await page.goto(app.appUrl);
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  const names = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name).sort();

  await page.goto(`${base}#/parameters`);
  const connections = page.locator('#section-connections');
  await connections.getByRole('button', { name: 'Keep an offline copy now' }).click();
  const result = connections.getByRole('status');
  await expect(result).toContainText('The offline copy is up to date');
  const received = /(\d+) projects?, (\d+) environments?, (\d+) deployments?, (\d+) executions?/.exec((await result.textContent()) ?? '');
  expect(received, 'the counts received').not.toBeNull();
  expect(Number(received![1])).toBe(names.length);
  expect(Number(received![4])).toBeGreaterThan(0);
  await checkView(page, 'offline-copy-done');

  // A second copy receives only what changed since: nothing.
  await connections.getByRole('button', { name: 'Keep an offline copy now' }).click();
  await expect(result).toContainText('0 projects, 0 environments, 0 deployments, 0 executions');

  await callApp(app, 'setEmbeddedPlatform', { running: false });
  for (const name of names) {
    await page.goto(`${base}#/projects/${name}`);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Environments' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Not cached yet' })).toHaveCount(0);
  }
  await checkView(page, 'offline-copy-project-offline');
});
