// A list past the table's eager index (ExecutionsTable: EAGER_ROWS, 50,000): its first rows are shown
// before the index, which is then built a slice per task (ExecutionIndex.slices), then the order of the
// column sorted on (prepare). Filters, a sort and a search on it answer as on a short list: each checked
// against the same rows filtered and sorted here, from the app's own answer.
import { test, expect, type Page } from '@playwright/test';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';

test.describe.configure({ mode: 'serial' });

const EXECUTIONS = 60_000;
let app: BrowserMode;
let page: Page;
let project: string;
let items: { execution_id: string; status: string; created_at: string }[];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  app = await startSeededApp({ projects: 1, executions: EXECUTIONS });
  page = await (await browser.newContext()).newPage();
  await page.goto(app.appUrl);
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  project = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items[0]!.name;
  items = (await callApp<{ items: typeof items }>(app, 'listExecutions', { project })).items;
});

test.afterAll(async () => {
  await page?.context().close();
  await app?.stop();
});

const table = () => page.getByRole('table', { name: /^Executions of / });
const shownIds = async () => (await table().locator('tbody tr[aria-rowindex] td:first-child').allTextContents()).map((t) => t.trim());
const thousands = (n: number) => n.toLocaleString('en-US');

test('60,000 executions: the newest first, then a status filter, a sort by id and a search answer as on a short list', async () => {
  test.setTimeout(120_000);
  expect(items.length).toBe(EXECUTIONS);
  const newestFirst = [...items].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));

  await page.goto(`${app.appUrl.replace(/\?.*$/, '')}#/projects/${project}/executions`);
  await expect(table().locator('tbody tr[aria-rowindex]').first()).toBeVisible({ timeout: 30_000 });
  // Indexed (no longer busy) with the default order: newest first.
  await expect(table()).not.toHaveAttribute('aria-busy', 'true', { timeout: 30_000 });
  await expect(page.getByText(`${thousands(EXECUTIONS)} executions`, { exact: true })).toBeVisible();
  const firstShown = await shownIds();
  expect(firstShown.length).toBeGreaterThan(5);
  expect(firstShown.slice(0, 5)).toEqual(newestFirst.slice(0, 5).map((e) => e.execution_id));

  // A status filter: the count and the rows of the failed ones, newest first.
  const failed = newestFirst.filter((e) => e.status === 'failed');
  expect(failed.length).toBeGreaterThan(0);
  await page.getByLabel('Status', { exact: true }).selectOption('failed');
  await expect(page.getByText(`${thousands(failed.length)} of ${thousands(EXECUTIONS)} executions`, { exact: true })).toBeVisible();
  expect((await shownIds()).slice(0, 5)).toEqual(failed.slice(0, 5).map((e) => e.execution_id));

  // Sorted by id (as `<` compares, ties in list order), either way, the filter kept.
  const id = table().getByRole('columnheader', { name: /^ID/ });
  await id.getByRole('button').click();
  await expect(id).toHaveAttribute('aria-sort', /ascending|descending/);
  const direction = await id.getAttribute('aria-sort');
  const byId = [...failed].sort((a, b) => (a.execution_id < b.execution_id ? -1 : a.execution_id > b.execution_id ? 1 : 0));
  if (direction === 'descending') byId.reverse();
  await expect.poll(async () => (await shownIds()).slice(0, 5)).toEqual(byId.slice(0, 5).map((e) => e.execution_id));

  // A search for one execution's id, among all 60,000 (the filter cleared).
  await page.getByLabel('Status', { exact: true }).selectOption('');
  const wanted = newestFirst[EXECUTIONS >> 1]!.execution_id;
  const needle = wanted.slice(-8);
  const found = items.filter((e) => e.execution_id.toLowerCase().includes(needle));
  await page.getByLabel('Search', { exact: true }).fill(needle);
  await expect(page.getByText(`${thousands(found.length)} of ${thousands(EXECUTIONS)} executions`, { exact: true })).toBeVisible();
  expect(await shownIds()).toContain(wanted);
  await checkView(page, 'executions-long-list-search', { fullPage: false });
});
