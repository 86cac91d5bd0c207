// A standalone team platform for the e2e tests: `platform/cli.ts` as a child process with
// a first admin from the environment, plus a few calls of its API as that admin.
import { expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TeamPlatform {
  url: string;
  dataDir: string;
  admin: { email: string; password: string };
  /** Calls the platform's API as the first admin (signs in once). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }>;
  /** Closes the admin's API session, so only the app's sessions remain. */
  logout(): Promise<void>;
  stop(): Promise<void>;
}

/** `env`: more of the platform's settings, e.g. SMTP_HOST and SMTP_PORT of a mail catcher. */
export async function startTeamPlatform(admin = { email: 'admin@team.test', password: 'correct horse battery staple' }, options: { env?: NodeJS.ProcessEnv } = {}): Promise<TeamPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'craft-team-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'platform/cli.ts', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ...options.env, CRAFT_ADMIN_EMAIL: admin.email, CRAFT_ADMIN_PASSWORD: admin.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the team platform did not start in time:\n${log}`)), 60_000);
    child.stdout!.on('data', () => {
      const found = /^Platform: (\S+)$/m.exec(log)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the team platform exited with ${code}:\n${log}`));
    });
  });

  let access: string | null = null;
  async function call<T>(method: string, path: string, body?: unknown, bearer?: string | null) {
    const response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, data: (text ? JSON.parse(text) : undefined) as T };
  }

  return {
    url,
    dataDir,
    admin,
    async api<T>(method: string, path: string, body?: unknown) {
      if (!access) {
        const login = await call<{ access_token: string }>('POST', '/auth/login', { email: admin.email, password: admin.password });
        if (login.status !== 200) throw new Error(`admin login answered ${login.status}`);
        access = login.data.access_token;
      }
      return call<T>(method, path, body, access);
    },
    async logout() {
      if (access) await call('POST', '/auth/logout', {}, access);
      access = null;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A throwaway RSA deploy key (PKCS#1 PEM), enough for the platform to accept a project. */
export function throwawayDeployKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** Adds a team connection from the header's Connections menu, as a user does, and waits for its sign-in to have the focus (typed earlier, text goes to the closing dialog: the form behind it is inert). */
export async function addTeamConnection(page: Page, url: string, name: string): Promise<void> {
  await page.getByRole('button', { name: /^Connection:/ }).click();
  await page.getByRole('menu', { name: 'Connections' }).getByRole('menuitem', { name: 'Add connection' }).click();
  const add = page.getByRole('dialog', { name: 'Add connection' });
  await add.getByLabel('Platform URL').fill(url);
  await add.getByLabel('Name').fill(name);
  await add.getByRole('button', { name: 'Add connection' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Email')).toBeFocused();
}
