// axe-core on every view of the shell: Homepage, New project, Parameters (every section, on
// the embedded and on a team connection), Sign in (with its refusal and reset modes), the
// header menus and the Add connection dialog — in the light and the dark theme. No
// violation of impact serious or critical is allowed.
import { test, expect, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';
import { startTeamPlatform, type TeamPlatform } from './team-platform.js';

let app: BrowserMode | undefined;
let team: TeamPlatform | undefined;

test.afterEach(async () => {
  await app?.stop();
  await team?.stop();
});

async function audit(page: Page, view: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
    expect(serious, `${view} (${colorScheme})`).toEqual([]);
    const slug = view.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    await page.screenshot({ path: test.info().outputPath(`${slug}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('no serious or critical axe violation on the shell, sign-in and Parameters views', async ({ page }) => {
  // Eleven views audited twice (light, dark) with full-page screenshots: a long walk, which a busy
  // two-core machine stretches past the default 120 s. Not a speed goal; only room to finish.
  test.setTimeout(360_000);
  team = await startTeamPlatform();
  app = await startBrowserMode();
  await page.goto(app.appUrl);

  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await expect(page.getByText('No projects yet')).toBeVisible();
  await audit(page, 'Homepage');

  await page.getByRole('button', { name: /^Connection:/ }).click();
  await expect(page.getByRole('menu', { name: 'Connections' })).toBeVisible();
  await audit(page, 'Connections menu');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);

  await page.getByRole('button', { name: 'New project' }).first().click();
  await expect(page.getByRole('heading', { name: 'New project' })).toBeVisible();
  await audit(page, 'New project');

  await page.getByRole('link', { name: 'Parameters' }).click();
  await expect(page.getByRole('heading', { name: 'Parameters' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect(page.locator('#section-access')).not.toContainText('Loading');
  await audit(page, 'Parameters (embedded)');

  await page.locator('#section-connections').getByRole('button', { name: 'Add connection' }).click();
  const add = page.getByRole('dialog', { name: 'Add connection' });
  await add.getByLabel('Platform URL').fill('nope');
  await add.getByRole('button', { name: 'Add connection' }).click();
  await expect(add.getByText(/Platform URL must be a URL/)).toBeVisible();
  await audit(page, 'Add connection dialog');
  await add.getByLabel('Platform URL').fill(team.url);
  await add.getByRole('button', { name: 'Add connection' }).click();

  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await audit(page, 'Sign in');
  await page.getByLabel('Email').fill(team.admin.email);
  await page.getByLabel('Password').fill('wrong password, surely');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Wrong email or password')).toBeVisible();
  await audit(page, 'Sign in refused');
  await page.getByRole('button', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await audit(page, 'Reset password');
  await page.getByRole('button', { name: 'Back to sign in' }).click();

  await page.getByLabel('Email').fill(team.admin.email);
  await page.getByLabel('Password').fill(team.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: /account menu/ })).toBeVisible();
  await page.getByRole('button', { name: /account menu/ }).click();
  await expect(page.getByRole('menu', { name: 'Account' })).toBeVisible();
  await audit(page, 'Account menu');
  await page.getByRole('menuitem', { name: 'Parameters' }).click();
  await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await page.locator('#section-account').getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Current password is required')).toBeVisible();
  await expect(page.locator('#section-access')).not.toContainText('Loading');
  await audit(page, 'Parameters (team, admin)');
});
