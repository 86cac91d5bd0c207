// Issue 10, item 1: every password guess (sign-in, reset code, password change) is counted
// atomically before it is checked, so a parallel burst gets no more checks than the limit, and
// a growing wait (said in the answer) replaces the lock-out anyone could cause.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, createTestPlatform, DIALECTS, type TestPlatform } from './test-helpers.js';

const FREE = 3;

describe.each(DIALECTS)('password guesses on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let url = '';
  let offset = 0; // the platform's clock, moved by the tests
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const burst = async (count: number, send: (i: number) => Promise<Response>) => {
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => send(i)));
    return Promise.all(answers.map(async (a) => ({ status: a.status, retryAfter: a.headers.get('retry-after'), body: (await a.json()) as { error: string; message: string } })));
  };
  const statuses = (answers: { status: number }[]) => answers.reduce<Record<number, number>>((n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {});

  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({
      dialect,
      now: () => new Date(Date.now() + offset),
      policy: {
        accountGuesses: { free: FREE, firstDelayMs: 60_000, maxDelayMs: 16 * 60_000 },
        addressGuesses: { free: 100, firstDelayMs: 60_000, maxDelayMs: 16 * 60_000 },
        guessesForgottenAfterSeconds: 3600,
      },
    });
    await p.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(p.app.server.address() as AddressInfo).port}`;
    await addUser(p, { email: 'grace@example.com', password: 'the right password' });
    await addUser(p, { email: 'linus@example.com', password: 'the right password' });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('40 parallel wrong passwords for one account: only the free guesses are checked, the others are told when to try again', async () => {
    const answers = await burst(40, (i) => post('/api/v1/auth/login', { email: 'grace@example.com', password: `wrong password ${i}` }));
    expect(statuses(answers)).toEqual({ 401: FREE, 429: 40 - FREE });
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body.error).toBe('rate_limited');
    expect(refused.body.message).toBe('Too many failed sign-ins: try again in 1 min');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    // The right password waits its turn too, and a burst hides none: it is refused, not checked.
    expect((await post('/api/v1/auth/login', { email: 'grace@example.com', password: 'the right password' })).status).toBe(429);
    // Another account is not slowed down by it.
    expect((await post('/api/v1/auth/login', { email: 'linus@example.com', password: 'the right password' })).status).toBe(200);
  });

  it.skipIf(skip)('a slowed-down account is never locked: the wait grows with each wrong guess, and the right password works once it is over', async () => {
    offset += 61_000;
    const second = await post('/api/v1/auth/login', { email: 'grace@example.com', password: 'still wrong password' });
    expect(second.status).toBe(401);
    const waiting = await post('/api/v1/auth/login', { email: 'grace@example.com', password: 'the right password' });
    expect(waiting.status).toBe(429);
    expect(((await waiting.json()) as { message: string }).message).toBe('Too many failed sign-ins: try again in 2 min');
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThan(60);
    offset += 121_000;
    const signedIn = await post('/api/v1/auth/login', { email: 'grace@example.com', password: 'the right password' });
    expect(signedIn.status).toBe(200);
    // Success forgets the account's guesses: the next mistakes are free again.
    for (let i = 0; i < FREE; i++) expect((await post('/api/v1/auth/login', { email: 'grace@example.com', password: `typo ${i} password` })).status).toBe(401);
    offset += 3601_000;
  });

  it.skipIf(skip)('30 parallel wrong current passwords on POST /users/me/password: only the free guesses are checked', async () => {
    const user = await addUser(p, { email: 'ken@example.com', password: 'the right password' });
    const answers = await burst(30, (i) =>
      post('/api/v1/users/me/password', { current_password: `wrong current ${i}`, new_password: 'a brand new password' }, bearer(user.access)),
    );
    expect(statuses(answers)).toEqual({ 400: FREE, 429: 30 - FREE });
    expect(answers.find((a) => a.status === 429)!.body.message).toMatch(/^Too many wrong passwords: try again in \d+ (s|min)$/);
    // Sign-in and password change guess the same password: they share the wait. Once it is over, the old password still works.
    expect((await post('/api/v1/auth/login', { email: 'ken@example.com', password: 'the right password' })).status).toBe(429);
    offset += 61_000;
    expect((await post('/api/v1/auth/login', { email: 'ken@example.com', password: 'the right password' })).status).toBe(200);
  });

  it.skipIf(skip)('40 parallel guessed reset codes from one address: only the free guesses are checked', async () => {
    const limited = await createTestPlatform({
      dialect,
      policy: { addressGuesses: { free: 5, firstDelayMs: 30_000, maxDelayMs: 60_000 } },
    });
    try {
      await limited.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(limited.app.server.address() as AddressInfo).port}`;
      const answers = await burst(40, (i) =>
        fetch(`${base}/api/v1/auth/reset-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `guessed-code-${i}-xxxxxxxx`, new_password: 'a brand new password' }) }),
      );
      expect(statuses(answers)).toEqual({ 400: 5, 429: 35 });
      expect(answers.find((a) => a.status === 429)!.body.message).toBe('Too many failed attempts from this address: try again in 30 s');
    } finally {
      await limited.dispose();
    }
  });

  it.skipIf(skip)('an address that tries many accounts is slowed down, other addresses are not', async () => {
    const limited = await createTestPlatform({ dialect, policy: { addressGuesses: { free: 10, firstDelayMs: 60_000, maxDelayMs: 60_000 } } });
    try {
      await addUser(limited, { email: 'linus@example.com', password: 'the right password' });
      const login = (email: string, ip: string) =>
        limited.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'the right password' }, remoteAddress: ip });
      for (let i = 0; i < 10; i++) expect((await login(`nobody${i}@example.com`, '10.9.9.9')).statusCode).toBe(202);
      const refused = await login('linus@example.com', '10.9.9.9');
      expect(refused.statusCode).toBe(429);
      expect(refused.json().message).toBe('Too many failed attempts from this address: try again in 1 min');
      expect((await login('linus@example.com', '10.9.9.10')).statusCode).toBe(200);
    } finally {
      await limited.dispose();
    }
  });
});
