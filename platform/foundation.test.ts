// Issue 2: the calls the desktop's first flow makes, and every refusal it promises.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { addUser, bearer, createTestPlatform, DIALECTS, rsaPrivateKey, validProject, type TestPlatform } from './test-helpers.js';

describe.each(DIALECTS)('foundation API on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  beforeAll(async () => {
    if (!skip) p = await createTestPlatform({ dialect });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  const projectCount = async () => Number((await p.context.db.selectFrom('projects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it.skipIf(skip)('exchanges the SDK token for a JWT with sub, sid, iat and exp, and answers /users/me', async () => {
    const claims = decodeJwt(p.adminAccess);
    expect(claims.sub).toEqual(expect.any(String));
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
    const me = await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(p.adminAccess) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ id: claims.sub, name: 'Local admin', email: 'admin@localhost', role: 'admin', created_at: expect.stringMatching(/Z$/) });
    const card = await p.inject({ method: 'GET', url: `/api/v1/users/${claims.sub}`, headers: bearer(p.adminAccess) });
    expect(card.json()).toMatchObject({ id: claims.sub, name: 'Local admin', email: 'admin@localhost' });
  });

  it.skipIf(skip)('refuses calls without a valid access token', async () => {
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode).toBe(401);
    const bad = await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer('nope') });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toBe('unauthorized');
  });

  it.skipIf(skip)('creates a project, lists it and returns it, without ever returning the private key', async () => {
    const key = rsaPrivateKey();
    const created = await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(p.adminAccess), payload: validProject({ system_dependencies: ['libgomp1'] }) });
    expect(created.statusCode).toBe(201);
    const project = created.json();
    expect(project).toMatchObject({
      name: 'churn-model',
      python_version: '3.12',
      folders: ['/'],
      default_branch: '',
      system_dependencies: ['libgomp1'],
      role: 'owner',
      environment_count: 0,
      last_execution_status: null,
    });
    expect(project.deploy_key_public).toMatch(/^ssh-rsa AAAA/);
    expect(project.deploy_key_fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(project).not.toHaveProperty('deploy_key');
    const list = await p.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(p.adminAccess) });
    expect(list.json().items.map((x: { name: string }) => x.name)).toEqual(['churn-model']);
    const one = await p.inject({ method: 'GET', url: '/api/v1/projects/churn-model', headers: bearer(p.adminAccess) });
    expect(one.json()).toEqual(project);
    const body = key.split('\n').slice(1, -2).join('');
    for (const answer of [created, list, one]) {
      expect(answer.body).not.toContain('PRIVATE KEY');
      expect(answer.body).not.toContain(body.slice(0, 40));
    }
  });

  it.skipIf(skip)('the public key and fingerprint are the ones node:crypto derives', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(); // PKCS#8 accepted too
    const created = await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(p.adminAccess), payload: validProject({ name: 'pkcs8-key', deploy_key: pem }) });
    expect(created.statusCode).toBe(201);
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const blob = Buffer.from(created.json().deploy_key_public.split(' ')[1], 'base64');
    expect(blob.includes(Buffer.from(jwk.n!, 'base64url'))).toBe(true);
  });

  it.skipIf(skip).each([
    ['an uppercase name', { name: 'Churn' }, 'name', /must contain lowercase letters/],
    ['a spaced name', { name: 'churn model' }, 'name', /must contain lowercase letters/],
    ['an https:// repository URL', { repository_url: 'https://github.com/acme/churn.git' }, 'repository_url', /SSH URL starting with git@/],
    ['a missing deploy key', { deploy_key: undefined }, 'deploy_key', /is required/],
    ['a public key pasted as private key', { deploy_key: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host' }, 'deploy_key', /public key/],
    ['a PEM public key', { deploy_key: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString() }, 'deploy_key', /public key/],
    ['a PuTTY key', { deploy_key: 'PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n' }, 'deploy_key', /PuTTY/],
    ['a non-RSA key', { deploy_key: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, 'deploy_key', /not an RSA key/],
    ['a short RSA key', { deploy_key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() }, 'deploy_key', /1024 bits.*at least 2048/],
    ['a corrupted key block', { deploy_key: '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----\n' }, 'deploy_key', /could not be read/],
    ['an unknown field', { owner: 'x' }, 'owner', /not a known field/],
    ['a bad system package', { system_dependencies: ['Lib Foo'] }, 'system_dependencies.0', /Debian\/Alpine package name/],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_label, overrides, field, rule) => {
    const before = await projectCount();
    const answer = await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(p.adminAccess), payload: validProject({ name: 'refused', ...overrides }) });
    expect(answer.statusCode).toBe(400);
    const error = answer.json();
    expect(error.error).toBe('validation');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.message).toMatch(rule);
    expect(await projectCount()).toBe(before);
  });

  it.skipIf(skip)('refuses a duplicate name with 409 naming the field, and stores nothing', async () => {
    const before = await projectCount();
    const answer = await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(p.adminAccess), payload: validProject() });
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toMatchObject({ error: 'conflict', field: 'name' });
    expect(answer.json().message).toMatch(/^name: /);
    expect(await projectCount()).toBe(before);
  });

  it.skipIf(skip)('refuses a body that is not JSON with 400', async () => {
    const answer = await p.inject({ method: 'POST', url: '/api/v1/projects', headers: { ...bearer(p.adminAccess), 'content-type': 'application/json' }, payload: '{nope' });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toBe('validation');
  });

  it.skipIf(skip)('refuses the old SDK token (401) right after regeneration and accepts the new one', async () => {
    const old = p.adminSdkToken;
    const oldAccess = (await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: old } })).json().access_token;
    const regenerated = await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: bearer(p.adminAccess) });
    expect(regenerated.statusCode).toBe(200);
    const fresh = regenerated.json().sdk_token as string;
    expect(fresh).not.toBe(old);
    expect(Buffer.from(fresh.replace(/^craft_sdk_/, ''), 'base64url').length).toBe(32);
    const refused = await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: old } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: 'unauthorized', field: 'refresh_token' });
    // sessions minted from the old token are revoked too
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(oldAccess) })).statusCode).toBe(401);
    const accepted = await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: fresh } });
    expect(accepted.statusCode).toBe(200);
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(accepted.json().access_token) })).statusCode).toBe(200);
    const stored = await p.context.db.selectFrom('users').select('sdk_token_hash').where('email', '=', 'admin@localhost').executeTakeFirstOrThrow();
    expect(stored.sdk_token_hash).not.toContain(fresh);
    p.adminSdkToken = fresh;
    p.adminAccess = accepted.json().access_token;
  });

  it.skipIf(skip)('signing out revokes the SDK token on the platform: refused from the next request, with its sessions', async () => {
    const issued = (await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: bearer(p.adminAccess) })).json().sdk_token as string;
    const access = (await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: issued } })).json().access_token as string;
    const out = await p.inject({ method: 'DELETE', url: '/api/v1/users/me/sdk-token', headers: bearer(access) });
    expect(out.statusCode).toBe(200);
    expect((await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: issued } })).statusCode).toBe(401);
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(access) })).statusCode).toBe(401);
    // Signing in again issues a new token that works.
    p.adminSdkToken = await p.issueLocalAdminToken();
    p.adminAccess = (await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: p.adminSdkToken } })).json().access_token;
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(p.adminAccess) })).statusCode).toBe(200);
  });

  it.skipIf(skip)('a user without membership gets 404 for the project, and does not see it listed', async () => {
    const outsider = await addUser(p, { email: 'outsider@example.com' });
    const answer = await p.inject({ method: 'GET', url: '/api/v1/projects/churn-model', headers: bearer(outsider.access) });
    expect(answer.statusCode).toBe(404);
    expect(answer.json().error).toBe('not_found');
    const missing = await p.inject({ method: 'GET', url: '/api/v1/projects/does-not-exist', headers: bearer(outsider.access) });
    expect(missing.json().message.replace('does-not-exist', 'churn-model')).toBe(answer.json().message);
    const list = await p.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(outsider.access) });
    expect(list.json().items).toEqual([]);
  });

  it.skipIf(skip)('signs in with a password and signs out, revoking the session at once', async () => {
    await addUser(p, { email: 'ada@example.com', password: 'correct horse battery' });
    const login = await p.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'Ada@Example.com', password: 'correct horse battery' } });
    expect(login.statusCode).toBe(200);
    const access = login.json().access_token;
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(access) })).json().email).toBe('ada@example.com');
    const wrong = await p.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ada@example.com', password: 'wrong password!' } });
    expect(wrong.statusCode).toBe(401);
    expect((await p.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(access) })).statusCode).toBe(200);
    expect((await p.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(access) })).statusCode).toBe(401);
  });

  it.skipIf(skip)('serves the OpenAPI document generated from the schemas', async () => {
    const doc = (await p.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/projects', '/api/v1/auth/refresh', '/api/v1/users/me/sdk-token']));
    const create = doc.paths['/api/v1/projects'].post.requestBody.content['application/json'].schema;
    expect(create.properties.name.pattern).toBeDefined();
  });

  it.skipIf(skip || dialect !== 'sqlite')('keeps the private key out of the SQLite files in plain text; master.key has mode 0600', () => {
    const key = rsaPrivateKey();
    const needles = [key.split('\n')[1]!, 'PRIVATE KEY', p.adminSdkToken];
    for (const file of readdirSync(p.dataDir)) {
      const content = readFileSync(join(p.dataDir, file)).toString('latin1');
      for (const needle of needles) expect(content.includes(needle), `${file} contains ${needle.slice(0, 12)}`).toBe(false);
    }
    expect(statSync(join(p.dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  });
});
