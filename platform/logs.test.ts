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
});
