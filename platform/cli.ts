// `npm run platform`: the platform standalone, for a team.
//   --port N / PORT, --host H / HOST, --data-dir DIR / CRAFT_DATA_DIR, DATABASE_URL (postgres://… selects PostgreSQL),
//   PUBLIC_URL, SMTP_HOST / SMTP_PORT / SMTP_FROM / SMTP_SECURE / SMTP_CA_FILE / SMTP_TLS_INSECURE, CRAFT_MASTER_KEY, CRAFT_ADMIN_EMAIL / CRAFT_ADMIN_PASSWORD,
//   TRUST_PROXY (the load balancer's address), CRAFT_METRICS_TOKEN (turns /metrics on), CRAFT_LOG=1 (JSON request logs),
//   --rotate-signing-key (every session ends).
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import envPaths from 'env-paths';
import { buildPlatform, type PlatformConfig } from './index.js';
import { ensureFirstAdmin } from './first-admin.js';
import { rotateSigningKey } from './auth.js';
import { withStartupLock } from './db/database.js';

/** SIGTERM: requests in flight get this long to finish before the process exits anyway. */
const DRAIN_SECONDS = 25;

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number between 0 and 65535');
  return port;
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`SMTP_CA_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'read failed'})`, { cause: error });
  }
}

export function configFromArgs(argv: string[], env: NodeJS.ProcessEnv): PlatformConfig & { host: string; port: number; rotateSigningKey: boolean } {
  const program = new Command()
    .name('platform')
    .description('Craft MLOps platform server (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL)')
    .option('--port <n>', 'port to listen on (env PORT; 0 = any free port)', portNumber)
    .option('--host <host>', 'address to listen on (env HOST)')
    .option('--data-dir <dir>', 'where platform.sqlite and master.key live (env CRAFT_DATA_DIR)')
    .option('--public-url <url>', 'base URL users reach the platform at (env PUBLIC_URL)')
    .option('--log', 'log requests as JSON lines, with a request id (never bodies, tokens or keys; env CRAFT_LOG=1)')
    .option('--trust-proxy <addresses>', "the load balancer's addresses, whose X-Forwarded-For names the caller (env TRUST_PROXY; e.g. 127.0.0.1)")
    .option('--rotate-signing-key', 'sign access tokens with a new key: every session ends (restart the other processes of this platform too)')
    .exitOverride()
    .parse(argv, { from: 'user' });
  const options = program.opts<{ port?: number; host?: string; dataDir?: string; publicUrl?: string; log?: boolean; trustProxy?: string; rotateSigningKey?: boolean }>();
  const smtpHost = env.SMTP_HOST;
  return {
    host: options.host ?? env.HOST ?? '127.0.0.1',
    port: options.port ?? (env.PORT ? portNumber(env.PORT) : 8080),
    dataDir: options.dataDir ?? env.CRAFT_DATA_DIR ?? envPaths('craft-mlops-platform', { suffix: '' }).data,
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: options.publicUrl ?? env.PUBLIC_URL ?? undefined,
    logger: options.log ?? env.CRAFT_LOG === '1',
    rotateSigningKey: options.rotateSigningKey ?? false,
    trustProxy: options.trustProxy ?? (env.TRUST_PROXY || undefined),
    metricsToken: env.CRAFT_METRICS_TOKEN || undefined,
    mail: smtpHost
      ? {
          host: smtpHost,
          port: Number(env.SMTP_PORT ?? 25),
          from: env.SMTP_FROM ?? `Craft MLOps <noreply@${smtpHost}>`,
          secure: env.SMTP_SECURE === '1',
          ...(env.SMTP_CA_FILE ? { ca: readCaFile(env.SMTP_CA_FILE) } : {}),
          insecureTls: env.SMTP_TLS_INSECURE === '1',
        }
      : undefined,
  };
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const { rotateSigningKey: rotate, ...config } = configFromArgs(argv, env);
  const platform = await buildPlatform(config);
  if (rotate) {
    await rotateSigningKey(platform.context);
    process.stdout.write('Signing key: rotated; every session ended (restart the other processes of this platform)\n');
  }
  // Processes started at once on a fresh database: one creates the first admin, the others find it.
  const admin = await withStartupLock(platform.context.db, platform.context.dialect, () => ensureFirstAdmin(platform.context, env));
  await platform.app.listen({ host: config.host, port: config.port });
  const address = platform.app.server.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  process.stdout.write(`Platform: ${url}\n`);
  process.stdout.write(`Database: ${platform.context.dialect === 'postgres' ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}\n`);
  if (admin.created && admin.source === 'environment') {
    process.stdout.write(`First admin: ${admin.email} (password from CRAFT_ADMIN_PASSWORD)\n`);
  } else if (admin.created && admin.source === 'generated') {
    process.stdout.write(
      `First admin: sign in as ${admin.email} with the one-time password ${admin.oneTimePassword}\n` +
        `  (shown this once, valid 24 hours; it allows nothing but choosing a new password. Set CRAFT_ADMIN_EMAIL and CRAFT_ADMIN_PASSWORD before the first start to choose them.)\n`,
    );
  }
  if (!config.mail) process.stdout.write('Mail: no SMTP server (set SMTP_HOST, SMTP_PORT, SMTP_FROM): password reset and access mails are not sent; invitation codes are shown to the admin\n');
  else if (config.mail.insecureTls)
    process.stdout.write(`Mail: ${config.mail.host} without certificate checks (SMTP_TLS_INSECURE=1): whoever sits between the platform and the relay can read reset codes\n`);
  else process.stdout.write(`Mail: ${config.mail.host} over verified TLS${config.mail.ca ? ' (CA from SMTP_CA_FILE)' : ''}\n`);
  let stopping = false;
  // Stops listening at once (new connections are refused, new requests on open ones answered 503 for
  // the load balancer to retry elsewhere), lets the requests in flight finish, then exits.
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`platform: requests still in flight after ${DRAIN_SECONDS} s: exiting anyway\n`);
      process.exit(1);
    }, DRAIN_SECONDS * 1000).unref();
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main().catch((error: unknown) => {
    const commander = error as { code?: string; exitCode?: number };
    if (commander.code?.startsWith('commander.')) process.exit(commander.exitCode ?? 1);
    process.stderr.write(`platform: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
