// The execution page as a user reads an execution that ended (issue 15 item 8): steps its runner
// left running end as interrupted, the end time and duration are shown, the logs can be searched,
// wrapped on demand, filtered to their errors and downloaded, and an empty log takes one line.
// The executions are recorded as a runner does, through the environment API with the SDK token.
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';

test.describe.configure({ mode: 'serial' });

let app: BrowserMode;
let page: Page;
let project: string;
let runner: (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

const LONG = `features=${'x'.repeat(400)} end-of-long-line`;
const LOG = [
  'Pulling image',
  'Installing requirements',
  ...Array.from({ length: 30 }, (_, i) => `Epoch ${i + 1}/30 loss=${(1 / (i + 2)).toFixed(3)}`),
  LONG,
  'Traceback (most recent call last):',
  '  File "train.py", line 12, in <module>',
  'ValueError: could not convert string to float: "n/a"',
];

test.beforeAll(async ({ browser }) => {
  app = await startSeededApp({ projects: 1, executions: 20 });
  page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto(app.appUrl);
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  project = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items[0]!.name;
  const { token } = await callApp<{ token: string }>(app, 'getSdkToken', { reveal: true });
  const refreshed = await fetch(`${app.platformUrl}/api/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: token }) });
  const { access_token } = (await refreshed.json()) as { access_token: string };
  const env = await callApp<{ item: { url: string } }>(app, 'getEnvironment', { project, environment: 'production' });
  runner = async (method, path, body) => {
    const response = await fetch(`${env.item.url}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };
});

test.afterAll(async () => {
  await page?.context().close();
  await app?.stop();
});

async function record(steps: unknown[], log: string[], end: 'failed' | 'succeeded'): Promise<string> {
  const id = (await runner('POST', '/executions', { pipeline_name: 'scoring', steps })).execution_id as string;
  await runner('PATCH', `/executions/${id}`, { status: 'running' });
  const t0 = Date.now() - 60_000;
  if (log.length) await runner('POST', `/executions/${id}/log-lines`, { lines: log.map((message, i) => ({ timestamp: new Date(t0 + i * 100).toISOString(), message })) });
  await runner('PATCH', `/executions/${id}`, { status: end });
  return id;
}

const open = async (id: string) => {
  await page.goto(`${app.appUrl.replace(/\?.*$/, '')}#/projects/${project}/environments/production/executions/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: id })).toBeVisible();
};

test('an execution that failed: its running and pending steps show as interrupted; its end time and duration are shown', async () => {
  const started = new Date(Date.now() - 50_000).toISOString();
  const id = await record(
    [
      { name: 'load', status: 'succeeded', start_date: new Date(Date.now() - 55_000).toISOString(), end_date: started },
      { name: 'train', status: 'running', start_date: started },
      { name: 'report', status: 'pending' },
    ],
    LOG,
    'failed',
  );
  await open(id);
  const steps = page.getByRole('list', { name: 'Steps' });
  await expect(steps.getByRole('listitem')).toHaveCount(3);
  await expect(steps.getByRole('listitem').nth(1)).toContainText(/train\s*interrupted/i);
  await expect(steps.getByRole('listitem').nth(2)).toContainText(/report\s*interrupted\s*not started/i);
  await expect(steps.getByRole('listitem').filter({ hasText: 'running' })).toHaveCount(0);
  const ended = page.locator('dt', { hasText: /^Ended$/ }).locator('xpath=following-sibling::dd');
  await expect(ended.locator('time')).toHaveAttribute('datetime', /Z$/);
  const duration = page.locator('dt', { hasText: /^Duration$/ }).locator('xpath=following-sibling::dd');
  await expect(duration).not.toContainText('so far');
  await expect(duration).toHaveText(/\d/);
  await checkView(page, 'execution-ended');
});

test('logs: a search shows the matching lines, marked; errors are highlighted and can be shown alone; long lines wrap on demand', async () => {
  const id = await record([{ name: 'train', status: 'running', start_date: new Date().toISOString() }], LOG, 'failed');
  await open(id);
  const log = page.getByRole('log', { name: 'Logs' });
  await expect(log.locator('.line')).toHaveCount(LOG.length);
  await expect(page.getByText(`${LOG.length} lines`)).toBeVisible();

  // Errors: highlighted, counted, and alone on demand.
  await expect(log.locator('.line.error')).toHaveCount(2); // the traceback's first and last lines
  await page.getByLabel(/Errors only/).check();
  await expect(log.locator('.line')).toHaveCount(2);
  await expect(log).toContainText('ValueError: could not convert');
  await expect(page.getByText(`2 of ${LOG.length} lines`)).toBeVisible();
  await checkView(page, 'execution-logs-errors-only');
  await page.getByLabel(/Errors only/).uncheck();

  // Search: only the lines that match, the match marked.
  await page.getByRole('searchbox', { name: 'Search the logs' }).fill('epoch 2');
  await expect(log.locator('.line')).toHaveCount(11); // Epoch 2/30, Epoch 20/30 … Epoch 29/30
  await expect(log.locator('mark').first()).toHaveText('Epoch 2');
  await expect(page.getByText(`11 of ${LOG.length} lines`)).toBeVisible();
  await page.getByRole('region', { name: 'Logs' }).screenshot({ path: test.info().outputPath('execution-logs-search.png') });
  await page.getByRole('searchbox', { name: 'Search the logs' }).fill('no such text');
  await expect(log).toContainText('No line matches');
  await page.getByRole('searchbox', { name: 'Search the logs' }).fill('');

  // Long lines: one line each (scroll sideways) until "Wrap lines" is checked.
  const long = log.locator('.line', { hasText: 'end-of-long-line' });
  const oneLine = (await log.locator('.line').first().boundingBox())!.height;
  expect((await long.boundingBox())!.height).toBeLessThan(oneLine * 1.5);
  expect(await log.evaluate((box) => box.scrollWidth > box.clientWidth)).toBe(true);
  await page.getByLabel('Wrap lines').check();
  expect((await long.boundingBox())!.height).toBeGreaterThan(oneLine * 2);
  expect(await log.evaluate((box) => box.scrollWidth > box.clientWidth)).toBe(false);
  await checkView(page, 'execution-logs-wrapped');
});

test('logs: Download saves every line with its timestamp to a text file named after the execution', async () => {
  const id = await record([], LOG, 'succeeded');
  await open(id);
  await expect(page.getByRole('log', { name: 'Logs' }).locator('.line')).toHaveCount(LOG.length);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download logs' }).click()]);
  expect(download.suggestedFilename()).toBe(`${id}-logs.txt`);
  const text = readFileSync((await download.path())!, 'utf8').trimEnd().split('\n');
  expect(text).toHaveLength(LOG.length);
  expect(text.map((line) => line.replace(/^\S+Z /, ''))).toEqual(LOG);
  expect(text[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z Pulling image$/);
});

test('an execution that wrote no log: one line says so, not an empty box', async () => {
  const id = await record([], [], 'succeeded');
  await open(id);
  const empty = page.getByText('This execution wrote no log.');
  await expect(empty).toBeVisible();
  const logs = page.getByRole('region', { name: 'Logs' });
  const box = (await logs.boundingBox())!;
  expect(box.height).toBeLessThan(120); // the heading and one line, where the box was 300+ px
  await expect(page.getByRole('button', { name: 'Download logs' })).toHaveCount(0);
  await checkView(page, 'execution-no-log');
});
