import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromArgs } from './cli.js';

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
