import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { configFromArgs } from './cli.js';
import { migrations } from './db/migrations.js';
import { freshPostgresDatabase, POSTGRES_URL } from './test-helpers.js';
import { startPlatformProcess, type PlatformProcess } from './testing/platform-process.js';

describe('platform CLI', () => {
  it('reads options, then the environment', () => {
    const env = { PORT: '9000', HOST: '0.0.0.0', CRAFT_DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://a/b' };
    expect(configFromArgs([], env)).toMatchObject({ port: 9000, host: '0.0.0.0', dataDir: '/tmp/x', databaseUrl: 'postgres://a/b' });
    expect(configFromArgs(['--port', '9100', '--host', '127.0.0.1', '--data-dir', '/tmp/y'], env)).toMatchObject({ port: 9100, host: '127.0.0.1', dataDir: '/tmp/y' });
    expect(() => configFromArgs(['--port', 'abc'], {})).toThrow();
    expect(configFromArgs(['--rotate-signing-key'], {})).toMatchObject({ rotateSigningKey: true });
    expect(configFromArgs([], {})).toMatchObject({ rotateSigningKey: false });
    expect(configFromArgs([], { SMTP_HOST: 'smtp.example.com' }).mail).toMatchObject({ host: 'smtp.example.com', insecureTls: false });
    expect(configFromArgs([], { SMTP_HOST: 'smtp.example.com', SMTP_TLS_INSECURE: '1' }).mail).toMatchObject({ insecureTls: true });
    expect(() => configFromArgs([], { SMTP_HOST: 'smtp.example.com', SMTP_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/SMTP_CA_FILE: cannot read/);
    expect(configFromArgs([], { TRUST_PROXY: '127.0.0.1', CRAFT_METRICS_TOKEN: 'scrape-me' })).toMatchObject({ trustProxy: '127.0.0.1', metricsToken: 'scrape-me' });
    expect(configFromArgs(['--trust-proxy', '10.0.0.0/8'], { TRUST_PROXY: '127.0.0.1' })).toMatchObject({ trustProxy: '10.0.0.0/8' });
    expect(configFromArgs([], {})).toMatchObject({ trustProxy: undefined, metricsToken: undefined });
  });

  it('prints its URL and, on first start only, the one-time password of the first admin, who can sign in with it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-cli-'));
    const run = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli.ts'), '--port', '0', '--data-dir', dataDir], {
        env: { ...process.env, CRAFT_ADMIN_EMAIL: '', CRAFT_ADMIN_PASSWORD: '', DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (out += chunk));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000);
        child.stdout.on('data', () => {
          if (/^Mail: /m.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`exited: ${out}`)));
      });
      return { child, out };
    };
    try {
      const first = await run();
      const url = /^Platform: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(first.out)![1]!;
      const password = /one-time password (\S+)/.exec(first.out)![1]!;
      const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password }) });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ password_change_required: true });
      first.child.kill('SIGTERM');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const second = await run();
      expect(second.out).not.toMatch(/one-time password/);
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the platform process, operated', () => {
  it('on SIGTERM refuses new connections, lets the request in flight finish, then exits cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-cli-drain-'));
    const platform = await startPlatformProcess({
      args: ['--port', '0', '--data-dir', dataDir],
      env: { CRAFT_ADMIN_EMAIL: 'ops@example.com', CRAFT_ADMIN_PASSWORD: 'correct horse battery staple' },
    });
    try {
      // A sign-in in flight: the headers are sent, the body comes after the SIGTERM.
      const body = JSON.stringify({ email: 'ops@example.com', password: 'correct horse battery staple' });
      const socket = connect(platform.port, '127.0.0.1');
      await once(socket, 'connect');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));

      platform.child.kill('SIGTERM');
      await expect.poll(() => fetch(`${platform.url}/healthz`).then(() => 'served', (error: { cause?: { code?: string } }) => error.cause?.code), { timeout: 10_000 }).toBe('ECONNREFUSED');
      expect(platform.child.exitCode).toBeNull(); // still draining

      socket.write(body.slice(10));
      await once(socket, 'end');
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toMatch(/"access_token":"[^"]+"/);
      expect(await platform.exited).toBe(0);
    } finally {
      await platform.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!POSTGRES_URL)(`started twice at once on a fresh PostgreSQL database, migrates it once and creates one first admin${POSTGRES_URL ? '' : ' — needs CRAFT_TEST_DATABASE_URL (PostgreSQL)'}`, async () => {
    const database = await freshPostgresDatabase(POSTGRES_URL!);
    const dirs = [mkdtempSync(join(tmpdir(), 'craft-cli-race-')), mkdtempSync(join(tmpdir(), 'craft-cli-race-'))];
    const env = { DATABASE_URL: database.url, CRAFT_MASTER_KEY: randomBytes(32).toString('base64') };
    const started = await Promise.allSettled(dirs.map((dir) => startPlatformProcess({ args: ['--port', '0', '--data-dir', dir], env })));
    try {
      expect(started.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
      const platforms = started.map((s) => (s as PromiseFulfilledResult<PlatformProcess>).value);
      for (const platform of platforms) expect((await fetch(`${platform.url}/readyz`)).status).toBe(200);
      // One of them created the first admin and printed its one-time password; the other found it.
      const printed = platforms.map((platform) => /one-time password (\S+)/.exec(platform.output())?.[1]).filter(Boolean);
      expect(printed).toHaveLength(1);
      for (const platform of platforms) {
        const login = await fetch(`${platform.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password: printed[0] }) });
        expect(login.status).toBe(200);
      }
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const applied = await client.query('SELECT name FROM kysely_migration ORDER BY name');
        expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrations('postgres')));
        expect((await client.query("SELECT count(*)::int AS n FROM users WHERE role = 'admin'")).rows[0].n).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      for (const s of started) if (s.status === 'fulfilled') await s.value.stop();
      await database.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
