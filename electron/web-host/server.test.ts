// Browser mode's walls, checked over real HTTP: only 127.0.0.1, only with the connection
// token, only from its own origin, and the page under a strict CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebHost, type RunningWebHost } from './server.js';
import { createAppApi, createHandlers } from '../app-api.js';
import { startDesktop, type DesktopServices } from '../desktop.js';
import { memoryStore } from '../services/vault.js';

let desktop: DesktopServices;
let host: RunningWebHost;

function send(options: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = new URL(host.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  const rendererDir = mkdtempSync(join(tmpdir(), 'craft-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
  desktop = await startDesktop({ dataDir: mkdtempSync(join(tmpdir(), 'craft-web-host-')), secretStore: memoryStore() });
  host = await startWebHost({ api: createAppApi(createHandlers(desktop)), rendererDir });
});

afterAll(async () => {
  await host.close();
  await desktop.close();
});

describe('browser mode', () => {
  const port = () => new URL(host.origin).port;
  const call = (headers: Record<string, string>, method = 'getEmbeddedPlatform', body = '{}') =>
    send({ path: `/api/${method}`, method: 'POST', headers: { 'content-type': 'application/json', host: `127.0.0.1:${port()}`, ...headers }, body });

  it('answers calls that carry the connection token', async () => {
    const answer = await call({ authorization: `Bearer ${host.connectionToken}` });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true, result: { available: true, running: true } });
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('refuses a call without the token, or with another one, before it reaches the app', async () => {
    const stop = JSON.stringify({ running: false });
    expect((await call({}, 'setEmbeddedPlatform', stop)).status).toBe(401);
    expect((await call({ authorization: 'Bearer nope' }, 'setEmbeddedPlatform', stop)).status).toBe(401);
    expect(desktop.embeddedPlatform().running).toBe(true);
  });

  it('refuses another Host (DNS rebinding) and another Origin (cross-site calls)', async () => {
    const token = { authorization: `Bearer ${host.connectionToken}` };
    const stop = JSON.stringify({ running: false });
    expect((await call({ ...token, host: `evil.example:${port()}` }, 'setEmbeddedPlatform', stop)).status).toBe(421);
    expect((await call({ ...token, origin: 'https://evil.example' }, 'setEmbeddedPlatform', stop)).status).toBe(403);
    expect(desktop.embeddedPlatform().running).toBe(true);
    expect((await call({ ...token, origin: `http://localhost:${port()}`, host: `localhost:${port()}` })).status).toBe(200);
  });

  it('serves the page under a strict Content Security Policy', async () => {
    const page = await send({ path: '/', headers: { host: `127.0.0.1:${port()}` } });
    expect(page.status).toBe(200);
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('prints an App URL that carries a 256-bit token and binds 127.0.0.1', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });
});
