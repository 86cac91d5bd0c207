// Onboarding without a mail server: the admin is shown the new user's one-time invitation code (once,
// in the answer) to hand over; "resend invitation" issues a new one. With a mail server it is mailed.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformContract, endpointPath } from '../domain/platform-contract.js';
import { hashToken } from './secrets.js';
import { bearer, createTestPlatform, DIALECTS, mailedCode, startMailCatcher, type TestPlatform } from './test-helpers.js';

const PASSWORD = 'a long enough password';

async function chooseAndSignIn(p: TestPlatform, code: string, email: string) {
  const reset = await p.inject({ method: 'POST', url: platformContract.resetPassword.path, payload: { code, new_password: PASSWORD } });
  const login = await p.inject({ method: 'POST', url: platformContract.login.path, payload: { email, password: PASSWORD } });
  return { reset: reset.statusCode, login: login.statusCode };
}

describe.each(DIALECTS)('invitations without a mail server on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  beforeAll(async () => {
    if (!skip) p = await createTestPlatform({ dialect });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  const admin = () => bearer(p.adminAccess);

  it.skipIf(skip)('answers the new user with their invitation code and its expiry, once; with it the user chooses a password and signs in', async () => {
    const before = Date.now();
    const created = await p.inject({ method: 'POST', url: platformContract.createUser.path, headers: admin(), payload: { name: 'Ada Lovelace', email: 'ada@example.com' } });
    expect(created.statusCode).toBe(201);
    const { invitation, ...user } = created.json();
    expect(user).toMatchObject({ email: 'ada@example.com', invitation_pending: true });
    expect(invitation).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/), expires_at: expect.any(String), reason: 'no_mail_server' });
    const lifetime = Date.parse(invitation.expires_at) - before;
    expect(lifetime).toBeGreaterThan(23 * 3600_000);
    expect(lifetime).toBeLessThanOrEqual(24 * 3600_000 + 60_000);

    // Stored hashed only, and never shown again.
    const stored = await p.context.db.selectFrom('password_resets').select('code_hash').where('user_id', '=', user.id).execute();
    expect(stored.map((row) => row.code_hash)).toEqual([hashToken(invitation.code)]);
    const listed = (await p.inject({ method: 'GET', url: platformContract.listUsers.path, headers: admin() })).json();
    expect(JSON.stringify(listed)).not.toContain(invitation.code);
    expect(listed.items.find((u: { id: string }) => u.id === user.id)).toMatchObject({ invitation_pending: true });

    expect(await chooseAndSignIn(p, invitation.code, 'ada@example.com')).toEqual({ reset: 200, login: 200 });
    expect(await chooseAndSignIn(p, invitation.code, 'ada@example.com')).toMatchObject({ reset: 400 }); // single use
    const after = (await p.inject({ method: 'GET', url: endpointPath(platformContract.getUser, { id: user.id }), headers: admin() })).json();
    expect(after.invitation_pending).toBe(false);
    // Signed in once: no more invitations, the password reset is the way now.
    const again = await p.inject({ method: 'POST', url: endpointPath(platformContract.resendInvitation, { id: user.id }), headers: admin() });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ field: 'id', message: expect.stringMatching(/already signed in.*Forgot your password/) });
  });

  it.skipIf(skip)('"resend invitation" issues a new code and the previous one stops working', async () => {
    const created = (await p.inject({ method: 'POST', url: platformContract.createUser.path, headers: admin(), payload: { name: 'Grace Hopper', email: 'grace@example.com' } })).json();
    const resent = await p.inject({ method: 'POST', url: endpointPath(platformContract.resendInvitation, { id: created.id }), headers: admin() });
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ user: { id: created.id, invitation_pending: true }, invitation: { reason: 'no_mail_server' } });
    const fresh = resent.json().invitation.code as string;
    expect(fresh).not.toBe(created.invitation.code);
    expect(await chooseAndSignIn(p, created.invitation.code, 'grace@example.com')).toMatchObject({ reset: 400, login: 401 });
    expect(await chooseAndSignIn(p, fresh, 'grace@example.com')).toEqual({ reset: 200, login: 200 });
  });

  it.skipIf(skip)('approving an access request answers the invitation code too', async () => {
    await p.inject({ method: 'POST', url: platformContract.requestAccess.path, payload: { email: 'hedy@example.com', name: 'Hedy Lamarr' } });
    const [request] = (await p.inject({ method: 'GET', url: platformContract.listAccessRequests.path, headers: admin() })).json().items;
    const approved = await p.inject({ method: 'POST', url: endpointPath(platformContract.approveAccessRequest, { id: request.id }), headers: admin(), payload: {} });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ user: { email: 'hedy@example.com', invitation_pending: true }, invitation: { reason: 'no_mail_server' } });
    expect(await chooseAndSignIn(p, approved.json().invitation.code, 'hedy@example.com')).toEqual({ reset: 200, login: 200 });
  });

  it.skipIf(skip)('refuses a resend for an unknown user, and to members', async () => {
    expect((await p.inject({ method: 'POST', url: endpointPath(platformContract.resendInvitation, { id: 'nobody' }), headers: admin() })).statusCode).toBe(404);
    const member = await p.inject({ method: 'POST', url: platformContract.login.path, payload: { email: 'ada@example.com', password: PASSWORD } });
    const asMember = await p.inject({ method: 'POST', url: endpointPath(platformContract.resendInvitation, { id: 'nobody' }), headers: bearer(member.json().access_token) });
    expect(asMember.statusCode).toBe(403);
  });
});

describe('invitations with a mail server', () => {
  it('mails the code and keeps it out of the answer; when the mail fails, the answer carries it and says so', async () => {
    const mail = await startMailCatcher();
    const p = await createTestPlatform({ mail: { host: '127.0.0.1', port: mail.port, from: 'Craft <noreply@craft.test>' } });
    // A port nothing listens on: the mail cannot be sent.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const broken = await createTestPlatform({ mail: { host: '127.0.0.1', port: closed, from: 'Craft <noreply@craft.test>' } });
    try {
      const created = await p.inject({ method: 'POST', url: platformContract.createUser.path, headers: bearer(p.adminAccess), payload: { name: 'Ada', email: 'ada@example.com' } });
      expect(created.statusCode).toBe(201);
      expect(created.json().invitation).toBeUndefined();
      const mailed = await mail.waitFor('ada@example.com');
      expect(mailed.raw).toMatch(/valid 24 hours/);
      expect(await chooseAndSignIn(p, mailedCode(mailed), 'ada@example.com')).toEqual({ reset: 200, login: 200 });

      const unsent = await broken.inject({ method: 'POST', url: platformContract.createUser.path, headers: bearer(broken.adminAccess), payload: { name: 'Bob', email: 'bob@example.com' } });
      expect(unsent.statusCode).toBe(201);
      expect(unsent.json().invitation).toMatchObject({ reason: 'mail_failed', code: expect.any(String) });
      expect(await chooseAndSignIn(broken, unsent.json().invitation.code, 'bob@example.com')).toEqual({ reset: 200, login: 200 });
    } finally {
      await p.dispose();
      await broken.dispose();
      await mail.close();
    }
  });
});
