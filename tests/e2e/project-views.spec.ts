// The project views as a user walks them in browser mode, against a seeded embedded platform:
// tabs in the URL, environments (with the first-environment invitation and invalid names),
// "Connect to the SDK" and .env, the executions table (filters, search, sort, CSV, charts),
// an execution (steps, inputs/outputs, logs, a failure notification), deployments, members
// (and a viewer's refusal from the platform), settings (the slider), history, deletion.
// Every view is screenshotted in light and dark and checked with axe-core.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';

test.describe.configure({ mode: 'serial' });

let app: BrowserMode;
let page: Page;
let projects: string[] = [];

test.beforeAll(async ({ browser }) => {
  app = await startSeededApp({ projects: 3, executions: 300 });
  const context = await browser.newContext({ acceptDownloads: true });
  // A recording stand-in for the Notification API (headless Chromium shows none).
  await context.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    class RecordingNotification {
      static permission: NotificationPermission = 'default';
      static async requestPermission(): Promise<NotificationPermission> {
        RecordingNotification.permission = 'granted';
        return 'granted';
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options: NotificationOptions = {}) {
        shown.push({ title, body: options.body ?? '' });
      }
      close() {}
    }
    (window as unknown as { Notification: unknown }).Notification = RecordingNotification;
  });
  page = await context.newPage();
  await page.goto(app.appUrl);
  // The embedded connection signs in by itself when the app opens: wait for the project cards.
  await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
  const listed = await callApp<{ items: { name: string }[] }>(app, 'listProjects');
  projects = listed.items.map((p) => p.name).sort();
  expect(projects).toHaveLength(3);
});

test.afterAll(async () => {
  await page?.context().close();
  await app?.stop();
});

const base = () => app.appUrl.replace(/\?.*$/, '');
const tab = (name: string) => page.getByRole('tab', { name: new RegExp(`^${name}`) });

test('project tabs live in the URL: back returns to the previous tab; arrow keys move between tabs', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}`);
  await expect(page.getByRole('heading', { level: 1, name: project })).toBeVisible();
  await expect(page.getByRole('tablist', { name: 'Project sections' })).toBeVisible();
  for (const name of ['Environments', 'Executions', 'Deployments', 'Members', 'Settings', 'History']) await expect(tab(name)).toBeVisible();
  await expect(tab('Environments')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('table', { name: 'Environments' })).toContainText('production');
  await expect(page.getByRole('table', { name: 'Environments' }).getByText(/^by (Ada Lovelace|Grace Hopper|Alan Turing|Katherine Johnson|Edsger Dijkstra|Barbara Liskov)$/).first()).toBeVisible();
  await checkView(page, 'project-environments');

  await tab('Members').click();
  await expect(page).toHaveURL(/\/members$/);
  await tab('History').click();
  await expect(page).toHaveURL(/\/history$/);
  await page.goBack();
  await expect(tab('Members')).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/\/members$/);

  await tab('Members').focus();
  await page.keyboard.press('ArrowRight');
  await expect(tab('Settings')).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/\/settings$/);
  await expect(tab('Settings')).toBeFocused();
});

test('pages that do not exist say so and lead back', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/environments/nowhere`);
  await expect(page.getByText('No such environment')).toBeVisible();
  await expect(page.getByText(`The project ${project} has no environment named “nowhere”.`)).toBeVisible();
  await page.getByRole('link', { name: 'Back to the environments' }).click();
  await expect(tab('Environments')).toHaveAttribute('aria-selected', 'true');

  await page.goto(`${base()}#/projects/${project}/environments/production/executions/nope-123`);
  await expect(page.getByText('No such execution')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to production' })).toBeVisible();

  await page.goto(`${base()}#/projects/${project}/environments/production/deployments/nope`);
  await expect(page.getByText('No such deployment')).toBeVisible();

  await page.goto(`${base()}#/projects/no-such-project/members`);
  await expect(page.getByText('No such project')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the projects' })).toBeVisible();
});

test('Environments: an invalid name is refused at the field; a new environment with overrides is created and listed', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}`);
  await page.getByRole('button', { name: 'New environment' }).click();
  await expect(page.getByRole('heading', { name: 'New environment' })).toBeVisible();
  await page.getByLabel('Environment name').fill('QA Env');
  await page.getByLabel('Environment name').press('Enter');
  const error = page.locator('#environment-name-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText(/lowercase letters, digits and "-"/);
  await expect(page.getByLabel('Environment name')).toBeFocused();
  await expect(page.getByLabel('Environment name')).toHaveAttribute('aria-invalid', 'true');
  await checkView(page, 'environment-new-invalid');

  await page.getByLabel('Environment name').fill('qa');
  await page.getByLabel('Default branch').fill('develop');
  await page.getByLabel('System dependencies').fill('libgomp1 graphviz');
  await page.getByRole('button', { name: /Create environment/ }).click();
  await expect(page.getByText('Environment created')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Environments' })).toContainText('qa');
  await expect(tab('Environments')).toContainText('3');

  await page.getByRole('link', { name: 'qa', exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'qa' })).toBeVisible();
  await expect(page.getByText('develop', { exact: true })).toBeVisible();
  await expect(page.getByText('libgomp1, graphviz')).toBeVisible();
  await expect(page.getByText('by Local admin (you)')).toBeVisible();
  await expect(page.getByText(/No executions yet in qa/)).toBeVisible();
});

test('Environment page: information, Connect to the SDK (token masked until revealed), .env written, deployments and executions', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/environments/production`);
  await expect(page.getByRole('heading', { level: 1, name: 'production' })).toBeVisible();
  const sdk = page.getByRole('region', { name: 'Connect to the SDK' });
  await expect(sdk).toContainText('pip install craft-ai-sdk');
  await expect(sdk).toContainText('export CRAFT_AI_ENVIRONMENT_URL=');
  await expect(sdk).toContainText('from craft_ai_sdk import CraftAiSdk');
  const token = (await callApp<{ token: string }>(app, 'getSdkToken', { reveal: true })).token;
  await expect(sdk).toContainText('export CRAFT_AI_SDK_TOKEN=');
  await expect(sdk).not.toContainText(token);
  await expect(sdk).toContainText(`export CRAFT_AI_CONTROL_URL=${app.platformUrl}`);
  await sdk.getByRole('button', { name: 'Reveal token' }).click();
  await expect(sdk).toContainText(token);

  // Pasted as shown — the export lines in a shell, then the Python — the SDK's calls reach this platform.
  // (craft_ai_sdk here: the standard-library client that makes the published SDK's HTTP calls.)
  const [exportsShown, pythonShown] = await sdk.locator('pre').evaluateAll((blocks) => blocks.slice(1).map((b) => b.textContent ?? ''));
  const shim = mkdtempSync(join(tmpdir(), 'craft-sdk-shim-'));
  mkdirSync(join(shim, 'craft_ai_sdk'));
  writeFileSync(join(shim, 'craft_ai_sdk', '__init__.py'), 'from craft_sdk_stdlib import CraftAiSdk  # noqa: F401\n');
  const pythonPath = [shim, resolve('platform/testing')].join(':');
  const printed = execFileSync('sh', ['-c', `${exportsShown}\npython3 -`], { input: pythonShown, encoding: 'utf8', env: { PATH: process.env.PATH, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' } });
  expect(printed).toContain("'email': 'admin@localhost'");
  await sdk.getByRole('button', { name: 'Hide token' }).click();
  await expect(sdk).not.toContainText(token);

  const dir = mkdtempSync(join(tmpdir(), 'craft-dotenv-'));
  await sdk.getByRole('button', { name: 'Write .env' }).click();
  const dialog = page.getByRole('dialog', { name: 'Write a .env file' });
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog.getByText(/Path is required/)).toBeVisible();
  await dialog.getByLabel('Path of the file').fill(join(dir, '.env'));
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(sdk.getByText(/Written to .*\.env/)).toBeVisible();
  const written = readFileSync(join(dir, '.env'), 'utf8');
  expect(written).toContain('CRAFT_AI_ENVIRONMENT_URL=');
  expect(written).toContain(`CRAFT_AI_CONTROL_URL=${app.platformUrl}\n`);
  expect(written).toContain(token);
  expect(statSync(join(dir, '.env')).mode & 0o077).toBe(0);
  // A relative path is refused; an existing file is changed only once the user confirms, and keeps its lines (dotenv.spec.ts).
  writeFileSync(join(dir, '.env'), 'MINE=keep me\n');
  await sdk.getByRole('button', { name: 'Write .env' }).click();
  await dialog.getByLabel('Path of the file').fill('churn/.env');
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog.getByText(/must be an absolute path/)).toBeVisible();
  await dialog.getByLabel('Path of the file').fill(join(dir, '.env'));
  await dialog.getByRole('button', { name: 'Write .env' }).click();
  await expect(dialog.getByText(/already exists\. Writing changes only the SDK’s variables/)).toBeVisible();
  expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('MINE=keep me\n');
  await dialog.getByRole('button', { name: 'Update the file' }).click();
  await expect(dialog).toBeHidden();
  expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(new RegExp(`^MINE=keep me\n[^]*CRAFT_AI_SDK_TOKEN=${token}\n`));

  await expect(page.getByRole('table', { name: 'Deployments of production' })).toContainText('nightly-train');
  await expect(page.getByRole('table', { name: 'Executions of production' })).toBeVisible();
  await checkView(page, 'environment');
});

test('Delete environment: a wrong name typed deletes nothing; the right name deletes it', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/environments/qa`);
  await expect(page.getByRole('heading', { level: 1, name: 'qa' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete environment…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete the environment qa?' });
  await dialog.getByLabel(/Type .* to confirm/).fill('production');
  await dialog.getByRole('button', { name: 'Delete environment' }).click({ force: true });
  await expect(dialog.getByText('The name does not match: type qa exactly.')).toBeVisible();
  await checkView(page, 'environment-delete-dialog', { fullPage: false });
  await dialog.getByLabel(/Type .* to confirm/).fill('qa');
  await dialog.getByRole('button', { name: 'Delete environment' }).click();
  await expect(page.getByText('The environment qa was deleted.')).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`#/projects/${project}$`));
  await expect(page.getByRole('table', { name: 'Environments' })).not.toContainText('qa');
  await expect(tab('Environments')).toContainText('2');
  const left = await callApp<{ items: { name: string }[] }>(app, 'listEnvironments', { project });
  expect(left.items.map((e) => e.name).sort()).toEqual(['production', 'staging']);
});

test('Executions: names of creators, filters, search, sort on a column, CSV of what is shown, charts', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/executions`);
  await page.getByRole('combobox', { name: 'Environment', exact: true }).selectOption('production');
  const table = page.getByRole('table', { name: 'Executions of production' });
  await expect(table.getByRole('row').nth(1)).toBeVisible();
  await expect(page.getByText(/^\d+ executions$/)).toBeVisible();
  const total = Number((await page.getByText(/^\d+ executions$/).textContent())!.split(' ')[0]);
  expect(total).toBe(50); // 300 spread over 6 environments
  // Creators are names (resolveUsers), never user ids.
  await expect(table.getByRole('row').nth(1)).toContainText(/Ada Lovelace|Grace Hopper|Alan Turing|Katherine Johnson|Edsger Dijkstra|Barbara Liskov/);
  await expect(table).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  await page.getByText('Charts', { exact: true }).click(); // folded away above the table
  await expect(page.getByText(/Executions per day, by status/)).toBeVisible();
  await expect(page.getByText(/^Durations/)).toBeVisible();
  await checkView(page, 'project-executions');

  await page.getByLabel('Status', { exact: true }).selectOption('failed');
  const failedText = await page.getByText(/^\d+ of 50 executions$/).textContent();
  const failedCount = Number(failedText!.split(' ')[0]);
  expect(failedCount).toBeGreaterThan(0);
  const statusCells = table.locator('tbody tr td:nth-child(4)');
  const statuses = await statusCells.allTextContents();
  expect(statuses.length).toBeGreaterThan(0);
  for (const s of statuses) expect(s.trim()).toMatch(/failed/i);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  expect(csv[0]).toMatch(/ID.*Pipeline.*Deployment.*Status.*Created by.*Created at.*Duration/);
  expect(csv.length - 1).toBe(failedCount);
  for (const line of csv.slice(1)) expect(line).toContain('failed');

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Search', { exact: true }).fill('drift-check');
  await expect(table.locator('tbody tr').first()).toContainText('drift-check');
  const pipelines = await table.locator('tbody tr td:nth-child(2)').allTextContents();
  for (const p of pipelines) expect(p).toContain('drift-check');
  await page.getByLabel('Search', { exact: true }).fill('');

  // Sort by duration, longest first: the first row has the longest duration of the rows shown.
  const durationHeader = table.getByRole('columnheader', { name: /Duration/ });
  await durationHeader.getByRole('button').click();
  await expect(durationHeader).toHaveAttribute('aria-sort', /ascending|descending/);
  const order = await durationHeader.getAttribute('aria-sort');
  await durationHeader.getByRole('button').click();
  await expect(durationHeader).not.toHaveAttribute('aria-sort', order!);

  // Every column sorts, both ways.
  for (const name of ['ID', 'Pipeline', 'Deployment', 'Status', 'Created by', 'Created at', 'Duration']) {
    const header = table.getByRole('columnheader', { name: new RegExp(`^${name}`) });
    await header.getByRole('button').click();
    const first = await header.getAttribute('aria-sort');
    expect(first, name).toMatch(/ascending|descending/);
    await header.getByRole('button').click();
    expect(await header.getAttribute('aria-sort'), name).toBe(first === 'ascending' ? 'descending' : 'ascending');
  }

  // Pipeline, creator and date range filters narrow the rows.
  await page.getByLabel('Pipeline', { exact: true }).selectOption('train');
  for (const p of await table.locator('tbody tr td:nth-child(2)').allTextContents()) expect(p).toContain('train');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  const creator = (await table.locator('tbody tr td:nth-child(5)').first().textContent())!.trim();
  await page.getByLabel('Created by', { exact: true }).selectOption(creator);
  for (const c of await table.locator('tbody tr td:nth-child(5)').allTextContents()) expect(c.trim()).toBe(creator);
  await page.getByLabel('From', { exact: true }).fill('2099-01-01');
  await expect(page.getByText(/^0 of 50 executions$/)).toBeVisible();
  await page.getByLabel('From', { exact: true }).fill('2000-01-01');
  await page.getByLabel('To', { exact: true }).fill('2099-12-31');
  await expect(page.getByText(/^50 of 50 executions$/)).toBeVisible();
});

test('Execution page: steps on a timeline, inputs and outputs, logs, who created it', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/environments/production`);
  const table = page.getByRole('table', { name: 'Executions of production' });
  const first = table.locator('tbody tr').first().getByRole('link');
  const id = (await first.textContent())!.trim();
  await first.click();
  await expect(page).toHaveURL(new RegExp(`/executions/${id}$`));
  await expect(page.getByRole('heading', { level: 1, name: id })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Steps' })).toBeVisible();
  await expect(page.getByText('load', { exact: true }).first()).toBeVisible();
  const inputs = page.getByRole('table', { name: 'Inputs' });
  await expect(inputs.getByRole('columnheader')).toHaveText(['Name', 'Type', 'Source', 'Value']);
  await expect(inputs.getByRole('row', { name: /dataset/ })).toContainText(/dataset\s*string\s*run\s*s3:\/\/acme\//);
  await expect(page.getByText(/Created by/)).toBeVisible();
  await expect(page.getByText(/Ada Lovelace|Grace Hopper|Alan Turing|Katherine Johnson|Edsger Dijkstra|Barbara Liskov/).first()).toBeVisible();
  await expect(page.getByText('Pulling image')).toBeVisible(); // the newest executions have logs
  await checkView(page, 'execution');
});

test('watching a running execution: a desktop notification when it fails', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/environments/production`);
  await page.getByLabel('Status', { exact: true }).selectOption('running');
  const link = page.getByRole('table', { name: 'Executions of production' }).locator('tbody tr').first().getByRole('link');
  const id = (await link.textContent())!.trim();
  await link.click();
  await expect(page.getByRole('heading', { level: 1, name: id })).toBeVisible();
  await expect(page.getByLabel('Follow')).toBeChecked(); // logs follow a running execution
  await page.getByRole('button', { name: 'Notify me if it fails' }).click();
  await expect(page.getByText(/Watching: a desktop notification/)).toBeVisible();

  // The runner reports the failure to the platform, with the user's SDK token.
  const { token } = await callApp<{ token: string }>(app, 'getSdkToken', { reveal: true });
  const refreshed = await fetch(`${app.platformUrl}/api/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  });
  const { access_token } = (await refreshed.json()) as { access_token: string };
  const env = await callApp<{ item: { url: string } }>(app, 'getEnvironment', { project, environment: 'production' });
  const patched = await fetch(`${env.item.url}/api/v1/executions/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ status: 'failed' }),
  });
  expect(patched.status).toBe(200);

  await expect(page.getByText(`The execution ${id} failed.`)).toBeVisible({ timeout: 10_000 });
  const shown = await page.evaluate(() => (window as unknown as { shownNotifications: { title: string; body: string }[] }).shownNotifications);
  expect(shown).toEqual([{ title: 'Execution failed', body: expect.stringContaining(id) }]);
});

test('Deployments: the project-wide list, and a deployment with its executions', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/deployments`);
  const table = page.getByRole('table', { name: 'Deployments' });
  await expect(table).toContainText('nightly-train');
  await expect(table).toContainText('predict-endpoint');
  await expect(table).toContainText('periodic');
  // A schedule reads in words; its cron expression is one hover away.
  const schedule = table.getByRole('row').filter({ hasText: 'nightly-train' }).first().getByText('At 03:00, every day');
  await expect(schedule).toBeVisible();
  await expect(schedule).toHaveAttribute('title', 'Cron schedule: 0 3 * * *');
  await expect(table.getByRole('columnheader')).toHaveText(['Name', 'Environment', 'Pipeline', 'Type', 'Enabled', 'Status', 'Created']);
  await checkView(page, 'project-deployments');

  await table.getByRole('link', { name: 'nightly-train' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'nightly-train' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'At 03:00, every day' })).toHaveText('At 03:00, every day (0 3 * * *)');
  const executions = page.getByRole('table', { name: 'Executions of nightly-train' });
  await expect(executions.locator('tbody tr').first()).toBeVisible();
  for (const d of await executions.locator('tbody tr td:nth-child(3)').allTextContents()) expect(d).toContain('nightly-train');
  await checkView(page, 'deployment');
});

test('Settings: the slider not moved, Save does nothing; moved to the end by keyboard, the changes are saved and in History', async () => {
  const project = projects[0]!;
  await page.goto(`${base()}#/projects/${project}/settings`);
  await expect(page.getByLabel('Project name')).toHaveAttribute('readonly', '');
  await page.getByLabel('Requirements.txt').fill('/requirements-prod.txt');
  await page.getByLabel('Python version').selectOption('3.11');
  await expect(page.getByText(/2 changes to save/)).toBeVisible();
  await expect(page.getByText('These changes apply to steps created after this modification')).toBeVisible();
  await expect(page.getByText(/can make them non-functional/)).toBeVisible();

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Move the slider to the end to confirm these changes before saving.')).toBeVisible();
  await expect(page.getByRole('slider')).toBeFocused();
  const before = await callApp<{ item: { requirements_path: string } }>(app, 'getProject', { name: project });
  expect(before.item.requirements_path).not.toBe('/requirements-prod.txt');
  await checkView(page, 'project-settings-review');

  await page.getByRole('slider').press('ArrowRight');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Move the slider to the end to confirm these changes before saving.')).toBeVisible();
  await page.getByRole('slider').press('End');
  await expect(page.getByRole('slider')).toHaveAttribute('aria-valuenow', '100');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('2 changes saved.')).toBeVisible();
  const after = await callApp<{ item: { requirements_path: string; python_version: string } }>(app, 'getProject', { name: project });
  expect(after.item).toMatchObject({ requirements_path: '/requirements-prod.txt', python_version: '3.11' });

  // Moved by mouse: drag the thumb to the end of the track.
  await page.getByLabel('Requirements.txt').fill('/requirements.txt');
  const slider = page.getByRole('slider');
  const box = (await slider.boundingBox())!;
  const track = (await slider.locator('xpath=..').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(track.x + track.width - 2, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(slider).toHaveAttribute('aria-valuenow', '100');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('1 change saved.')).toBeVisible();

  await tab('History').click();
  await expect(page.getByText('/requirements-prod.txt').first()).toBeVisible();
  await expect(page.getByText(/Local admin/).first()).toBeVisible();
  await checkView(page, 'project-history');
});

test('Members: add a user with a role, change the role, remove; a viewer is refused by the platform', async () => {
  const project = projects[1]!;
  await page.goto(`${base()}#/projects/${project}/members`);
  const table = page.getByRole('table', { name: `Members of ${project}` });
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await checkView(page, 'project-members');

  const members = await callApp<{ items: { user_id: string }[] }>(app, 'listMembers', { project });
  const users = await callApp<{ items: { id: string; name: string }[] }>(app, 'listUsers');
  const outsider = users.items.find((u) => !members.items.some((m) => m.user_id === u.id) && u.name !== 'Local admin')!;
  await page.getByLabel('User', { exact: true }).selectOption(outsider.id);
  await page.getByLabel('Role', { exact: true }).selectOption('editor');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByText(`${outsider.name} was added as editor.`)).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(4);

  await page.getByLabel(`Role of ${outsider.name}`).selectOption('viewer');
  await expect(page.getByText(`${outsider.name} is now viewer.`)).toBeVisible();
  await page.getByRole('button', { name: `Remove ${outsider.name}` }).click();
  await page.getByRole('dialog', { name: `Remove ${outsider.name} from ${project}?` }).getByRole('button', { name: 'Remove member' }).click(); // members-dialogs.spec.ts
  await expect(page.getByText(`${outsider.name} is no longer a member of ${project}.`)).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(3);

  // The last owner cannot be demoted: the platform says so, and what to do.
  const owner = (await callApp<{ items: { user_id: string; name: string; role: string }[] }>(app, 'listMembers', { project })).items.find((m) => m.role === 'owner')!;
  await page.getByLabel(`Role of ${owner.name}`).selectOption('editor');
  await expect(page.getByText(/The platform refused/)).toBeVisible();
  await expect(page.getByText(/needs at least one owner/)).toBeVisible();
  await expect(page.getByLabel(`Role of ${owner.name}`)).toHaveValue('owner');

  // The local admin makes themself a viewer: the page still offers the controls (it loaded as admin),
  // and the platform refuses the next change with its own message.
  const admin = users.items.find((u) => u.name === 'Local admin')!;
  await page.getByLabel('User', { exact: true }).selectOption(admin.id);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByText('Local admin was added as viewer.')).toBeVisible();
  const someone = (await callApp<{ items: { user_id: string; name: string; role: string }[] }>(app, 'listMembers', { project })).items.find((m) => m.role === 'editor')!;
  await page.getByLabel(`Role of ${someone.name}`).selectOption('viewer');
  await expect(page.getByText(/The platform refused/)).toBeVisible();
  await expect(page.getByText(/only the project's owners and administrators can do this/)).toBeVisible();
  await expect(page.getByText(/Ask one of the project's owners/)).toBeVisible();
  await checkView(page, 'project-members-refused');

  // Reloaded, the viewer sees members and settings read-only.
  await page.reload();
  await expect(page.getByText("Only the project's owners and administrators can change its members: you can read them.")).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add member' })).toHaveCount(0);
  await tab('Settings').click();
  await expect(page.getByText("Only the project's owners and editors can change its settings: you can read them.")).toBeVisible();
  await expect(page.getByLabel('Requirements.txt')).toBeDisabled();
  await checkView(page, 'project-settings-viewer');
});

test('Delete project: a wrong name typed deletes nothing; the right name deletes it', async () => {
  const project = projects[2]!;
  await page.goto(`${base()}#/projects/${project}/settings`);
  await page.getByRole('button', { name: 'Delete project…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Delete the project ${project}?`);
  await dialog.getByLabel(/Type .* to confirm/).fill(`${project}-typo`);
  const confirm = dialog.getByRole('button', { name: 'Delete project' });
  await expect(confirm).toHaveAttribute('aria-disabled', 'true');
  await confirm.click({ force: true }); // aria-disabled: still focusable and clickable, and it says why not
  await expect(dialog.getByText(/The name does not match/)).toBeVisible();
  await checkView(page, 'project-delete-dialog', { fullPage: false });
  expect((await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name)).toContain(project);

  await dialog.getByLabel(/Type .* to confirm/).fill(project);
  await dialog.getByRole('button', { name: 'Delete project' }).click();
  await expect(page.getByText(`The project ${project} was deleted.`)).toBeVisible();
  await expect(page).toHaveURL(/#\/$/);
  expect((await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items.map((p) => p.name)).not.toContain(project);
});

test('right after a project is created, its page invites the user to create the first environment', async () => {
  await page.goto(`${base()}#/projects/new`);
  await page.getByLabel('Project name').fill('fresh-start');
  await page.getByLabel('Repository URL').fill('git@gitlab.com:acme/fresh-start.git');
  const dir = mkdtempSync(join(tmpdir(), 'craft-key-'));
  execFileSync('ssh-keygen', ['-q', '-m', 'PEM', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'id_rsa')]);
  await page.getByRole('button', { name: /Paste an existing private key/ }).click();
  await page.getByLabel('Private key').fill(readFileSync(join(dir, 'id_rsa'), 'utf8'));
  await page.getByRole('button', { name: /Use this key/ }).click();
  await expect(page.getByText(/2048 SHA256:/)).toBeVisible();
  await page.getByRole('button', { name: 'Create project' }).click();

  await expect(page).toHaveURL(/#\/projects\/fresh-start$/);
  await expect(page.getByRole('heading', { name: 'Create the first environment' })).toBeVisible();
  await checkView(page, 'project-first-environment');
  await tab('Executions').click();
  await expect(page.getByRole('link', { name: 'create the first environment' })).toBeVisible();
  await tab('Environments').click();
  await page.getByRole('button', { name: 'New environment' }).click();
  await page.getByLabel('Environment name').fill('dev');
  await page.getByRole('button', { name: /Create environment/ }).click();
  await expect(page.getByRole('table', { name: 'Environments' })).toContainText('dev');
  expect(existsSync(dir)).toBe(true);
});

test('a narrow window: no view overflows sideways', async () => {
  const project = projects[0]!;
  await page.setViewportSize({ width: 820, height: 800 });
  try {
    const execution = (await callApp<{ items: { execution_id: string }[] }>(app, 'listExecutions', { project, environment: 'production' })).items[0]!;
    for (const [name, hash] of [
      ['narrow-environments', `#/projects/${project}`],
      ['narrow-executions', `#/projects/${project}/executions`],
      ['narrow-members', `#/projects/${project}/members`],
      ['narrow-settings', `#/projects/${project}/settings`],
      ['narrow-environment', `#/projects/${project}/environments/production`],
      ['narrow-execution', `#/projects/${project}/environments/production/executions/${execution.execution_id}`],
    ] as const) {
      await page.goto(`${base()}${hash}`);
      await expect(page.locator('main h1')).toBeVisible();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test('offline: the views show what the cache holds, with the offline notice', async () => {
  const project = projects[0]!;
  // Seen once online (the earlier tests did), then the embedded platform stops.
  await callApp(app, 'setEmbeddedPlatform', { running: false });
  try {
    await page.goto(`${base()}#/projects/${project}/environments/production`);
    await expect(page.getByRole('heading', { level: 1, name: 'production' })).toBeVisible();
    await expect(page.getByText(/last synced/)).toBeVisible();
    const table = page.getByRole('table', { name: 'Executions of production' });
    await expect(table.locator('tbody tr').first()).toBeVisible();
    await expect(page.getByText(/^50 executions$/)).toBeVisible();
    await checkView(page, 'environment-offline');
  } finally {
    await callApp(app, 'setEmbeddedPlatform', { running: true });
  }
});
