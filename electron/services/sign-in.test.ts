// Password sign-in and sign-out against a real platform listening on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { AppError } from '../../domain/errors.js';
import { createTestPlatform, type TestPlatform } from '../../platform/test-helpers.js';
import { ensureFirstAdmin } from '../../platform/first-admin.js';
import { PlatformClient } from './platform-client.js';
import { normalisePlatformUrl, signInWithPassword } from './sign-in.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';
let platform: TestPlatform;
let url = '';

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

beforeAll(async () => {
  platform = await createTestPlatform({ policy: { accountGuesses: { free: 2, firstDelayMs: 60_000, maxDelayMs: 60_000 } } });
  await ensureFirstAdmin(platform.context, { CRAFT_ADMIN_EMAIL: EMAIL, CRAFT_ADMIN_PASSWORD: PASSWORD });
  await platform.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(platform.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await platform?.dispose();
});

describe('signInWithPassword', () => {
  it('returns the user and a working SDK token, and closes the password session', async () => {
    const result = await signInWithPassword({ baseUrl: `${url}/`, email: EMAIL, password: PASSWORD });
    expect(result.user.email).toBe(EMAIL);
    expect(result.password_change_required).toBe(false);
    expect(result.sdk_token.length).toBeGreaterThan(20);
    const client = new PlatformClient({ baseUrl: url, getSdkToken: async () => result.sdk_token });
    expect((await client.call('me')).email).toBe(EMAIL);
    const open = await platform.context.db.selectFrom('sessions').select(['kind', 'revoked_at']).where('kind', '=', 'password').execute();
    expect(open.every((s) => s.revoked_at !== null)).toBe(true);
  });

  it('a second sign-in makes the previous SDK token obsolete', async () => {
    const first = await signInWithPassword({ baseUrl: url, email: EMAIL, password: PASSWORD });
    const second = await signInWithPassword({ baseUrl: url, email: EMAIL, password: PASSWORD });
    const old = new PlatformClient({ baseUrl: url, getSdkToken: async () => first.sdk_token });
    expect((await caught(old.call('me'))).code).toBe('unauthorized');
    const fresh = new PlatformClient({ baseUrl: url, getSdkToken: async () => second.sdk_token });
    expect((await fresh.call('me')).email).toBe(EMAIL);
  });

  it('a wrong password says so, without echoing it', async () => {
    const error = await caught(signInWithPassword({ baseUrl: url, email: EMAIL, password: 'not-the-password-42' }));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/email or password is wrong/);
    expect(error.message).not.toContain('not-the-password-42');
  });

  it('an unknown email is told an access request was sent', async () => {
    const error = await caught(signInWithPassword({ baseUrl: url, email: 'nobody@example.com', password: 'whatever-123456' }));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/access request/);
  });

  it('repeated failures are rate-limited with a clear message', async () => {
    let last: AppError | null = null;
    for (let i = 0; i < 6; i++) {
      last = await caught(signInWithPassword({ baseUrl: url, email: 'locked@example.com', password: `wrong-${i}-password` })).catch(() => null);
      if (last?.code === 'rate_limited') break;
    }
    // The unknown address is throttled too; fall back to a known account when needed.
    if (last?.code !== 'rate_limited') {
      for (let i = 0; i < 6; i++) {
        last = await caught(signInWithPassword({ baseUrl: url, email: EMAIL, password: `wrong-${i}-password` }));
        if (last.code === 'rate_limited') break;
      }
    }
    expect(last?.code).toBe('rate_limited');
    expect(last?.message).toBe('Too many failed sign-ins: try again in 1 min');
  });

  it('an unreachable platform is "offline"', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const error = await caught(signInWithPassword({ baseUrl: `http://127.0.0.1:${port}`, email: EMAIL, password: PASSWORD }));
    expect(error.code).toBe('offline');
    expect(error.message).toMatch(/unreachable/);
  });

  it('a malformed URL names the platform field', async () => {
    expect(() => normalisePlatformUrl('ftp://x')).toThrow(/platform: must start with https/);
    expect(() => normalisePlatformUrl('https://u:p@x')).toThrow(/user name or password/);
    expect(normalisePlatformUrl(' https://mlops.example.com/ ')).toBe('https://mlops.example.com');
  });
});

describe('signing out', () => {
  it('revokes the SDK token on the platform, with its sessions; an unknown token is already signed out', async () => {
    // A fresh platform: the previous test locked the accounts.
    const other = await createTestPlatform();
    await other.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`;
      const client = new PlatformClient({ baseUrl: base, getSdkToken: async () => other.adminSdkToken });
      await client.call('me');
      await client.revokeSdkToken();
      const sessions = await other.context.db.selectFrom('sessions').select(['kind', 'revoked_at']).where('kind', '=', 'sdk').execute();
      expect(sessions.every((s) => s.revoked_at !== null)).toBe(true);
      const refused = await fetch(`${base}/api/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: other.adminSdkToken }) });
      expect(refused.status).toBe(401);
      await new PlatformClient({ baseUrl: base, getSdkToken: async () => 'not-a-token-at-all' }).revokeSdkToken();
    } finally {
      await other.dispose();
    }
  });
});
