// No secret in the logs: with request logging on, sign in, exchange tokens, create a project, fail validations.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, createTestPlatform, rsaPrivateKey, validProject, type TestPlatform } from './test-helpers.js';

describe('platform logs', () => {
  let p: TestPlatform;
  let log = '';
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk) => (log += chunk));
    p = await createTestPlatform({ logger: true, logStream: stream });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it('logs requests without tokens, passwords, keys or bodies', async () => {
    await addUser(p, { email: 'ada@example.com', password: 'correct horse battery' });
    const login = await p.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ada@example.com', password: 'correct horse battery' } });
    const access = login.json().access_token as string;
    const sdk = (await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: bearer(access) })).json().sdk_token as string;
    await p.inject({ method: 'POST', url: `/api/v1/auth/refresh?token=${sdk}`, payload: { refresh_token: sdk } });
    await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(access), payload: validProject() });
    await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(access), payload: validProject({ name: 'Bad Name' }) });
    await p.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ada@example.com', password: 'wrong password!!' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log).toContain('"statusCode":201'); // it did log
    for (const secret of ['correct horse battery', 'wrong password!!', access, sdk, rsaPrivateKey().split('\n')[1]!, 'PRIVATE KEY', p.adminSdkToken]) {
      expect(log.includes(secret), `log contains ${secret.slice(0, 16)}…`).toBe(false);
    }
  });

  it('writes JSON lines, each request’s lines under one request id (the proxy’s X-Request-Id when it sends one)', async () => {
    log = '';
    await p.inject({ method: 'GET', url: '/api/v1/users/me?token=secret-in-query', headers: { ...bearer(p.adminAccess), 'x-request-id': 'nginx-0a1b2c3d4e5f' } });
    await p.inject({ method: 'GET', url: '/healthz' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = log.trim().split('\n').map((line) => JSON.parse(line) as { request_id?: string; msg: string; req?: { url: string } });
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line.request_id).toEqual(expect.any(String));
    const traced = lines.filter((line) => line.request_id === 'nginx-0a1b2c3d4e5f');
    expect(traced.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(traced[0]!.req!.url).toBe('/api/v1/users/me');
    expect(new Set(lines.map((line) => line.request_id)).size).toBe(2);
    expect(log).not.toContain('secret-in-query');
    expect(log).not.toContain(p.adminAccess);
  });
});
