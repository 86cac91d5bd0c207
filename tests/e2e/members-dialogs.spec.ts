// Members and dialogs, as a user relies on them: "Remove" asks first and then offers to undo;
// Enter in a typed-name deletion confirms it (the name still has to match); the lockout after
// failed sign-ins is said once.
import { test, expect, type Page } from '@playwright/test';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';
import { callApp, checkView, startSeededApp } from './seeded-app.js';
import { startTeamPlatform } from './team-platform.js';

let app: BrowserMode;
let page: Page;
let project: string;
const base = () => app.appUrl.replace(/\?.*$/, '');

test.describe('on a seeded platform', () => {
  test.describe.configure({ mode: 'serial' });

  test.beforeAll(async ({ browser }) => {
    app = await startSeededApp({ projects: 1, executions: 20 });
    page = await (await browser.newContext()).newPage();
    await page.goto(app.appUrl);
    await expect(page.locator('a[href^="#/projects/"]:not([href="#/projects/new"])').first()).toBeVisible({ timeout: 30_000 });
    project = (await callApp<{ items: { name: string }[] }>(app, 'listProjects')).items[0]!.name;
  });

  test.afterAll(async () => {
    await page?.context().close();
    await app?.stop();
  });

  test('Remove a member asks first: Cancel keeps them; once removed, Undo adds them back with their role', async () => {
    await page.goto(`${base()}#/projects/${project}/members`);
    const table = page.getByRole('table', { name: `Members of ${project}` });
    await expect(table.locator('tbody tr')).toHaveCount(3);
    const members = (await callApp<{ items: { user_id: string; name: string; email: string; role: string }[] }>(app, 'listMembers', { project })).items;
    const member = members.find((m) => m.role !== 'owner')!;
    const listed = async () => (await callApp<{ items: { user_id: string; role: string }[] }>(app, 'listMembers', { project })).items;

    await page.getByRole('button', { name: `Remove ${member.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove ${member.name} from ${project}?` });
    await expect(dialog).toContainText(`${member.name} (${member.email}) loses access to ${project} at once`);
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused(); // Enter at once removes nobody
    await checkView(page, 'member-remove-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(table.locator('tbody tr')).toHaveCount(3);
    expect((await listed()).map((m) => m.user_id)).toContain(member.user_id);

    await page.getByRole('button', { name: `Remove ${member.name}` }).click();
    await dialog.getByRole('button', { name: 'Remove member' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(`${member.name} is no longer a member of ${project}.`)).toBeVisible();
    await expect(table.locator('tbody tr')).toHaveCount(2);
    expect((await listed()).map((m) => m.user_id)).not.toContain(member.user_id);
    await checkView(page, 'member-removed-undo');

    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(page.getByText(`${member.name} is a member of ${project} again, as ${member.role}.`)).toBeVisible();
    await expect(table.locator('tbody tr')).toHaveCount(3);
    expect((await listed()).find((m) => m.user_id === member.user_id)?.role).toBe(member.role);
    await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  });

  test('Enter in a typed-name deletion confirms it: a wrong name deletes nothing, the right one deletes', async () => {
    await callApp(app, 'createEnvironment', { project, environment: { name: 'scratch' } });
    await page.goto(`${base()}#/projects/${project}/environments/scratch`);
    await expect(page.getByRole('heading', { level: 1, name: 'scratch' })).toBeVisible();
    await page.getByRole('button', { name: 'Delete environment…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the environment scratch?' });
    const name = dialog.getByLabel(/Type .* to confirm/);
    await name.fill('scratc');
    await name.press('Enter');
    await expect(dialog.getByText('The name does not match: type scratch exactly.')).toBeVisible();
    await expect(dialog).toBeVisible();
    const names = async () => (await callApp<{ items: { name: string }[] }>(app, 'listEnvironments', { project })).items.map((e) => e.name);
    expect(await names()).toContain('scratch');
    await name.fill('scratch');
    await name.press('Enter');
    await expect(page.getByText('The environment scratch was deleted.')).toBeVisible();
    expect(await names()).not.toContain('scratch');
  });
});

test('after repeated failed sign-ins the wait is said once: "Too many failed sign-ins: try again in …"', async ({ page: signInPage }) => {
  const team = await startTeamPlatform();
  const desktop = await startBrowserMode();
  try {
    await signInPage.goto(desktop.appUrl);
    await expect(signInPage.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
    await signInPage.getByRole('button', { name: /^Connection:/ }).click();
    await signInPage.getByRole('menu', { name: 'Connections' }).getByRole('menuitem', { name: 'Add connection' }).click();
    const add = signInPage.getByRole('dialog', { name: 'Add connection' });
    await add.getByLabel('Platform URL').fill(team.url);
    await add.getByLabel('Name').fill('Acme team');
    await add.getByRole('button', { name: 'Add connection' }).click();
    const alert = signInPage.getByRole('alert');
    for (let i = 0; i < 12 && !/Too many/.test((await alert.allTextContents()).join(' ')); i++) {
      await signInPage.getByLabel('Email').fill(team.admin.email);
      await signInPage.getByLabel('Password').fill(`wrong password ${i}`);
      await signInPage.getByRole('button', { name: 'Sign in' }).click();
      await expect(alert).toBeVisible();
    }
    await expect(alert).toHaveText(/^Not yet\s*Too many failed sign-ins: try again in \d+ (s|min)\s*$/);
    await expect(signInPage.getByText(/Too many failed/)).toHaveCount(1);
    expect(((await signInPage.locator('body').textContent()) ?? '').match(/try again/g)).toHaveLength(1);
    await signInPage.screenshot({ path: test.info().outputPath('sign-in-lockout.png') });
  } finally {
    await desktop.stop();
    await team.stop();
  }
});
