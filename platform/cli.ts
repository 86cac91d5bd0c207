// `npm run platform`: the platform standalone, for a team.
//   --port N / PORT, --host H / HOST, --data-dir DIR / CRAFT_DATA_DIR, DATABASE_URL (postgres://… selects PostgreSQL),
//   PUBLIC_URL, SMTP_HOST / SMTP_PORT / SMTP_FROM / SMTP_SECURE, CRAFT_MASTER_KEY, CRAFT_ADMIN_EMAIL / CRAFT_ADMIN_PASSWORD,
//   TRUST_PROXY (the load balancer's address), CRAFT_METRICS_TOKEN (turns /metrics on), CRAFT_LOG=1 (JSON request logs).
import { Command, InvalidArgumentError } from 'commander';
import envPaths from 'env-paths';
import { buildPlatform, type PlatformConfig } from './index.js';
import { ensureFirstAdmin } from './first-admin.js';
import { withStartupLock } from './db/database.js';

/** SIGTERM: requests in flight get this long to finish before the process exits anyway. */
const DRAIN_SECONDS = 25;

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number between 0 and 65535');
  return port;
}

export function configFromArgs(argv: string[], env: NodeJS.ProcessEnv): PlatformConfig & { host: string; port: number } {
  const program = new Command()
    .name('platform')
    .description('Craft MLOps platform server (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL)')
    .option('--port <n>', 'port to listen on (env PORT; 0 = any free port)', portNumber)
    .option('--host <host>', 'address to listen on (env HOST)')
    .option('--data-dir <dir>', 'where platform.sqlite and master.key live (env CRAFT_DATA_DIR)')
    .option('--public-url <url>', 'base URL users reach the platform at (env PUBLIC_URL)')
    .option('--log', 'log requests as JSON lines, with a request id (never bodies, tokens or keys; env CRAFT_LOG=1)')
    .option('--trust-proxy <addresses>', "the load balancer's addresses, whose X-Forwarded-For names the caller (env TRUST_PROXY; e.g. 127.0.0.1)")
    .exitOverride()
    .parse(argv, { from: 'user' });
  const options = program.opts<{ port?: number; host?: string; dataDir?: string; publicUrl?: string; log?: boolean; trustProxy?: string }>();
  const smtpHost = env.SMTP_HOST;
  return {
    host: options.host ?? env.HOST ?? '127.0.0.1',
    port: options.port ?? (env.PORT ? portNumber(env.PORT) : 8080),
    dataDir: options.dataDir ?? env.CRAFT_DATA_DIR ?? envPaths('craft-mlops-platform', { suffix: '' }).data,
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: options.publicUrl ?? env.PUBLIC_URL ?? undefined,
    logger: options.log ?? env.CRAFT_LOG === '1',
    trustProxy: options.trustProxy ?? (env.TRUST_PROXY || undefined),
    metricsToken: env.CRAFT_METRICS_TOKEN || undefined,
    mail: smtpHost
      ? { host: smtpHost, port: Number(env.SMTP_PORT ?? 25), from: env.SMTP_FROM ?? `Craft MLOps <noreply@${smtpHost}>`, secure: env.SMTP_SECURE === '1' }
      : undefined,
  };
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const config = configFromArgs(argv, env);
  const platform = await buildPlatform(config);
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
        `  (shown this once; you will be asked to choose a new one. Set CRAFT_ADMIN_EMAIL and CRAFT_ADMIN_PASSWORD before the first start to choose them.)\n`,
    );
  }
  process.stdout.write(
    config.mail
      ? `Mail: via SMTP ${config.mail.host}:${config.mail.port}\n`
      : 'Mail: no SMTP server (set SMTP_HOST, SMTP_PORT, SMTP_FROM): password reset and access mails are not sent; invitation codes are shown to the admin\n',
  );
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
