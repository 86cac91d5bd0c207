// For the CLI's tests: a real platform listening on 127.0.0.1 with a first admin who signs
// in with a password, a project and an environment, and the real `craft` run as a subprocess.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureFirstAdmin } from '../platform/first-admin.js';
import { bearer, createTestPlatform, validProject, type TestPlatform } from '../platform/test-helpers.js';

export const CRAFT = resolve(import.meta.dirname, '..', 'bin', 'craft.js');
export const EMAIL = 'ada@example.com';
export const PASSWORD = 'correct horse battery staple';

/** Keychain tests need a Secret Service on a D-Bus session bus (dbus-run-session + gnome-keyring-daemon). */
export const KEYCHAIN_SKIP = process.env.DBUS_SESSION_BUS_ADDRESS
  ? null
  : 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset): run inside dbus-run-session with gnome-keyring-daemon --unlock';

export interface CliPlatform {
  platform: TestPlatform;
  url: string;
  /** A password-session access token of the first admin (for checks through the API). */
  access: string;
  project: string;
  environment: string;
  slug: string;
  environmentUrl: string;
  dispose(): Promise<void>;
}

export async function startCliPlatform(): Promise<CliPlatform> {
  const platform = await createTestPlatform();
  await ensureFirstAdmin(platform.context, { CRAFT_ADMIN_EMAIL: EMAIL, CRAFT_ADMIN_PASSWORD: PASSWORD });
  await platform.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(platform.app.server.address() as AddressInfo).port}`;
  const login = await platform.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: EMAIL, password: PASSWORD } });
  const access = login.json().access_token as string;
  const project = 'churn-model';
  const created = await platform.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(access), payload: validProject({ name: project }) });
  if (created.statusCode !== 201) throw new Error(`project: ${created.body}`);
  const env = await platform.inject({ method: 'POST', url: `/api/v1/projects/${project}/environments`, headers: bearer(access), payload: { name: 'prod' } });
  if (env.statusCode !== 201) throw new Error(`environment: ${env.body}`);
  return {
    platform,
    url,
    access,
    project,
    environment: 'prod',
    slug: env.json().slug as string,
    environmentUrl: env.json().url as string,
    dispose: () => platform.dispose(),
  };
}

export interface CraftResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CraftOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  /** Called once the process is started (to send signals). */
  onStart?: (child: import('node:child_process').ChildProcess, output: { stdout: string }) => void;
  timeoutMs?: number;
}

/** Runs `node bin/craft.js …` (asynchronously: the platform answers from this very process). */
export function craft(args: string[], options: CraftOptions = {}): Promise<CraftResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.CRAFT_DATA_DIR;
  if (options.dataDir) env.CRAFT_DATA_DIR = options.dataDir;
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CRAFT, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const output = { stdout: '' };
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (output.stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`craft ${args.join(' ')} did not end within ${options.timeoutMs ?? 45_000} ms\nstdout: ${output.stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout: output.stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    options.onStart?.(child, output);
  });
}

export function tempDir(prefix = 'craft-cli-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs craft on a pseudo-terminal (util-linux `script`), answering prompts: each step waits
 * for its text in the output, then types its answer. Returns everything the terminal showed.
 */
export function craftOnTerminal(args: string[], dataDir: string, steps: { waitFor: string; type: string }[], timeoutMs = 45_000): Promise<{ code: number | null; screen: string }> {
  const line = [process.execPath, CRAFT, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CRAFT_DATA_DIR: dataDir };
    const child = spawn('script', ['-qec', line, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let next = 0;
    let seen = 0;
    const advance = () => {
      while (next < steps.length) {
        const at = screen.indexOf(steps[next]!.waitFor, seen);
        if (at < 0) return;
        seen = at + steps[next]!.waitFor.length;
        child.stdin.write(steps[next]!.type);
        next++;
      }
    };
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString('utf8');
      setTimeout(advance, 100); // let the prompt switch the terminal mode first
    });
    child.stderr.on('data', (c: Buffer) => (screen += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`craft ${args.join(' ')} on a terminal did not end; screen: ${screen}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, screen });
    });
  });
}
