// Offline, the app says only true things (issue 15, item 6): a project never opened here says
// "not cached yet", not "create the first environment"; the header's status dot turns offline;
// actions that need the platform are disabled with the reason and a "Start platform" button
// (the embedded platform), which brings everything back.
import { test, expect, type Page } from '@playwright/test';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';

test.describe.configure({ mode: 'serial' });

let app: BrowserMode;
let page: Page;
let opened: string;
let neverOpened: string;

test.beforeAll(async ({ browser }) => {
  app = await startSeededApp({ projects: 2, executions: 40 });
  page = await (await browser.newContext()).newPage();
  await page.goto(app.appUrl);
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  [opened, neverOpened] = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name).sort() as [string, string];
  // One project opened online: its environments are cached. The other only listed on Home.
  await page.goto(`${app.appUrl.replace(/\?.*$/, '')}#/projects/${opened}`);
  await expect(page.getByRole('table', { name: 'Environments' })).toBeVisible();
  await callApp(app, 'setEmbeddedPlatform', { running: false });
});

test.afterAll(async () => {
  await callApp(app, 'setEmbeddedPlatform', { running: true }).catch(() => {});
  await page?.context().close();
  await app?.stop();
});

const base = () => app.appUrl.replace(/\?.*$/, '');
const connection = () => page.getByRole('button', { name: /^Connection: / });

test('a project never opened here says "not cached yet", never "create the first environment"', async () => {
  await page.goto(`${base()}#/projects/${neverOpened}`);
  await expect(page.getByRole('heading', { level: 1, name: neverOpened })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Not cached yet' })).toBeVisible();
  await expect(page.getByText(/Create the first environment/i)).toHaveCount(0);
  await page.getByRole('tab', { name: /^Executions/ }).click();
  await expect(page.getByText(/^Not cached yet: this project's environments/)).toBeVisible();
  await expect(page.getByText(/create the first environment/i)).toHaveCount(0);
  await page.getByRole('tab', { name: /^Deployments/ }).click();
  await expect(page.getByText(/^Not cached yet: this project's environments and deployments/)).toBeVisible();
  await checkView(page, 'offline-never-opened');
});

test("the header's status dot turns offline; an action that needs the platform is disabled with the reason; Start platform brings it back", async () => {
  await page.goto(`${base()}#/`);
  await expect(connection()).toHaveAccessibleName(/\(offline\)$/);
  await expect(connection().locator('.connection-dot')).toHaveClass(/offline/);
  const create = page.getByRole('button', { name: 'New project' });
  await expect(create).toBeDisabled();
  await expect(page.getByText('Creating a project needs the platform, which is stopped.')).toBeVisible();

  await page.goto(`${base()}#/projects/${opened}/environments/production`);
  await expect(page.getByRole('button', { name: 'Delete environment…' })).toBeDisabled();
  await expect(page.getByText('Deleting an environment needs the platform, which is stopped.')).toBeVisible();
  // Never opened either: its deployments and executions are not known, not "none yet".
  await expect(page.getByText('Not cached yet: the deployments of production have never been loaded on this computer', { exact: false })).toBeVisible();
  await expect(page.getByText(/Not cached yet: the executions of production/)).toBeVisible();
  await expect(page.getByText(/No executions yet|No deployments yet/)).toHaveCount(0);
  await checkView(page, 'offline-environment-actions');

  await page.getByText('Deleting an environment needs the platform').getByRole('button', { name: 'Start platform' }).click();
  await expect(connection()).toHaveAccessibleName(/^Connection: [^()]+$/, { timeout: 20_000 });
  await expect(connection().locator('.connection-dot')).not.toHaveClass(/offline/);
  await expect(page.getByRole('button', { name: 'Delete environment…' })).toBeEnabled();
  await expect(page.getByText(/needs the platform/)).toHaveCount(0);
  expect((await callApp<{ online: boolean }>(app, 'getSession')).online).toBe(true);
});

test('the platform stopped while a page is open: the dot turns offline within seconds, without a reload', async () => {
  await page.goto(`${base()}#/projects/${opened}`);
  await expect(page.getByRole('table', { name: 'Environments' })).toBeVisible();
  await expect(connection()).not.toHaveAccessibleName(/offline/);
  await callApp(app, 'setEmbeddedPlatform', { running: false });
  await expect(connection()).toHaveAccessibleName(/\(offline\)$/, { timeout: 15_000 });
  await expect(page.getByText(/^offline/)).toBeVisible();
  await callApp(app, 'setEmbeddedPlatform', { running: true });
  await expect(connection()).not.toHaveAccessibleName(/offline/, { timeout: 15_000 });
});
