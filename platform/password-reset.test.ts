// Issue 10, item 11: a password reset ends every way in that the old password may have opened —
// password sessions, and the SDK token with its sessions — at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueResetCode } from './password-reset.js';
import { addUser, bearer, createTestPlatform, DIALECTS, type TestPlatform } from './test-helpers.js';

describe.each(DIALECTS)('a password reset on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('ends the SDK token and every session it opened: the old token is refused at once', async () => {
    const user = await addUser(p, { email: 'grace@example.com', password: 'the old password' });
    const sdkToken = (await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: bearer(user.access) })).json().sdk_token as string;
    const sdkAccess = (await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: sdkToken } })).json().access_token as string;
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(sdkAccess) })).statusCode).toBe(200);

    const code = await issueResetCode(p.context, user.id);
    expect((await p.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { code, new_password: 'a brand new password' } })).statusCode).toBe(200);

    const refreshed = await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: sdkToken } });
    expect(refreshed.statusCode).toBe(401);
    expect(refreshed.json().field).toBe('refresh_token');
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(sdkAccess) })).statusCode).toBe(401);
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(user.access) })).statusCode).toBe(401);
    const open = await p.context.db.selectFrom('sessions').select('kind').where('user_id', '=', user.id).where('revoked_at', 'is', null).execute();
    expect(open).toEqual([]);
  });
});
