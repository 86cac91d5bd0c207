// The typed platform client against the real platform (listening on 127.0.0.1), and against a
// small HTTP server for what a real platform never does (a proxy's HTML page, silence, a wrong answer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import forge from 'node-forge';
import type { AddressInfo } from 'node:net';
import { PlatformClient } from './platform-client.js';
import { AppError } from '../../domain/errors.js';
import { createTestPlatform, rsaPrivateKey, type TestPlatform } from '../../platform/test-helpers.js';

let platform: TestPlatform;
let base: string;
/** Each exchange of the SDK token opens an SDK session on the platform. */
async function exchanges(): Promise<number> {
  const row = await platform.context.db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'sdk').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Answers what a misbehaving server or proxy would. */
let oddServer: Server;
let oddBase: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  await platform.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(platform.app.server.address() as AddressInfo).port}`;

  oddServer = createServer((req, res: ServerResponse) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/v1/auth/refresh') return json(200, { access_token: 'a.b.c', token_type: 'Bearer', expires_in: 60 });
    if (req.url === '/api/v1/users/me') return json(200, { id: 'u1', name: 'Admin', email: 'admin@example.com', role: 'superuser', created_at: '2026-01-01T00:00:00Z' });
    if (req.url === '/api/v1/projects') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<h1>Bad gateway</h1>');
    }
    // /api/v1/settings: never answers.
  });
  await new Promise<void>((r) => oddServer.listen(0, '127.0.0.1', r));
  oddBase = `http://127.0.0.1:${(oddServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await platform?.dispose();
  oddServer.closeAllConnections();
  await new Promise((r) => oddServer.close(r));
});

function client(token: () => string | null = () => platform.adminSdkToken, timeoutMs?: number) {
  return new PlatformClient({ baseUrl: `${base}/`, getSdkToken: async () => token(), ...(timeoutMs ? { timeoutMs } : {}) });
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an error');
}

describe('PlatformClient against the real platform', () => {
  it('exchanges the SDK token once and reuses the access token until it nears expiry', async () => {
    const c = client();
    const before = await exchanges();
    expect((await c.call('me')).email).toBe('admin@localhost');
    expect((await c.call('listProjects')).items).toEqual([]);
    await Promise.all([c.call('getProject', { params: { name: 'demo' } }).catch(() => null), c.call('me')]);
    expect((await exchanges()) - before).toBe(1);
  });

  it('fills paths and queries from the contract, encoding what needs it', async () => {
    const c = client();
    const created = await c.call('createProject', { body: { name: 'demo', python_version: '3.12', repository_url: 'git@github.com:acme/demo.git', deploy_key: rsaPrivateKey() } });
    expect(created.role).toBe('owner');
    expect((await c.call('getProject', { params: { name: 'demo' } })).name).toBe('demo');
    const missing = await caught(c.call('getProject', { params: { name: 'no such/project?' } }));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('no such/project?');
    const { cursor } = await c.call('listProjects');
    expect(await c.call('listProjects', { query: { since: cursor } })).toEqual({ items: [], deleted: [], cursor });
  });

  it('maps platform errors to AppError with the same code, message and field', async () => {
    const c = client();
    const conflict = await caught(c.call('createProject', { body: { name: 'demo', python_version: '3.12', repository_url: 'git@github.com:acme/demo.git', deploy_key: rsaPrivateKey() } }));
    expect(conflict.toJSON()).toEqual({ error: 'conflict', message: 'name: a project named demo already exists; choose another name', field: 'name' });
    const invalid = await caught(c.call('createProject', { body: { name: 'Demo', python_version: '3.12', repository_url: 'git@github.com:acme/demo.git', deploy_key: 'k' } }));
    expect(invalid.code).toBe('validation');
    expect(invalid.field).toBe('name');
  });

  it('retries once with a fresh exchange when the platform forgot the session, and follows a regenerated token', async () => {
    let token = platform.adminSdkToken;
    const c = client(() => token);
    await c.call('me');
    const before = await exchanges();
    // The platform forgets every session (revocation): 401, one fresh exchange, success.
    await platform.context.db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).execute();
    expect((await c.call('me')).email).toBe('admin@localhost');
    expect((await exchanges()) - before).toBe(1);
    // Sign-out revokes this client's session on the platform.
    expect(await c.logout()).toBe(true);
    expect(await c.logout()).toBe(false);
    token = await c.regenerateSdkToken();
    expect(token).not.toBe(platform.adminSdkToken);
    expect((await c.call('me')).email).toBe('admin@localhost');
    platform.adminSdkToken = token;
  });

  it('says unauthorized, without the token, when the SDK token is refused or missing', async () => {
    const stale = client(() => 'sdk-token-very-secret-0123456789');
    const refused = await caught(stale.call('me'));
    expect(refused.code).toBe('unauthorized');
    expect(refused.message).not.toContain('sdk-token-very-secret-0123456789');
    const none = await caught(client(() => null).call('me'));
    expect(none.code).toBe('unauthorized');
  });
});

describe('PlatformClient against what a real platform never answers', () => {
  it('reports an answer that does not match the contract, naming the endpoint and the field', async () => {
    const c = new PlatformClient({ baseUrl: oddBase, getSdkToken: async () => 'token' });
    const wrong = await caught(c.call('me'));
    expect(wrong.code).toBe('internal');
    expect(wrong.message).toBe("The platform's answer to me (GET /api/v1/users/me) is not as this app expects: role: must be one of admin, member");
  });

  it('says offline when the platform is unreachable, silent, or behind a failing proxy, naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const down = new PlatformClient({ baseUrl: `http://127.0.0.1:${port}`, getSdkToken: async () => 'sdk-token-very-secret' });
    const refused = await caught(down.call('me'));
    expect(refused.code).toBe('offline');
    expect(refused.message).toBe(`The platform at http://127.0.0.1:${port} is unreachable: connection refused (is it running?)`);
    expect(refused.message).not.toContain('sdk-token-very-secret');

    const dns = new PlatformClient({ baseUrl: 'http://no-such-host.invalid', getSdkToken: async () => 'token' });
    expect((await caught(dns.call('me'))).code).toBe('offline');

    const odd = new PlatformClient({ baseUrl: oddBase, getSdkToken: async () => 'token', timeoutMs: 300 });
    const gateway = await caught(odd.call('listProjects'));
    expect(gateway.code).toBe('offline');
    const timeout = await caught(odd.call('getSettings'));
    expect(timeout.code).toBe('offline');
    expect(timeout.message).toMatch(/no answer within the time limit/);
  });

  it('says offline, naming the certificate, when a platform over HTTPS shows one this computer does not trust', async () => {
    // A self-signed certificate for 127.0.0.1, as a test server or a man in the middle would show.
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const key = forge.pki.privateKeyFromPem(pem);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 3_600_000);
    cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
    cert.setIssuer([{ name: 'commonName', value: '127.0.0.1' }]);
    cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
    cert.sign(key, forge.md.sha256.create());
    let answered = 0;
    const tls = createTlsServer({ key: pem, cert: forge.pki.certificateToPem(cert) }, (_req, res) => {
      answered++;
      res.end('{}');
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const at = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const refused = await caught(new PlatformClient({ baseUrl: at, getSdkToken: async () => 'sdk-token-very-secret' }).call('me'));
      expect(refused.code).toBe('offline');
      expect(refused.message).toBe(`The platform at ${at} is unreachable: its certificate is not trusted by this computer (DEPTH_ZERO_SELF_SIGNED_CERT)`);
      expect(answered).toBe(0); // nothing, the token least of all, was sent to it
    } finally {
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });
});
