import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlatformClient } from './platform-client.js';
import { AppError } from '../../domain/errors.js';

const SDK_TOKEN = 'sdk-token-very-secret-0123456789';
let currentSdk = SDK_TOKEN;
let exchanges = 0;
let issued = 0;
const revoked = new Set<string>();
const issuedTokens: string[] = [];
let lastCreate: unknown = null;
let server: Server;
let base: string;

function jwt(expSeconds: number): string {
  issued++;
  const payload = Buffer.from(JSON.stringify({ sub: 'u1', iat: Math.floor(Date.now() / 1000), exp: expSeconds, n: issued })).toString('base64url');
  const token = `eyJhbGciOiJIUzI1NiJ9.${payload}.sig`;
  issuedTokens.push(token);
  return token;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

const project = {
  name: 'demo',
  python_version: '3.12',
  repository_url: 'git@github.com:o/r.git',
  default_branch: '',
  folders: ['/'],
  requirements_path: '',
  system_dependencies: [],
  deploy_key_public: 'ssh-rsa AAAA',
  deploy_key_fingerprint: 'SHA256:x',
  created_at: '2026-01-01T00:00:00Z',
  created_by: 'u1',
  updated_at: '2026-01-01T00:00:00Z',
};

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    const auth = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const url = req.url ?? '';
    if (url === '/api/v1/auth/refresh' && req.method === 'POST') {
      exchanges++;
      const token = (body as { refresh_token?: string }).refresh_token;
      if (token !== currentSdk) return send(res, 401, { error: 'unauthorized', message: 'The SDK token is not valid: regenerate it in Parameters' });
      return send(res, 200, { access_token: jwt(Math.floor(Date.now() / 1000) + 600) });
    }
    if (url === '/slow') return; // never answers
    if (url === '/html-error') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<h1>Bad gateway</h1>');
    }
    if (!auth.startsWith('eyJ') || revoked.has(auth)) return send(res, 401, { error: 'unauthorized', message: 'Session expired' });
    if (url === '/api/v1/users/me') return send(res, 200, { id: 'u1', name: 'Admin', email: 'admin@local', role: 'admin', created_at: '2026-01-01T00:00:00Z' });
    if (url === '/api/v1/projects' && req.method === 'GET') return send(res, 200, [project]);
    if (url === '/api/v1/projects' && req.method === 'POST') {
      lastCreate = body;
      const name = (body as { name: string }).name;
      if (name !== name.toLowerCase()) return send(res, 400, { error: 'validation', message: 'name: must contain lowercase letters', field: 'name' });
      if (name === 'demo') return send(res, 409, { error: 'conflict', message: 'name: a project named demo already exists', field: 'name' });
      return send(res, 201, { ...project, name });
    }
    if (url === '/api/v1/projects/missing') return send(res, 404, { error: 'not_found', message: 'No project named missing' });
    if (url === '/api/v1/users/me/sdk-token' && req.method === 'POST') {
      currentSdk = `sdk-new-${issued}`;
      return send(res, 200, { sdk_token: currentSdk });
    }
    if (url === '/api/v1/auth/logout' && req.method === 'POST') {
      revoked.add(auth);
      res.writeHead(204);
      return res.end();
    }
    send(res, 404, { error: 'not_found', message: 'no route' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function client(token: () => string | null = () => currentSdk, timeoutMs?: number) {
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

describe('PlatformClient against a real HTTP server', () => {
  it('exchanges the SDK token once and reuses the access token until it nears expiry', async () => {
    const c = client();
    const before = exchanges;
    expect((await c.me()).email).toBe('admin@local');
    expect(await c.listProjects()).toHaveLength(1);
    await Promise.all([c.getProject('demo').catch(() => null), c.me()]);
    expect(exchanges - before).toBe(1);
  });

  it('maps platform errors to AppError with the same code, message and field', async () => {
    const c = client();
    const conflict = await caught(c.createProject({ ...project, name: 'demo', deploy_key: '-----BEGIN RSA PRIVATE KEY-----' } as never));
    expect(conflict.toJSON()).toEqual({ error: 'conflict', message: 'name: a project named demo already exists', field: 'name' });
    const invalid = await caught(c.createProject({ ...project, name: 'Demo', deploy_key: 'k' } as never));
    expect(invalid.code).toBe('validation');
    expect(invalid.field).toBe('name');
    const missing = await caught(c.getProject('missing'));
    expect(missing.code).toBe('not_found');
    const gateway = await caught(c.request('GET', '/html-error'));
    expect(gateway.code).toBe('offline');
    expect(lastCreate).toMatchObject({ name: 'Demo' });
  });

  it('retries once with a fresh exchange on 401, and regenerating the token switches to the new one', async () => {
    const c = client();
    await c.me();
    const before = exchanges;
    // The server forgets every session (restart, revocation): 401, one fresh exchange, success.
    for (const token of issuedTokens) revoked.add(token);
    expect((await c.me()).id).toBe('u1');
    expect(exchanges - before).toBe(1);
    // Sign-out revokes the session on the server.
    const sessions = issuedTokens.length;
    expect(await c.logout()).toBe(true);
    expect(revoked.has(issuedTokens[sessions - 1]!)).toBe(true);
    expect(await c.logout()).toBe(false);
    const fresh = await c.regenerateSdkToken();
    expect(fresh).toBe(currentSdk);
    expect((await c.me()).id).toBe('u1');
  });

  it('says unauthorized, without the token, when the SDK token is refused or missing', async () => {
    const stale = client(() => SDK_TOKEN);
    const refused = await caught(stale.me());
    expect(refused.code).toBe('unauthorized');
    expect(refused.message).not.toContain(SDK_TOKEN);
    const none = await caught(client(() => null).me());
    expect(none.code).toBe('unauthorized');
  });

  it('says offline when the platform is unreachable or silent, naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const down = new PlatformClient({ baseUrl: `http://127.0.0.1:${port}`, getSdkToken: async () => SDK_TOKEN });
    const refused = await caught(down.me());
    expect(refused.code).toBe('offline');
    expect(refused.message).toBe(`The platform at http://127.0.0.1:${port} is unreachable: connection refused (is it running?)`);
    expect(refused.message).not.toContain(SDK_TOKEN);

    const dns = new PlatformClient({ baseUrl: 'http://no-such-host.invalid', getSdkToken: async () => SDK_TOKEN });
    expect((await caught(dns.me())).code).toBe('offline');

    const silent = client(() => currentSdk, 300);
    const timeout = await caught(silent.request('GET', '/slow'));
    expect(timeout.code).toBe('offline');
    expect(timeout.message).toMatch(/no answer within the time limit/);
  });
});
