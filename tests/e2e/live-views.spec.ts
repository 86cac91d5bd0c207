// Views that show platform data follow it as it changes (issue 15, item 4): a new execution
// recorded by a runner appears in the open table within seconds, no reload; each live view says
// when it was updated and offers Refresh, which works from the keyboard.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';
import { runnerToken, recordExecution, updateExecution } from './runner.js';

test.describe.configure({ mode: 'serial' });

let app: BrowserMode;
let page: Page;
let project: string;

test.beforeAll(async ({ browser }) => {
  app = await startSeededApp({ projects: 2, executions: 120 });
  page = await (await browser.newContext()).newPage();
  await page.goto(app.appUrl);
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  project = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name).sort()[0]!;
});

test.afterAll(async () => {
  await page?.context().close();
  await app?.stop();
});

const base = () => app.appUrl.replace(/\?.*$/, '');

test('a new execution appears in the open executions table by itself, then its new status, and the window asks only for what changed', async () => {
  // What the window asks its host for the list, and what it gets (browser mode: POST /api/listExecutions).
  const asked: { since?: unknown; partial: boolean; items: number }[] = [];
  page.on('response', async (response) => {
    if (!response.url().includes('/api/listExecutions')) return;
    const input = response.request().postDataJSON() as { refresh?: boolean; since?: unknown } | null;
    if (input?.refresh === false) return;
    const answer = ((await response.json().catch(() => null)) as { result?: { partial: boolean; items: unknown[] } } | null)?.result;
    if (answer) asked.push({ since: input?.since, partial: answer.partial, items: answer.items.length });
  });
  await page.goto(`${base()}#/projects/${project}/environments/production`);
  const table = page.getByRole('table', { name: 'Executions of production' });
  await expect(table.locator('tbody tr').first()).toBeVisible();
  const count = page.getByText(/^\d+ executions$/);
  const before = Number((await count.textContent())!.split(' ')[0]);
  const token = await runnerToken(app);
  const created = await recordExecution(app, token, project, 'production', { pipeline_name: 'live-check' });

  // No reload, no click: the change feed is polled every few seconds while the window is visible.
  await expect(page.getByText(`${before + 1} executions`, { exact: true })).toBeVisible({ timeout: 15_000 });
  await expect(table.getByText(created.execution_id)).toBeVisible();
  await expect(page.getByText(/^updated (just now|\d+ s ago)$/).first()).toBeVisible();
  await checkView(page, 'live-environment-updated');

  // The runner moves it on: its row says so, by itself, and the count stays.
  const row = table.getByRole('row').filter({ hasText: created.execution_id });
  await expect(row).toContainText('pending');
  await updateExecution(app, token, project, 'production', created.execution_id, { status: 'running' });
  await expect(row).toContainText('running', { timeout: 15_000 });
  await expect(page.getByText(`${before + 1} executions`, { exact: true })).toBeVisible();
  // Once the table had its rows, each read again asked what changed since, and got only that.
  const again = asked.slice(1);
  expect(again.length).toBeGreaterThanOrEqual(2);
  for (const read of again) expect(read.since, JSON.stringify(asked)).toBeDefined();
  expect(again.every((read) => read.partial && read.items <= 1), JSON.stringify(asked)).toBe(true);
});

test('Refresh works from the keyboard and says "updated just now" again', async () => {
  await page.goto(`${base()}#/projects/${project}/executions`);
  const refresh = page.getByRole('button', { name: 'Refresh the executions' });
  await expect(refresh).toBeVisible();
  // Time passes: "updated 3 s ago", ticking.
  await expect(page.getByText(/^updated \d+ s ago$/).first()).toBeVisible();
  await refresh.focus();
  await page.keyboard.press('Enter');
  await expect(refresh).toBeFocused();
  await expect(page.getByText(/^updated just now$/).first()).toBeVisible();
});

test('the projects list follows the platform too: a project created elsewhere shows up on Home', async () => {
  await page.goto(`${base()}#/`);
  await expect(page.getByRole('button', { name: 'Refresh the projects' })).toBeVisible();
  const cards = page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])');
  const before = await cards.count();
  const dir = mkdtempSync(join(tmpdir(), 'craft-e2e-key-'));
  execFileSync('ssh-keygen', ['-q', '-m', 'PEM', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'id_rsa')]);
  const key = await callApp<{ key_id: string }>(app, 'importDeployKey', { private_key: readFileSync(join(dir, 'id_rsa'), 'utf8') });
  await callApp(app, 'createProject', { name: 'made-elsewhere', python_version: '3.12', repository_url: 'git@github.com:acme/elsewhere.git', deploy_key_id: key.key_id });
  await expect(cards).toHaveCount(before + 1, { timeout: 15_000 });
  await expect(page.getByRole('link', { name: /made-elsewhere/ })).toBeVisible();
});

test('the Members and History tabs follow the platform: a member added and a setting changed elsewhere show up by themselves', async () => {
  const members = await callApp<{ items: { user_id: string }[] }>(app, 'listMembers', { project });
  const users = await callApp<{ items: { id: string; name: string }[] }>(app, 'listUsers');
  const me = (await callApp<{ user: { id: string } | null }>(app, 'getSession')).user?.id;
  const outsider = users.items.find((u) => u.id !== me && !members.items.some((m) => m.user_id === u.id))!;
  expect(outsider, 'a seeded user who is not a member yet').toBeTruthy();

  await page.goto(`${base()}#/projects/${project}/members`);
  const table = page.getByRole('table', { name: `Members of ${project}` });
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Refresh the members' })).toBeVisible();
  await expect(table.getByRole('rowheader', { name: outsider.name, exact: true })).toHaveCount(0);
  // Another owner adds them (here through the desktop's API, not this page): no reload, no click.
  await callApp(app, 'setMember', { project, user_id: outsider.id, role: 'viewer' });
  await expect(table.getByRole('rowheader', { name: outsider.name, exact: true })).toBeVisible({ timeout: 15_000 });

  await page.goto(`${base()}#/projects/${project}/history`);
  await expect(page.getByRole('button', { name: 'Refresh the history' })).toBeVisible();
  await expect(page.getByText('requirements-live.txt')).toHaveCount(0);
  await callApp(app, 'updateProject', { project, changes: { requirements_path: 'requirements-live.txt' } });
  await expect(page.getByText('requirements-live.txt')).toBeVisible({ timeout: 15_000 });
  await checkView(page, 'live-history-updated');
});
