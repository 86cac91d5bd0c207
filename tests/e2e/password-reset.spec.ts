// A forgotten password, finished in the app (issue 15, item 1): the sign-in's "Forgot your password?"
// mails a code; "I have a code" takes it with the new password (twice); the mail names the very
// buttons the screen shows. Against a team platform that sends its mail to a real SMTP server here.
import { test, expect } from '@playwright/test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';
import { addTeamConnection, startTeamPlatform, type TeamPlatform } from './team-platform.js';
import { shotLightAndDark } from './shots.js';
import { mailedCode, startMailCatcher } from '../../platform/test-helpers.js';

let app: BrowserMode | undefined;
let team: TeamPlatform | undefined;
let mail: Awaited<ReturnType<typeof startMailCatcher>> | undefined;

test.afterEach(async () => {
  await app?.stop();
  await team?.stop();
  await mail?.close();
});

/** The mail's body, its soft line breaks (quoted-printable) joined. */
const bodyOf = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=E2=80=9C|=E2=80=9D/g, '"').replace(/=E2=86=92/g, '→');

test('a user who forgot their password gets a code by mail, enters it with a new password in the app, and signs in', async ({ page }) => {
  mail = await startMailCatcher();
  team = await startTeamPlatform(undefined, { env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mail.port), SMTP_FROM: 'Craft MLOps <noreply@team.test>' } });
  const grace = await team.api<{ id: string }>('POST', '/users', { name: 'Grace Hopper', email: 'grace@team.test', role: 'member' });
  expect(grace.status).toBe(201);
  // The invitation mail says where its code goes, in the screen's own words.
  const invitation = bodyOf((await mail.waitFor('grace@team.test')).raw);
  expect(invitation).toContain('In the app: on the sign-in, "Forgot your password?" → "I have a code", then your code and your new password.');
  await team.logout();
  // The invitation was mailed a while ago (a new code goes out at most once a minute per account).
  const db = new Database(join(team.dataDir, 'platform.sqlite'));
  db.prepare("UPDATE password_resets SET created_at = ? WHERE user_id = ?").run(new Date(Date.now() - 5 * 60_000).toISOString(), grace.data.id);
  db.close();

  app = await startBrowserMode();
  await page.goto(app.appUrl);
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await addTeamConnection(page, team.url, 'Acme team');

  // "Forgot your password?": the email, then "Check your mail" — a code, not a link.
  await page.getByRole('button', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await page.getByLabel('Email').fill('grace@team.test');
  await page.getByRole('button', { name: 'Send the code' }).click();
  await expect(page.getByText('Check your mail')).toBeVisible();
  await expect(page.getByText(/a mail with a code to choose a new password was sent to it/)).toBeVisible();
  await expect(page.getByText(/link/)).toHaveCount(0);
  await shotLightAndDark(page, 'reset-check-your-mail');

  // The reset mail: its code, and the same words as the screen.
  const resetMail = await mail.waitFor('grace@team.test', 2);
  expect(bodyOf(resetMail.raw)).toContain('In the app: on the sign-in, "Forgot your password?" → "I have a code", then this code and your new password.');
  const code = mailedCode(resetMail);

  await expect(page.getByRole('button', { name: 'I have a code' })).toBeFocused();
  await page.getByRole('button', { name: 'I have a code' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  // Each field names its rule before anything is sent.
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByText('Code is required: use the code from the mail')).toBeVisible();
  await expect(page.getByLabel('Code')).toBeFocused();
  await page.getByLabel('Code').fill(code);
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByText(/^New password must be at least \d+ characters/)).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill('grace chose a new one');
  await page.getByLabel('Repeat new password').fill('grace chose a new one');
  await shotLightAndDark(page, 'reset-i-have-a-code');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Your new password is set: sign in with it.', { exact: false })).toBeVisible();
  // The email is still there: the password field is next.
  await expect(page.getByLabel('Email')).toHaveValue('grace@team.test');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.getByLabel('Password').fill('grace chose a new one');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: /Grace Hopper/ })).toBeVisible();
});
