// Onboarding on a team platform without a mail server: the admin adds a user in the Users view and is
// shown the one-time invitation code (with its expiry) to hand over; "Resend invitation" issues a new
// one; the invited user chooses a password with it on the sign-in ("Forgot your password?" → "I have a
// code", issue 15 item 1) and signs in to the app.
import { test, expect } from '@playwright/test';
import { startBrowserMode, filesContaining, type BrowserMode } from './browser-mode.js';
import { addTeamConnection, startTeamPlatform, type TeamPlatform } from './team-platform.js';
import { shotLightAndDark } from './shots.js';

let app: BrowserMode | undefined;
let team: TeamPlatform | undefined;

test.afterEach(async () => {
  await app?.stop();
  await team?.stop();
});

test('without a mail server the admin hands over the invitation code, and the invited user signs in with it', async ({ page }) => {
  team = await startTeamPlatform();
  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();

  // The admin connects to the team platform and signs in.
  await addTeamConnection(page, team.url, 'Acme team');
  await page.getByLabel('Email').fill(team.admin.email);
  await page.getByLabel('Password').fill(team.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Parameters' }).click();

  // Add a user: no mail can go out, so the code is shown, once, with its expiry.
  const users = page.locator('#section-users');
  await users.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add user' });
  await dialog.getByLabel('Name').fill('Katherine Johnson');
  await dialog.getByLabel('Email').fill('katherine@team.test');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(users.getByText('Katherine Johnson was added: hand them the invitation code below.')).toBeVisible();
  const handover = users.getByRole('region', { name: 'Invitation code for Katherine Johnson' });
  await expect(handover).toContainText('This platform has no mail server, so no mail was sent.');
  await expect(handover).toContainText(/It works once, until/);
  await expect(handover.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
  const first = (await handover.locator('code').textContent())!.trim();
  expect(first).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  await shotLightAndDark(page, 'users-invitation-code');

  // The row says the user is invited; "Resend invitation" gives a new code and the first one stops working.
  const row = users.getByRole('row').filter({ hasText: 'katherine@team.test' });
  await expect(row).toContainText('invited');
  await row.getByRole('button', { name: 'Resend invitation to Katherine Johnson' }).click();
  await expect(users.getByText('A new invitation code for Katherine Johnson is below; the previous code no longer works.')).toBeVisible();
  await expect(handover.locator('code')).not.toHaveText(first);
  const second = (await handover.locator('code').textContent())!.trim();
  await handover.getByRole('button', { name: 'Done' }).click();
  await expect(handover).toHaveCount(0);
  // The code is shown once: neither the page nor the desktop's cache keeps it.
  await page.reload();
  await expect(users.getByRole('cell', { name: 'katherine@team.test' })).toBeVisible();
  await expect(page.getByText(second)).toHaveCount(0);
  expect(filesContaining(app.dataDir, second)).toEqual([]);

  // Katherine's side, in the app: "Forgot your password?" → "I have a code". The first code is refused at its field, the second sets her password.
  await page.getByRole('button', { name: /account menu/ }).click();
  await page.getByRole('menu', { name: 'Account' }).getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('button', { name: 'Forgot your password?' }).click();
  await page.getByRole('button', { name: 'I have a code' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expect(page.getByLabel('Code')).toBeFocused();
  await page.getByLabel('Code').fill(first);
  await page.getByLabel('New password', { exact: true }).fill('katherine chose this');
  await page.getByLabel('Repeat new password').fill('katherine chose that');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByText('Repeat the new password exactly: the two do not match')).toBeVisible();
  await expect(page.getByLabel('Repeat new password')).toBeFocused();
  await page.getByLabel('Repeat new password').fill('katherine chose this');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByText(/^Code is invalid, already used or expired: ask for a new one with "Forgot your password\?"$/)).toBeVisible();
  await shotLightAndDark(page, 'invitation-code-refused');
  await page.getByLabel('Code').fill(` ${second} `);
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Your new password is set: sign in with it.', { exact: false })).toBeVisible();
  await shotLightAndDark(page, 'invitation-password-set');

  // She signs in to the app.
  await page.getByLabel('Email').fill('katherine@team.test');
  await page.getByLabel('Password').fill('katherine chose this');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: /Katherine Johnson/ })).toBeVisible();
  await expect(page.locator('#section-account')).toContainText('katherine@team.test');
  await expect(page.locator('#section-users')).toHaveCount(0);
});
