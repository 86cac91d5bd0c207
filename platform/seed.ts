// `npm run seed -- --projects N --executions M`: fills a platform with realistic data for demos and benchmarks.
// Uses the same database as `npm run platform` (--data-dir / CRAFT_DATA_DIR, DATABASE_URL).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { sql } from 'kysely';
import envPaths from 'env-paths';
import type { PlatformContext } from './context.js';
import { buildPlatform } from './index.js';
import { checkDeployKey } from './deploy-key.js';
import { encryptSecret, hashPassword } from './secrets.js';
import { newSlug } from './environments-store.js';
import { dropOlderExecutionChanges, recordChange } from './changes.js';
import { environmentSeq } from './executions-store.js';
import { storedExecutionDoc } from './execution-doc.js';
import { ensureLocalAdmin, LOCAL_ADMIN_EMAIL } from './index.js';

export interface SeedOptions {
  projects: number;
  executions: number;
  /** Environments per project (default 2). */
  environments?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Password of the seeded users (default: none, they reset it). */
  password?: string;
}

export interface SeedResult {
  users: { id: string; email: string }[];
  projects: string[];
  environments: { id: string; slug: string; project: string; name: string }[];
  executions: number;
}

const TEAM = [
  ['Ada Lovelace', 'ada'],
  ['Grace Hopper', 'grace'],
  ['Alan Turing', 'alan'],
  ['Katherine Johnson', 'katherine'],
  ['Edsger Dijkstra', 'edsger'],
  ['Barbara Liskov', 'barbara'],
] as const;
const USE_CASES = ['churn', 'fraud', 'demand-forecast', 'recommendation', 'pricing', 'anomaly', 'nlp-triage', 'image-qc', 'credit-risk', 'maintenance'];
const PIPELINES = ['train', 'evaluate', 'predict', 'etl', 'feature-build', 'drift-check'];
const ENVIRONMENTS = ['production', 'staging', 'dev', 'sandbox'];
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'running', 'pending'] as const;
const PACKAGES = ['libgomp1', 'libpq5', 'ffmpeg', 'libsndfile1', 'graphviz'];

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

export async function seed(ctx: PlatformContext, options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => {});
  const now = Date.now();
  const db = ctx.db;
  // Users: the local admin plus a small team.
  await ensureLocalAdmin(ctx);
  const passwordHash = options.password ? await hashPassword(options.password) : null;
  const users: { id: string; email: string }[] = [];
  for (const [name, handle] of TEAM) {
    const email = `${handle}@example.com`;
    const existing = await db.selectFrom('users').select('id').where('email', '=', email).where('deleted_at', 'is', null).executeTakeFirst();
    if (existing) {
      users.push({ id: existing.id, email });
      continue;
    }
    const id = randomUUID();
    const at = new Date(now - 90 * 86400_000).toISOString();
    await db.insertInto('users').values({ id, email, name, role: 'member', password_hash: passwordHash, sdk_token_hash: null, created_at: at, updated_at: at, deleted_at: null }).execute();
    users.push({ id, email });
  }
  log(`users: ${users.length} (+ ${LOCAL_ADMIN_EMAIL})`);

  // One deploy key for every seeded project (generating one each would only slow the seed down).
  const key = checkDeployKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const projects: string[] = [];
  const environments: SeedResult['environments'] = [];
  const suffix = randomBytes(2).toString('hex');
  for (let p = 0; p < options.projects; p++) {
    const name = `${pick(USE_CASES, p)}-${Math.floor(p / USE_CASES.length) || ''}${suffix}`.replace(/--/g, '-');
    const id = randomUUID();
    const owner = pick(users, p);
    const at = new Date(now - (60 - (p % 60)) * 86400_000).toISOString();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('projects')
        .values({
          id, name, python_version: pick(['3.10', '3.11', '3.12'], p), repository_url: `git@github.com:acme/${name}.git`, default_branch: 'main',
          folders: JSON.stringify(['/src', '/pipelines']), requirements_path: 'requirements.txt', system_dependencies: JSON.stringify([pick(PACKAGES, p)]),
          deploy_key_encrypted: encryptSecret(ctx.masterKey, key.privatePem, `project:${id}`), deploy_key_public: key.publicKey, deploy_key_fingerprint: key.fingerprint,
          created_at: at, created_by: owner.id, updated_at: at,
        })
        .execute();
      const members = [
        { project_id: id, user_id: owner.id, role: 'owner' as const, created_at: at },
        { project_id: id, user_id: pick(users, p + 1).id, role: 'editor' as const, created_at: at },
        { project_id: id, user_id: pick(users, p + 2).id, role: 'viewer' as const, created_at: at },
      ];
      await trx.insertInto('members').values(members).execute();
      await recordChange(trx, ctx, { resource: 'project', key: name, project_id: id, op: 'upsert' });
      for (let e = 0; e < (options.environments ?? 2); e++) {
        const env = { id: randomUUID(), slug: newSlug() + randomBytes(1).toString('hex'), name: pick(ENVIRONMENTS, e) };
        await trx
          .insertInto('environments')
          .values({ id: env.id, project_id: id, name: env.name, slug: env.slug, status: 'ready', default_branch: null, folders: null, requirements_path: null, system_dependencies: null, created_at: at, created_by: owner.id, updated_at: at })
          .execute();
        await recordChange(trx, ctx, { resource: 'environment', key: env.name, project_id: id, environment_id: env.id, op: 'upsert' });
        await trx
          .insertInto('deployments')
          .values([
            { id: randomUUID(), environment_id: env.id, name: 'predict-endpoint', pipeline_name: 'predict', type: 'endpoint', enabled: 1, status: 'up', schedule: null, created_at: at, created_by: owner.id, updated_at: at, updated_by: owner.id },
            { id: randomUUID(), environment_id: env.id, name: 'nightly-train', pipeline_name: 'train', type: 'periodic', enabled: 1, status: 'up', schedule: '0 3 * * *', created_at: at, created_by: owner.id, updated_at: at, updated_by: owner.id },
          ])
          .execute();
        environments.push({ ...env, project: name });
      }
    });
    projects.push(name);
  }
  log(`projects: ${projects.length}, environments: ${environments.length}`);

  // Executions, spread over the environments, oldest first, in batches.
  const total = environments.length === 0 ? 0 : options.executions;
  await insertExecutions(ctx, environments, total, users, { start: now - total * 60_000, log });

  // Logs for the newest executions of each environment.
  for (const env of environments) {
    const recent = await db.selectFrom('executions').select(['id', 'created_ms', 'pipeline_name']).where('environment_seq', '=', environmentSeq(env.id)).orderBy('created_ms', 'desc').orderBy('id', 'desc').limit(5).execute();
    for (const execution of recent) {
      const t = Number(execution.created_ms);
      const lines = ['Pulling image', 'Installing requirements', `Running pipeline ${execution.pipeline_name}`, 'Loaded 120,000 rows', 'Epoch 1/3 loss=0.41', 'Epoch 2/3 loss=0.33', 'Epoch 3/3 loss=0.29', 'Done'];
      await db.insertInto('execution_logs').values(lines.map((message, i) => ({ execution_seq: Number(execution.id), timestamp: new Date(t + i * 1000).toISOString(), message }))).execute();
    }
  }
  return { users, projects, environments, executions: total };
}

/**
 * Inserts `total` executions spread over `environments` (in turn), one a minute from `start`, each
 * with its change, in batches: the fast way to fill a platform (seed, tests, benchmarks).
 */
export async function insertExecutions(
  ctx: PlatformContext,
  environments: readonly { id: string; project: string }[],
  total: number,
  creators: readonly { id: string }[],
  /** first: the number of the first execution, so that later calls make other ids. */
  options: { start?: number; first?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const db = ctx.db;
  const log = options.log ?? (() => {});
  const BATCH = 2000; // 2,000 × 12 parameters: within SQLite's and PostgreSQL's limits
  const start = options.start ?? Date.now() - total * 60_000; // one a minute
  const first = options.first ?? 0;
  // The row numbers rows carry for environments and creators, and each step source's id, looked up once.
  const environmentSeqs = new Map((await db.selectFrom('environments').select(['id', 'seq']).where('id', 'in', environments.map((e) => e.id)).execute()).map((r) => [r.id, Number(r.seq)]));
  const creatorSeqs = new Map((await db.selectFrom('users').select(['id', 'seq']).where('id', 'in', creators.map((c) => c.id)).execute()).map((r) => [r.id, Number(r.seq)]));
  const sourceIds = new Map<string, number>();
  for (let done = 0; done < total; ) {
    const n = Math.min(BATCH, total - done);
    await db.transaction().execute(async (trx) => {
      const rows = [];
      const changes = [];
      for (let i = 0; i < n; i++) {
        const k = first + done + i;
        const env = environments[k % environments.length]!;
        const pipeline = pick(PIPELINES, k * 7 + (k >> 3));
        const status = pick(STATUSES, k * 13 + (k >> 5));
        const created = new Date(start + (done + i) * 60_000);
        const final = status === 'succeeded' || status === 'failed' || status === 'cancelled';
        const ended = final ? new Date(created.getTime() + 30_000 + (k % 600) * 1000).toISOString() : null;
        const executionId = `${pipeline}-${k.toString(36).padStart(6, '0')}${randomBytes(2).toString('hex')}`;
        const source = { commit_id: null, repository_url: `git@github.com:acme/${env.project}.git`, repository_branch: 'main', requirements_path: 'requirements.txt', origin: 'git_repository' };
        const steps = [
          { name: 'load', status: status === 'pending' ? 'pending' : 'succeeded', start_date: status === 'pending' ? null : created.toISOString(), end_date: status === 'pending' ? null : new Date(created.getTime() + 5000).toISOString(), ...source },
          { name: pipeline, status, start_date: status === 'pending' ? null : new Date(created.getTime() + 5000).toISOString(), end_date: ended, ...source },
        ];
        const creator = pick(creators, k).id;
        const row = {
          execution_id: executionId, status, created_at: created.toISOString(), created_by: creator, end_date: ended,
          pipeline_name: pipeline, deployment_name: pipeline === 'predict' ? 'predict-endpoint' : pipeline === 'train' ? 'nightly-train' : null,
        };
        const inputs = [{ pipeline_input_name: 'dataset', data_type: 'string', mapping_type: 'run', mapping_value: {}, value: `s3://acme/${env.project}/${created.toISOString().slice(0, 10)}.parquet` }];
        const outputs = status === 'succeeded' ? [{ pipeline_output_name: 'score', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: Math.round(((k * 7919) % 1000) / 10) / 100 }] : [];
        const creatorSeq = creatorSeqs.get(creator) ?? null;
        const stored = storedExecutionDoc({ ...row, steps, inputs, outputs } as Parameters<typeof storedExecutionDoc>[0], creatorSeq !== null);
        let sourceId: number | null = null;
        if (stored.source !== null) {
          sourceId = sourceIds.get(stored.source) ?? null;
          if (sourceId === null) {
            const found = await trx.selectFrom('execution_step_sources').select('id').where('source', '=', stored.source).executeTakeFirst();
            sourceId = Number(found?.id ?? (await trx.insertInto('execution_step_sources').values({ source: stored.source }).returning('id').executeTakeFirstOrThrow()).id);
            sourceIds.set(stored.source, sourceId);
          }
        }
        rows.push({
          execution_id: executionId, environment_seq: environmentSeqs.get(env.id)!, status, created_ms: stored.created_ms, end_ms: stored.end_ms, creator_seq: creatorSeq,
          pipeline_name: row.pipeline_name, deployment_name: row.deployment_name, step_source_id: sourceId, head: stored.head, doc: stored.doc,
        });
        changes.push({ resource: 'execution', key: executionId, project_id: null, environment_id: env.id, op: 'upsert' as const, audience: null, at: created.toISOString() });
      }
      const ids = (await trx.insertInto('changes').values(changes).returning('id').execute()).map((r) => Number(r.id)).sort((a, b) => a - b);
      await trx.insertInto('executions').values(rows.map((row, i) => ({ ...row, change_seq: ids[i]! }))).execute();
      // Only the newest execution change is kept (changes.ts, recordExecutionChange).
      await dropOlderExecutionChanges(trx, ids[ids.length - 1]!);
    });
    // The rows just dropped, reusable by the next batch as autovacuum would make them between live writes.
    if (ctx.dialect === 'postgres') await sql`VACUUM changes`.execute(db);
    done += n;
    if (done % 100_000 === 0 || done === total) log(`executions: ${done}/${total}`);
  }
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

async function main() {
  const program = new Command()
    .name('seed')
    .description('Fill a platform database with realistic data (same database as npm run platform)')
    .option('--projects <n>', 'projects to create', count, 5)
    .option('--executions <m>', 'executions to create, spread over the environments', count, 1000)
    .option('--environments <k>', 'environments per project', count, 2)
    .option('--data-dir <dir>', 'data directory (env CRAFT_DATA_DIR); DATABASE_URL selects PostgreSQL')
    .parse(process.argv.slice(2), { from: 'user' });
  const options = program.opts<{ projects: number; executions: number; environments: number; dataDir?: string }>();
  const dataDir = options.dataDir ?? process.env.CRAFT_DATA_DIR ?? envPaths('craft-mlops-platform', { suffix: '' }).data;
  const platform = await buildPlatform({ dataDir, databaseUrl: process.env.DATABASE_URL || undefined });
  const started = Date.now();
  try {
    const result = await seed(platform.context, { ...options, log: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`Seeded ${result.projects.length} projects, ${result.environments.length} environments, ${result.executions} executions in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await platform.close();
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main().catch((error: unknown) => {
    process.stderr.write(`seed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
