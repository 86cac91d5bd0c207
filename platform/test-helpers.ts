// Shared by the platform's tests: a platform on a temp data dir (or a fresh PostgreSQL database), signed-in callers.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildPlatform, type BuiltPlatform, type PlatformConfig } from './index.js';
import { platformContract } from '../domain/platform-contract.js';

export const POSTGRES_URL = process.env.CRAFT_TEST_DATABASE_URL;

export interface TestPlatform extends BuiltPlatform {
  dataDir: string;
  adminSdkToken: string;
  adminAccess: string;
  /** Closes and removes everything it created. */
  dispose(): Promise<void>;
  inject: BuiltPlatform['app']['inject'];
}

/** A fresh PostgreSQL database for one suite, dropped by the returned function. */
export async function freshPostgresDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `craft_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestPlatform(options: { dialect?: 'sqlite' | 'postgres' } & Partial<PlatformConfig> = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'craft-platform-'));
  let dropDatabase = async () => {};
  let databaseUrl = options.databaseUrl;
  if (options.dialect === 'postgres') {
    if (!POSTGRES_URL) throw new Error('needs CRAFT_TEST_DATABASE_URL (PostgreSQL)');
    const fresh = await freshPostgresDatabase(POSTGRES_URL);
    databaseUrl = fresh.url;
    dropDatabase = fresh.drop;
  }
  const platform = await buildPlatform({ ...options, dataDir, databaseUrl });
  const adminSdkToken = await platform.issueLocalAdminToken();
  const refreshed = await platform.app.inject({ method: 'POST', url: platformContract.refresh.path, payload: { refresh_token: adminSdkToken } });
  const adminAccess = refreshed.json().access_token as string;
  return {
    ...platform,
    dataDir,
    adminSdkToken,
    adminAccess,
    inject: platform.app.inject.bind(platform.app),
    async dispose() {
      await platform.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

let cachedKey: string | undefined;
/** An RSA 2048 private key in PKCS#1 PEM (generated once per test file). */
export function rsaPrivateKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return cachedKey;
}

export function validProject(overrides: Record<string, unknown> = {}) {
  return {
    name: 'churn-model',
    python_version: '3.12',
    repository_url: 'git@github.com:acme/churn.git',
    deploy_key: rsaPrivateKey(),
    ...overrides,
  };
}

/** The dialects the API suites run on: SQLite always, PostgreSQL when CRAFT_TEST_DATABASE_URL is set. */
export const DIALECTS = [
  { dialect: 'sqlite' as const, skip: false, label: 'SQLite' },
  { dialect: 'postgres' as const, skip: !POSTGRES_URL, label: POSTGRES_URL ? 'PostgreSQL' : 'PostgreSQL — needs CRAFT_TEST_DATABASE_URL (PostgreSQL)' },
];

/** Adds a user straight into the database (for suites that do not test user administration) and signs it in. */
export async function addUser(platform: BuiltPlatform, input: { email: string; name?: string; role?: 'admin' | 'member'; password?: string }) {
  const { randomUUID } = await import('node:crypto');
  const { hashPassword } = await import('./secrets.js');
  const { createSession, signAccessToken } = await import('./auth.js');
  const now = new Date().toISOString();
  const id = randomUUID();
  await platform.context.db
    .insertInto('users')
    .values({
      id,
      email: input.email,
      name: input.name ?? input.email.split('@')[0]!,
      role: input.role ?? 'member',
      password_hash: input.password ? await hashPassword(input.password) : null,
      sdk_token_hash: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    })
    .execute();
  const session = await createSession(platform.context, id, 'password');
  return { id, access: await signAccessToken(platform.context, id, session) };
}

export interface CapturedMail {
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 (smtp-server) collecting what the platform sends. */
export async function startMailCatcher(): Promise<{ port: number; mails: CapturedMail[]; waitFor(to: string, count?: number): Promise<CapturedMail>; close(): Promise<void> }> {
  const { SMTPServer } = await import('smtp-server');
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    mails,
    async waitFor(to, count = 1) {
      for (let i = 0; i < 200; i++) {
        const found = mails.filter((m) => m.to.includes(to));
        if (found.length >= count) return found[count - 1]!;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no mail #${count} to ${to}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The code in a platform mail (the indented line). */
export function mailedCode(mail: CapturedMail): string {
  const body = mail.raw.replace(/=\r?\n/g, '');
  return /^ {4}([A-Za-z0-9_-]{16,})\s*$/m.exec(body)![1]!;
}

/** Every file and folder under (and with, as '.') a folder, with its permission bits as stat reads them back, e.g. {'.': '700', 'platform.sqlite': '600'}. */
export function modesUnder(dir: string): Record<string, string> {
  const modes: Record<string, string> = { '.': (statSync(dir).mode & 0o777).toString(8) };
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const stat = statSync(path);
      modes[prefix + name] = (stat.mode & 0o777).toString(8);
      if (stat.isDirectory()) walk(path, `${prefix}${name}/`);
    }
  };
  walk(dir, '');
  return modes;
}
