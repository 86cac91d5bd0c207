// The platform's public module: the desktop embeds it, `npm run platform` runs it standalone.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from './db/database.js';
import { loadSigningKey } from './auth.js';
import { loadMasterKey } from './secrets.js';
import { createMailer, type MailConfig } from './mail.js';
import { buildApp, type RouteInfo } from './app.js';
import { PreparedQueries } from './db/prepared.js';
import { DEFAULT_POLICY, iso, type PlatformContext, type PlatformPolicy } from './context.js';
import { regenerateSdkToken } from './users-store.js';
import { isUniqueViolation } from './db/errors.js';

export interface PlatformConfig {
  dataDir: string; // SQLite file `platform.sqlite` and the master key `master.key` (mode 0600) live here
  databaseUrl?: string; // postgres://… selects PostgreSQL
  host?: string; // default '127.0.0.1'
  port?: number; // default 0 = any free port
  publicUrl?: string; // base URL used in environment URLs/mails; default http://host:port
  mail?: MailConfig; // SMTP, over verified TLS unless mail.insecureTls
  logger?: boolean; // default false; never logs tokens, passwords, keys or request bodies
  /** better-sqlite3's nativeBinding: the path of a build for another ABI (Electron's), when not the default. */
  sqliteNativeBinding?: string;
  /** Reverse proxies whose X-Forwarded-For gives the caller's address (proxy-addr syntax, e.g. "127.0.0.1" or "loopback"). */
  trustProxy?: string;
  /** Serves Prometheus metrics at /metrics to callers bearing this token; without it, metrics are off. */
  metricsToken?: string;
  /** Where log lines go when logger is on (default stdout). */
  logStream?: NodeJS.WritableStream;
  /** Tests only: shorter lock-outs, a fake clock. */
  policy?: Partial<PlatformPolicy>;
  now?: () => Date;
}

export interface RunningPlatform {
  url: string; // e.g. http://127.0.0.1:43123 (no trailing slash)
  close(): Promise<void>;
  /** Embedded mode: ensures the local admin exists (email 'admin@localhost', name 'Local admin', role admin), regenerates its SDK token and returns it. */
  issueLocalAdminToken(): Promise<string>;
}

export interface BuiltPlatform {
  app: FastifyInstance;
  close(): Promise<void>;
  issueLocalAdminToken(): Promise<string>;
  /** For the CLI, seed and tests. */
  context: PlatformContext;
  /** Every route with its schemas (tests generate requests from them). */
  routes: RouteInfo[];
}

export const LOCAL_ADMIN_EMAIL = 'admin@localhost';
export const LOCAL_ADMIN_NAME = 'Local admin';

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export async function buildPlatform(config: PlatformConfig): Promise<BuiltPlatform> {
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, sqliteNativeBinding: config.sqliteNativeBinding });
  let listeningUrl = `http://${config.host ?? '127.0.0.1'}:${config.port ?? 0}`;
  const masterKey = loadMasterKey(config.dataDir);
  const ctx: PlatformContext = {
    db: database.db,
    dialect: database.dialect,
    masterKey,
    jwtSecret: await loadSigningKey(database.db, masterKey),
    publicUrl: () => trimSlash(config.publicUrl ?? listeningUrl),
    mailer: createMailer(config.mail),
    now: config.now ?? (() => new Date()),
    policy: { ...DEFAULT_POLICY, ...config.policy },
    prepared: new PreparedQueries(database.db, database.hotRead, database.syncWrite),
  };
  let app: FastifyInstance;
  const routes: RouteInfo[] = [];
  try {
    app = await buildApp(ctx, {
      logger: config.logger ?? false,
      logStream: config.logStream,
      routes,
      trustProxy: config.trustProxy,
      metricsToken: config.metricsToken,
      poolStats: database.poolStats,
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (address && typeof address === 'object') {
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      listeningUrl = `http://${host}:${address.port}`;
    }
  });
  let closed = false;
  return {
    app,
    context: ctx,
    routes,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      ctx.mailer.close();
      await database.close();
    },
    issueLocalAdminToken: () => issueLocalAdminToken(ctx),
  };
}

/** Ensures the local admin exists; returns its id. */
export async function ensureLocalAdmin(ctx: PlatformContext): Promise<string> {
  const find = () => ctx.db.selectFrom('users').select('id').where('email', '=', LOCAL_ADMIN_EMAIL).where('deleted_at', 'is', null).executeTakeFirst();
  const existing = await find();
  if (existing) return existing.id;
  const now = iso(ctx.now());
  try {
    await ctx.db
      .insertInto('users')
      .values({ id: randomUUID(), email: LOCAL_ADMIN_EMAIL, name: LOCAL_ADMIN_NAME, role: 'admin', password_hash: null, sdk_token_hash: null, created_at: now, updated_at: now, deleted_at: null })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // created meanwhile by another process
  }
  return (await find())!.id;
}

/** Ensures the local admin exists and gives it a fresh SDK token (the previous one stops working). */
export async function issueLocalAdminToken(ctx: PlatformContext): Promise<string> {
  return regenerateSdkToken(ctx, await ensureLocalAdmin(ctx));
}

export async function startPlatform(config: PlatformConfig): Promise<RunningPlatform> {
  const platform = await buildPlatform(config);
  try {
    await platform.app.listen({ host: config.host ?? '127.0.0.1', port: config.port ?? 0 });
  } catch (error) {
    await platform.close();
    throw error;
  }
  return {
    url: listeningUrlOf(platform.app),
    close: platform.close,
    issueLocalAdminToken: platform.issueLocalAdminToken,
  };
}

function listeningUrlOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('the platform is not listening');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
