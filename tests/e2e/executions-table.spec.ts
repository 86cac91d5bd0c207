// The executions table as a project's users work in it (issue 15, item 5): the table first, the
// window's width and height, charts folded away above it; all environments of a project; whole rows
// open the execution (mouse and keyboard); columns chosen (an output such as a score among them,
// sortable), resized by mouse and keyboard (the widths kept for next time, a double click restoring one); filters, sort and environment in the URL so Back
// returns to the same view; an inverted date range that says so.
import { test, expect, type Page } from '@playwright/test';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';

test.describe.configure({ mode: 'serial' });

let app: BrowserMode;
let page: Page;
let project: string;
let total: number;

test.beforeAll(async ({ browser }) => {
  app = await startSeededApp({ projects: 2, executions: 240 });
  page = await (await browser.newContext()).newPage();
  await page.goto(app.appUrl);
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  project = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name).sort()[0]!;
  total = (await callApp<{ total: number }>(app, 'listExecutions', { project })).total;
});

test.afterAll(async () => {
  await page?.context().close();
  await app?.stop();
});

const base = () => app.appUrl.replace(/\?.*$/, '');
const table = () => page.getByRole('table', { name: /^Executions of / });
const count = () => page.getByText(/^\d+( of \d+)? executions/);

test("a project's Executions tab: every environment at once, the table filling the window, the charts folded away above it", async () => {
  await page.goto(`${base()}#/projects/${project}/executions`);
  await expect(page.getByRole('combobox', { name: 'Environment', exact: true })).toHaveValue('');
  await expect(page.getByRole('combobox', { name: 'Environment', exact: true }).locator('option:checked')).toHaveText('All environments');
  await expect(page.getByText(`${total} executions`, { exact: true })).toBeVisible();
  const environments = await table().locator('tbody tr td:nth-child(2)').allTextContents();
  expect(new Set(environments.map((e) => e.trim())).size).toBeGreaterThan(1);
  await expect(table().getByRole('columnheader', { name: /^Environment/ })).toBeVisible();

  const region = page.getByRole('region', { name: /^Executions of .*, scrollable$/ });
  const box = (await region.boundingBox())!;
  expect(box.width).toBeGreaterThan(1280 - 2 * 48); // the window's width, not the page's reading width
  expect(box.height).toBeGreaterThan(800 - 200); // the window's height
  await expect(page.getByText(/Executions per day, by status/)).toBeHidden();
  const charts = page.getByText('Charts', { exact: true });
  const chartsBox = (await charts.boundingBox())!;
  expect(chartsBox.y).toBeLessThan(box.y); // folded above the table
  await checkView(page, 'executions-all-environments');
  await charts.click();
  await expect(page.getByText(/Executions per day, by status/)).toBeVisible();
  await charts.click();
});

test('filters, sort and the environment live in the URL: a click on a row opens the execution, Back returns to the same view', async () => {
  await page.goto(`${base()}#/projects/${project}/executions`);
  await page.getByRole('combobox', { name: 'Environment', exact: true }).selectOption('production');
  await page.getByLabel('Status', { exact: true }).selectOption('succeeded');
  await page.getByLabel('Search', { exact: true }).fill('train');
  const duration = table().getByRole('columnheader', { name: /^Duration/ });
  await duration.getByRole('button').click();
  await expect(duration).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/env=production/);
  await expect(page).toHaveURL(/status=succeeded/);
  await expect(page).toHaveURL(/q=train/);
  await expect(page).toHaveURL(/sort=-duration/);
  const shownText = (await count().textContent())!;
  const firstRow = table().locator('tbody tr').first();
  const id = (await firstRow.locator('td').first().textContent())!.trim();

  await firstRow.locator('td').nth(2).click(); // the pipeline's cell, not the id's link
  await expect(page.getByRole('heading', { level: 1, name: id })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('combobox', { name: 'Environment', exact: true })).toHaveValue('production');
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('succeeded');
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue('train');
  await expect(table().getByRole('columnheader', { name: /^Duration/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByText(shownText, { exact: true })).toBeVisible();
  await expect(table().locator('tbody tr').first().locator('td').first()).toHaveText(id);
});

test('a row opens from the keyboard: arrows move between focused rows, Enter opens', async () => {
  await page.goto(`${base()}#/projects/${project}/executions?env=production`);
  const rows = table().locator('tbody tr[aria-rowindex]');
  await expect(rows.first()).toBeVisible();
  await rows.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1)).toBeFocused();
  const id = (await rows.nth(1).locator('td').first().textContent())!.trim();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: id })).toBeVisible();
});

test('columns: an output (the score) is chosen as a column and sorted on, a column hidden, one resized by keyboard and by dragging, its width kept for next time and restored by a double click', async () => {
  await page.goto(`${base()}#/projects/${project}/executions?env=production`);
  await expect(table().locator('tbody tr').first()).toBeVisible();
  await page.getByText('Columns', { exact: true }).click();
  const choices = page.getByRole('group', { name: 'Columns shown' });
  await choices.getByLabel('Column score (output)').check();
  await choices.getByLabel('Column Created by').uncheck();
  await page.getByText('Columns', { exact: true }).click();
  await expect(page).toHaveURL(/cols=output%3Ascore/);
  const score = table().getByRole('columnheader', { name: /^score \(output\)/ });
  await expect(score).toBeVisible();
  await expect(table().getByRole('columnheader', { name: /^Created by/ })).toHaveCount(0);

  // Highest score first; the executions without one (not succeeded) last.
  await score.getByRole('button').click();
  await expect(score).toHaveAttribute('aria-sort', 'descending');
  const scoreAt = (await table().getByRole('columnheader').allTextContents()).findIndex((t) => t.startsWith('score'));
  const values = (await table().locator(`tbody tr td:nth-child(${scoreAt + 1})`).allTextContents()).map((t) => Number(t));
  expect(values.length).toBeGreaterThan(3);
  expect(values.every((v) => !Number.isNaN(v))).toBe(true);
  expect([...values].sort((a, b) => b - a)).toEqual(values);
  await checkView(page, 'executions-score-column');

  const handle = page.getByRole('separator', { name: 'Resize the column Pipeline' });
  const before = Number(await handle.getAttribute('aria-valuenow'));
  await handle.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(handle).toHaveAttribute('aria-valuenow', String(before + 32));
  const header = table().getByRole('columnheader', { name: /^Pipeline/ });
  const widthBefore = (await header.boundingBox())!.width;
  const edge = (await handle.boundingBox())!;
  await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2 + 80, edge.y + edge.height / 2, { steps: 4 });
  await page.mouse.up();
  expect((await header.boundingBox())!.width).toBeGreaterThan(widthBefore + 60);

  // The width set is there again when the table opens next (a reload: the app started anew).
  const dragged = await handle.getAttribute('aria-valuenow');
  await page.reload();
  await expect(table().locator('tbody tr').first()).toBeVisible();
  await expect(handle).toHaveAttribute('aria-valuenow', dragged!);
  // A double click on the edge gives the column its default width again, and that is kept too.
  await handle.dblclick();
  await expect(handle).toHaveAttribute('aria-valuenow', String(before));
  await page.reload();
  await expect(table().locator('tbody tr').first()).toBeVisible();
  await expect(handle).toHaveAttribute('aria-valuenow', String(before));
});

test('an inverted date range says so, offers to swap the dates, instead of showing 0 executions', async () => {
  await page.goto(`${base()}#/projects/${project}/executions?env=production`);
  await expect(table().locator('tbody tr').first()).toBeVisible();
  await page.getByLabel('From', { exact: true }).fill('2099-02-01');
  await page.getByLabel('To', { exact: true }).fill('2000-01-01');
  const alert = page.getByRole('alert').filter({ hasText: 'The date range is inverted' });
  await expect(alert).toBeVisible();
  await expect(page.getByLabel('From', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(/the dates are inverted/)).toBeVisible();
  await checkView(page, 'executions-inverted-dates');
  await alert.getByRole('button', { name: 'Swap the dates' }).click();
  await expect(page.getByLabel('From', { exact: true })).toHaveValue('2000-01-01');
  await expect(page.getByLabel('To', { exact: true })).toHaveValue('2099-02-01');
  await expect(alert).toBeHidden();
  await expect(page.getByText(/^\d+ of \d+ executions$/)).toBeVisible();
});
