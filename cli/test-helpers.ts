// For the CLI's tests: a real platform listening on 127.0.0.1 with a first admin who signs
// in with a password, a project and an environment, and the real `craft` run as a subprocess.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureFirstAdmin } from '../platform/first-admin.js';
import { createTestPlatform, validProject, type TestPlatform } from '../platform/test-helpers.js';
import { PlatformClient } from '../electron/services/platform-client.js';
import type { ProjectCreate } from '../domain/project.js';
import { shellQuote } from '../domain/dotenv.js';

export const CRAFT = resolve(import.meta.dirname, '..', 'bin', 'craft.js');
export const EMAIL = 'ada@example.com';
export const PASSWORD = 'correct horse battery staple';

const onPath = (name: string) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, name)));

/**
 * Keychain tests need a Secret Service. Where dbus-daemon and gnome-keyring-daemon are
 * installed, each test file starts its own (startKeyring: a private session bus and keyring
 * files), so that concurrent sessions sharing ~/.local/share/keyrings cannot reload the keyring
 * under it; else they use the session bus they run in; else they are skipped, saying why.
 */
export const PRIVATE_KEYRING = onPath('dbus-daemon') && onPath('gnome-keyring-daemon');
export const KEYCHAIN_SKIP =
  PRIVATE_KEYRING || process.env.DBUS_SESSION_BUS_ADDRESS
    ? null
    : 'no Secret Service: DBUS_SESSION_BUS_ADDRESS is unset and dbus-daemon/gnome-keyring-daemon are not installed (run inside dbus-run-session with gnome-keyring-daemon --unlock)';

/** The environment craft subprocesses get (the private keyring's bus, once started). */
const keyringEnv: NodeJS.ProcessEnv = {};

/** The environment for other test subprocesses that must reach the same keychain as craft. */
export function keyringEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, ...keyringEnv };
}

/** Starts a private D-Bus session with an unlocked GNOME Keyring in a temp dir; returns its stop function. */
export async function startKeyring(): Promise<() => void> {
  if (!PRIVATE_KEYRING) return () => undefined;
  const home = mkdtempSync(join(tmpdir(), 'craft-keyring-'));
  mkdirSync(join(home, 'run'), { mode: 0o700 });
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolveAddress, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('dbus-daemon did not print its address')), 10_000);
    bus.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolveAddress(text.split('\n')[0]!.trim());
      }
    });
    bus.on('exit', () => reject(new Error('dbus-daemon ended')));
  });
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: join(home, 'run') };
  const keyring = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets', '--foreground'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
  keyring.stdin!.end('craft-test');
  // Ready when the Secret Service name is owned on the bus.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const owned = await new Promise<boolean>((done) => {
      const probe = spawn('dbus-send', ['--session', '--dest=org.freedesktop.DBus', '--print-reply', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      probe.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      probe.on('error', () => done(true)); // no dbus-send: trust the delay below
      probe.on('close', () => done(out.includes('boolean true')));
    });
    if (owned) break;
    if (Date.now() > deadline) throw new Error('gnome-keyring-daemon did not start its Secret Service');
    await new Promise((r) => setTimeout(r, 100));
  }
  keyringEnv.DBUS_SESSION_BUS_ADDRESS = address;
  return () => {
    delete keyringEnv.DBUS_SESSION_BUS_ADDRESS;
    keyring.kill('SIGTERM');
    bus.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  };
}

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
  const client = new PlatformClient({ baseUrl: url, getSdkToken: async () => null });
  const login = await client.call('login', { body: { email: EMAIL, password: PASSWORD } });
  if (!('access_token' in login)) throw new Error(`login: ${login.message}`);
  const access = login.access_token;
  const project = 'churn-model';
  await client.call('createProject', { body: validProject({ name: project }) as ProjectCreate }, { accessToken: access });
  const env = await client.call('createEnvironment', { params: { name: project }, body: { name: 'prod' } }, { accessToken: access });
  return {
    platform,
    url,
    access,
    project,
    environment: 'prod',
    slug: env.slug,
    environmentUrl: env.url,
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
  /** The working directory (default: this process's). */
  cwd?: string;
  /** Called once the process is started (to send signals). */
  onStart?: (child: import('node:child_process').ChildProcess, output: { stdout: string }) => void;
  timeoutMs?: number;
}

/** Runs `node bin/craft.js …` (asynchronously: the platform answers from this very process). */
export function craft(args: string[], options: CraftOptions = {}): Promise<CraftResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...keyringEnv, ...options.env };
  delete env.CRAFT_DATA_DIR;
  if (options.dataDir) env.CRAFT_DATA_DIR = options.dataDir;
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CRAFT, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
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
  const line = [process.execPath, CRAFT, ...args].map((a) => shellQuote(a, { always: true })).join(' ');
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...keyringEnv, CRAFT_DATA_DIR: dataDir };
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
