// Issue 10, item 11, the desktop's side: after a password reset (here, or by mail on another
// device) the desktop's SDK token is refused; the desktop says a new token is needed and shows
// the sign-in again, never a bare "unauthorized".
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi, createHandlers, type AppApi } from './app-api.js';
import { startDesktop, type DesktopServices } from './desktop.js';
import { memoryStore } from './services/vault.js';
import { createTestPlatform, type TestPlatform } from '../platform/test-helpers.js';
import { ensureFirstAdmin } from '../platform/first-admin.js';
import { issueResetCode } from '../platform/password-reset.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';

let team: TestPlatform;
let url = '';
let desktop: DesktopServices;
let app: AppApi;

beforeAll(async () => {
  team = await createTestPlatform();
  await ensureFirstAdmin(team.context, { CRAFT_ADMIN_EMAIL: EMAIL, CRAFT_ADMIN_PASSWORD: PASSWORD });
  await team.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(team.app.server.address() as AddressInfo).port}`;
  desktop = await startDesktop({ dataDir: mkdtempSync(join(tmpdir(), 'craft-reset-')), secretStore: memoryStore() });
  app = createAppApi(createHandlers(desktop));
});

afterAll(async () => {
  await desktop?.close();
  await team?.dispose();
});

describe('the desktop after a password reset', () => {
  it('says the SDK token no longer works and asks to sign in again, on the next call and on the session', async () => {
    expect((await app.call('addConnection', { url })).ok).toBe(true);
    const signedIn = await app.call('signIn', { email: EMAIL, password: PASSWORD });
    expect(signedIn).toMatchObject({ ok: true, result: { user: { email: EMAIL } } });
    expect((await app.call('listProjects', {})).ok).toBe(true);

    const user = await team.context.db.selectFrom('users').select('id').where('email', '=', EMAIL).executeTakeFirstOrThrow();
    const code = await issueResetCode(team.context, user.id);
    expect((await team.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { code, new_password: 'a brand new password' } })).statusCode).toBe(200);

    const refused = await app.call('listProjects', {});
    expect(refused).toMatchObject({ ok: false, error: { error: 'unauthorized', message: expect.stringMatching(/SDK token .*no longer works.*sign in again/) } });
    const session = await app.call('getSession', {});
    expect(session).toMatchObject({ ok: true, result: { user: null, signed_out_reason: expect.stringMatching(/SDK token .*no longer works.*sign in again/) } });
    // Signing in again issues a new token that works.
    expect((await app.call('signIn', { email: EMAIL, password: 'a brand new password' })).ok).toBe(true);
    expect((await app.call('listProjects', {})).ok).toBe(true);
  });

  it('"I have a code": the desktop sets the new password with the code, once; a used code is refused at its field', async () => {
    const user = await team.context.db.selectFrom('users').select('id').where('email', '=', EMAIL).executeTakeFirstOrThrow();
    const code = await issueResetCode(team.context, user.id);
    expect(await app.call('resetPassword', { code: ` ${code} `, new_password: 'chosen with a code' })).toEqual({
      ok: true,
      result: { message: 'Your new password is set: sign in with it. The code is used up, and every session of your account has ended.' },
    });
    expect(await app.call('resetPassword', { code, new_password: 'chosen with a code again' })).toMatchObject({ ok: false, error: { error: 'validation', field: 'code', message: expect.stringMatching(/^code: is invalid, already used or expired: ask for a new one with "Forgot your password\?"$/) } });
    expect(await app.call('resetPassword', { code: '', new_password: 'x' })).toMatchObject({ ok: false, error: { error: 'validation', field: 'code' } });
    expect((await app.call('signIn', { email: EMAIL, password: 'chosen with a code' })).ok).toBe(true);
  });
});
