// What operators of a team platform rely on: health and readiness probes, request ids, Prometheus metrics.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformContract } from '../domain/platform-contract.js';
import { bearer, createTestPlatform, DIALECTS, type TestPlatform } from './test-helpers.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

describe.each(DIALECTS)('operating the platform on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  beforeAll(async () => {
    if (!skip) p = await createTestPlatform({ dialect, metricsToken: METRICS_TOKEN });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('answers /healthz and, with the database migrated, /readyz', async () => {
    expect((await p.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'alive' });
    const ready = await p.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', migrations: { applied: expect.any(Number) } });
    expect(ready.json().migrations.applied).toBe(ready.json().migrations.expected);
  });

  it.skipIf(skip)('is not ready (503, saying why) when the database lacks a migration of this version', async () => {
    const [last] = (await sql<{ name: string; timestamp: string }>`SELECT name, timestamp FROM kysely_migration ORDER BY name DESC LIMIT 1`.execute(p.context.db)).rows;
    await sql`DELETE FROM kysely_migration WHERE name = ${last!.name}`.execute(p.context.db);
    try {
      const answer = await p.inject({ method: 'GET', url: '/readyz' });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ status: 'not_ready', reason: expect.stringMatching(/misses migrations/) });
    } finally {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${last!.name}, ${last!.timestamp})`.execute(p.context.db);
    }
    expect((await p.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it.skipIf(skip)('gives every answer a request id: the proxy’s when well-formed, a new one otherwise', async () => {
    const given = await p.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'nginx-4f2a9c1be07d' } });
    expect(given.headers['x-request-id']).toBe('nginx-4f2a9c1be07d');
    const fresh = await p.inject({ method: 'GET', url: '/healthz' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await p.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'evil\tline {"level":60}' } });
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.skipIf(skip)('serves Prometheus metrics only with the metrics token: requests and latency by route, errors, the pool', async () => {
    await p.inject({ method: 'GET', url: platformContract.me.path, headers: bearer(p.adminAccess) });
    await p.inject({ method: 'GET', url: '/api/v1/projects/some-project', headers: bearer(p.adminAccess) });
    expect((await p.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await p.inject({ method: 'GET', url: '/metrics', headers: bearer(p.adminAccess) })).statusCode).toBe(401);
    const answer = await p.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = answer.body;
    expect(text).toMatch(/craft_http_requests_total\{method="GET",route="\/api\/v1\/users\/me",status="200"\} 1/);
    // By route pattern, never the concrete path (one series per project name would never end).
    expect(text).toMatch(/craft_http_requests_total\{method="GET",route="\/api\/v1\/projects\/:name",status="404"\} 1/);
    expect(text).not.toContain('some-project');
    expect(text).toMatch(/craft_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/v1\/users\/me"\}/);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    if (dialect === 'postgres') expect(text).toMatch(/craft_db_pool_connections\{state="idle"\} \d+/);
  });

  it.skipIf(skip)('counts server errors, and the 500 answer names the request id to look up in the log', async () => {
    await sql`ALTER TABLE settings RENAME TO settings_away`.execute(p.context.db);
    let answer;
    try {
      answer = await p.inject({ method: 'GET', url: platformContract.getSettings.path, headers: { ...bearer(p.adminAccess), 'x-request-id': 'trace-settings-0001' } });
    } finally {
      await sql`ALTER TABLE settings_away RENAME TO settings`.execute(p.context.db);
    }
    expect(answer.statusCode).toBe(500);
    expect(answer.json().message).toMatch(/request id trace-settings-0001/);
    const text = (await p.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).body;
    expect(text).toMatch(/craft_http_server_errors_total\{method="GET",route="\/api\/v1\/settings"\} 1/);
  });
});

describe('metrics without a metrics token', () => {
  it('are off, and the answer says how to turn them on', async () => {
    const p = await createTestPlatform();
    try {
      const answer = await p.inject({ method: 'GET', url: '/metrics' });
      expect(answer.statusCode).toBe(404);
      expect(answer.json().message).toMatch(/CRAFT_METRICS_TOKEN/);
    } finally {
      await p.dispose();
    }
  });
});

describe('behind a load balancer (TRUST_PROXY)', () => {
  it('throttles sign-ins by the caller’s address from X-Forwarded-For, believed only from the trusted proxy', async () => {
    const p = await createTestPlatform({ trustProxy: '127.0.0.1', policy: { accountGuesses: { free: 100, firstDelayMs: 1, maxDelayMs: 1 }, addressGuesses: { free: 3, firstDelayMs: 60_000, maxDelayMs: 60_000 } } });
    try {
      const login = (forwardedFor: string, remoteAddress = '127.0.0.1') =>
        p.inject({ method: 'POST', url: platformContract.login.path, remoteAddress, headers: { 'x-forwarded-for': forwardedFor }, payload: { email: 'nobody@example.com', password: 'whatever it is' } });
      for (let i = 0; i < 3; i++) expect((await login('203.0.113.7')).statusCode).toBe(202);
      expect((await login('203.0.113.7')).statusCode).toBe(429);
      expect((await login('203.0.113.8')).statusCode).toBe(202); // another caller behind the same proxy
      await login('203.0.113.9', '198.51.100.1'); // not the proxy: its own address counts
      const keys = (await p.context.db.selectFrom('sign_in_attempts').select('key').execute()).map((row) => row.key);
      expect(keys).toEqual(expect.arrayContaining(['address:203.0.113.7', 'address:203.0.113.8', 'address:198.51.100.1']));
      expect(keys).not.toContain('address:203.0.113.9');
      expect(keys).not.toContain('address:127.0.0.1');
    } finally {
      await p.dispose();
    }
  });
});
