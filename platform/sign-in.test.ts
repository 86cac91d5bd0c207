// Issue 3: sign-in hardening, sessions that expire, forgotten passwords by mail, first connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, createTestPlatform, DIALECTS, mailedCode, startMailCatcher, type TestPlatform } from './test-helpers.js';

describe.each(DIALECTS)('sign-in on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let mail: Awaited<ReturnType<typeof startMailCatcher>>;
  let offset = 0; // the platform's clock, moved by the tests
  const login = (email: string, password: string, ip = '10.0.0.1') =>
    p.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });

  beforeAll(async () => {
    if (skip) return;
    mail = await startMailCatcher();
    p = await createTestPlatform({
      dialect,
      mail: { host: '127.0.0.1', port: mail.port, from: 'noreply@craft.test' },
      now: () => new Date(Date.now() + offset),
    });
    await addUser(p, { email: 'grace@example.com', password: 'the right password' });
    await addUser(p, { email: 'linus@example.com', password: 'the right password' });
  });
  afterAll(async () => {
    await p?.dispose();
    await mail?.close();
  });

  it.skipIf(skip)('counts wrong guesses in the database, shared by every process (throttling itself: login-throttle.test.ts)', async () => {
    expect((await login('grace@example.com', 'wrong password!!', '10.9.9.9')).statusCode).toBe(401);
    const rows = await p.context.db.selectFrom('sign_in_attempts').selectAll().execute();
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['account:grace@example.com', 'address:10.9.9.9']));
  });

  it.skipIf(skip)('sessions expire even when their access token is still fresh', async () => {
    const ok = await login('linus@example.com', 'the right password', '10.0.0.3');
    const access = ok.json().access_token;
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(access) })).statusCode).toBe(200);
    await p.context.db.updateTable('sessions').set({ expires_at: new Date(Date.now() + offset - 1000).toISOString() }).execute();
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(access) })).statusCode).toBe(401);
    offset += 3601_000;
    const fresh = (await login('linus@example.com', 'the right password', '10.0.0.3')).json().access_token;
    offset += 3601_000; // the JWT itself expires after an hour
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(fresh) })).statusCode).toBe(401);
  });

  it.skipIf(skip)('forgot password: same answer for known and unknown emails; the mailed code works once and expires', async () => {
    const known = await p.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: 'grace@example.com' } });
    const unknown = await p.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: 'ghost@example.com' } });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    const code = mailedCode(await mail.waitFor('grace@example.com'));
    expect(mail.mails.some((m) => m.to.includes('ghost@example.com'))).toBe(false);
    const stored = await p.context.db.selectFrom('password_resets').select('code_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(code);
    const short = await p.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { code, new_password: 'short' } });
    expect(short.json()).toMatchObject({ error: 'validation', field: 'new_password' });
    const reset = await p.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { code, new_password: 'a brand new password' } });
    expect(reset.statusCode).toBe(200);
    const again = await p.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { code, new_password: 'another new password' } });
    expect(again.statusCode).toBe(400);
    expect(again.json().field).toBe('code');
    expect((await login('grace@example.com', 'a brand new password', '10.0.0.4')).statusCode).toBe(200);

    offset += 120_000;
    await p.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: 'grace@example.com' } });
    const late = mailedCode(await mail.waitFor('grace@example.com', 2));
    offset += 3600_000; // codes expire within the hour
    expect((await p.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { code: late, new_password: 'too late password' } })).statusCode).toBe(400);
  });

  it.skipIf(skip)('an unknown person signing in is told their request was sent; an admin approves it and the new user is mailed', async () => {
    p.adminAccess = (await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: p.adminSdkToken } })).json().access_token;
    const first = await login('newcomer@example.com', 'any password at all', '10.0.0.5');
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ access_request: 'sent', message: expect.stringMatching(/request was sent/) });
    await login('newcomer@example.com', 'any password at all', '10.0.0.5'); // no duplicate request
    await p.inject({ method: 'POST', url: '/api/v1/access-requests', payload: { email: 'other@example.com', name: 'Other' }, remoteAddress: '10.0.0.6' });
    expect((await p.inject({ method: 'GET', url: '/api/v1/access-requests', headers: bearer((await addUser(p, { email: 'm@example.com' })).access) })).statusCode).toBe(403);
    const pending = (await p.inject({ method: 'GET', url: '/api/v1/access-requests', headers: bearer(p.adminAccess) })).json().items;
    expect(pending.map((r: { email: string }) => r.email)).toEqual(expect.arrayContaining(['newcomer@example.com', 'other@example.com']));
    expect(pending.filter((r: { email: string }) => r.email === 'newcomer@example.com')).toHaveLength(1);
    const newcomer = pending.find((r: { email: string }) => r.email === 'newcomer@example.com');
    const other = pending.find((r: { email: string }) => r.email === 'other@example.com');
    const approved = await p.inject({ method: 'POST', url: `/api/v1/access-requests/${newcomer.id}/approve`, headers: bearer(p.adminAccess), payload: {} });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().user).toMatchObject({ email: 'newcomer@example.com', role: 'member' });
    const code = mailedCode(await mail.waitFor('newcomer@example.com'));
    expect((await p.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { code, new_password: 'welcome aboard friend' } })).statusCode).toBe(200);
    expect((await login('newcomer@example.com', 'welcome aboard friend', '10.0.0.7')).statusCode).toBe(200);
    expect((await p.inject({ method: 'POST', url: `/api/v1/access-requests/${other.id}/decline`, headers: bearer(p.adminAccess) })).json().request.status).toBe('declined');
    expect((await p.inject({ method: 'POST', url: `/api/v1/access-requests/${other.id}/approve`, headers: bearer(p.adminAccess), payload: {} })).statusCode).toBe(409);
    const left = (await p.inject({ method: 'GET', url: '/api/v1/access-requests', headers: bearer(p.adminAccess) })).json().items;
    expect(left.map((r: { email: string }) => r.email)).not.toContain('other@example.com');
  });
});
