// A database from the foundation issue (migration 0001 only) upgrades on start with its data intact;
// executions stored before the SDK's shapes (0005) come out in them, with their data.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationProvider, migrations } from './migrations.js';
import { buildPlatform } from '../index.js';
import { bearer, DIALECTS, freshPostgresDatabase, POSTGRES_URL } from '../test-helpers.js';
import { platformContract } from '../../domain/platform-contract.js';
import { encryptSecret, loadMasterKey } from '../secrets.js';

describe('migrations', () => {
  it('call no live application code: they import kysely and types only, so a shipped migration never changes', () => {
    const source = readFileSync(join(import.meta.dirname, 'migrations.ts'), 'utf8');
    const imports = [...source.matchAll(/^import\s+(type\s+)?.*?from\s+'([^']+)'/gms)].map((m) => ({ typeOnly: !!m[1], from: m[2]! }));
    expect(imports.filter((i) => !i.typeOnly && i.from !== 'kysely')).toEqual([]);
  });
});

describe.each(DIALECTS)('migrations on $label', ({ dialect, skip }) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** An empty database of this dialect, its data folder, and a Kysely on it. */
  async function freshDatabase(): Promise<{ dataDir: string; databaseUrl: string | undefined; db: Kysely<any> }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-migrate-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    if (dialect === 'postgres') {
      const fresh = await freshPostgresDatabase(POSTGRES_URL!);
      cleanups.push(fresh.drop);
      return { dataDir, databaseUrl: fresh.url, db: new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url }) }) }) };
    }
    return { dataDir, databaseUrl: undefined, db: new Kysely({ dialect: new SqliteDialect({ database: new SQLite(join(dataDir, 'platform.sqlite')) }) }) };
  }

  it.skipIf(skip)('are named in order and upgrade a foundation database keeping its users, projects and members', async () => {
    const names = Object.keys(migrations(dialect));
    expect(names).toEqual([...names].sort());
    const { dataDir, databaseUrl, db } = await freshDatabase();
    const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
    expect((await migrator.migrateTo('0001_foundation')).error).toBeUndefined();
    const now = new Date().toISOString();
    const masterKey = loadMasterKey(dataDir);
    await db.insertInto('users').values({ id: 'u1', email: 'old@example.com', name: 'Old Timer', role: 'admin', password_hash: null, sdk_token_hash: 'h', created_at: now, updated_at: now, deleted_at: null }).execute();
    await db
      .insertInto('projects')
      .values({
        id: 'p1', name: 'legacy', python_version: '3.10', repository_url: 'git@github.com:a/legacy.git', default_branch: '', folders: '["/"]', requirements_path: '', system_dependencies: '[]',
        deploy_key_encrypted: encryptSecret(masterKey, 'secret', 'project:p1'), deploy_key_public: 'ssh-rsa AAAA', deploy_key_fingerprint: 'SHA256:x', created_at: now, created_by: 'u1', updated_at: now,
      })
      .execute();
    await db.insertInto('members').values({ project_id: 'p1', user_id: 'u1', role: 'owner', created_at: now }).execute();
    await db.destroy();

    const platform = await buildPlatform({ dataDir, databaseUrl });
    cleanups.push(() => platform.close());
    const user = await platform.context.db.selectFrom('users').selectAll().where('id', '=', 'u1').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email: 'old@example.com', name: 'Old Timer', password_change_required: 0 });
    const project = await platform.context.db.selectFrom('projects').select(['name', 'python_version']).executeTakeFirstOrThrow();
    expect(project).toEqual({ name: 'legacy', python_version: '3.10' });
    const applied = await new Migrator({ db: platform.context.db, provider: migrationProvider(dialect) }).getMigrations();
    expect(applied.every((m) => m.executedAt)).toBe(true);
  });

  it.skipIf(skip)('executions stored before the SDK shapes come out in them with their data; deployments say who changed them', async () => {
    const { dataDir, databaseUrl, db } = await freshDatabase();
    expect((await new Migrator({ db, provider: migrationProvider(dialect) }).migrateTo('0005_executions_doc_and_pipeline_status_index')).error).toBeUndefined();
    const now = '2024-05-01T12:00:00.000Z';
    const masterKey = loadMasterKey(dataDir);
    await db.insertInto('users').values({ id: 'u1', email: 'old@example.com', name: 'Old Timer', role: 'admin', password_hash: null, sdk_token_hash: null, created_at: now, updated_at: now, deleted_at: null }).execute();
    await db
      .insertInto('projects')
      .values({
        id: 'p1', name: 'legacy', python_version: '3.10', repository_url: 'git@github.com:a/legacy.git', default_branch: '', folders: '["/"]', requirements_path: '', system_dependencies: '[]',
        deploy_key_encrypted: encryptSecret(masterKey, 'secret', 'project:p1'), deploy_key_public: 'ssh-rsa AAAA', deploy_key_fingerprint: 'SHA256:x', created_at: now, created_by: 'u1', updated_at: now,
      })
      .execute();
    await db.insertInto('members').values({ project_id: 'p1', user_id: 'u1', role: 'owner', created_at: now }).execute();
    await db.insertInto('environments').values({ id: 'e1', project_id: 'p1', name: 'production', slug: 'old-env-slug', status: 'ready', default_branch: null, folders: null, requirements_path: null, system_dependencies: null, created_at: now, created_by: 'u1', updated_at: now }).execute();
    await db.insertInto('deployments').values({ id: 'd1', environment_id: 'e1', name: 'nightly', pipeline_name: 'train', type: 'periodic', enabled: 1, status: 'up', schedule: '0 3 * * *', created_at: now, created_by: 'u1', updated_at: now }).execute();
    // As the platform wrote them before: {name, data_type?, value?} and short steps, in columns and in doc.
    const old = {
      execution_id: 'train-0001', environment_id: 'e1', status: 'succeeded', created_at: now, created_by: 'u1', end_date: now, pipeline_name: 'train', deployment_name: 'nightly',
      steps: JSON.stringify([{ name: 'fit', status: 'succeeded', start_date: now, end_date: now }]),
      inputs: JSON.stringify([{ name: 'epochs', data_type: 'int', value: 3 }, { name: 'dataset', value: 's3://a/b.csv' }, { name: 'config', data_type: 'json', value: { lr: 0.1 } }]),
      outputs: JSON.stringify([{ name: 'accuracy', value: 0.91 }]),
      updated_at: now, change_seq: 1,
    };
    const oldDoc = `{"execution_id":"train-0001","status":"succeeded","created_at":"${now}","created_by":"u1","end_date":"${now}","pipeline_name":"train","deployment_name":"nightly","steps":${old.steps},"inputs":${old.inputs},"outputs":${old.outputs}}`;
    await db.insertInto('executions').values({ ...old, doc: oldDoc }).execute();
    await db.destroy();

    const platform = await buildPlatform({ dataDir, databaseUrl });
    cleanups.push(() => platform.close());
    const access = bearer(await platform.issueLocalAdminToken().then(async (token) => (await platform.app.inject({ method: 'POST', url: platformContract.refresh.path, payload: { refresh_token: token } })).json().access_token));
    const read = await platform.app.inject({ method: 'GET', url: '/environments/old-env-slug/api/v1/executions/train-0001', headers: access });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({
      execution_id: 'train-0001', status: 'succeeded', created_at: now, created_by: 'u1', end_date: now, pipeline_name: 'train', deployment_name: 'nightly',
      steps: [{ name: 'fit', status: 'succeeded', start_date: now, end_date: now, commit_id: null, repository_url: null, repository_branch: null, requirements_path: null, origin: null }],
      inputs: [
        { pipeline_input_name: 'epochs', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 3 },
        { pipeline_input_name: 'dataset', data_type: 'string', mapping_type: 'run', mapping_value: {}, value: 's3://a/b.csv' },
        { pipeline_input_name: 'config', data_type: 'json', mapping_type: 'run', mapping_value: {}, value: { lr: 0.1 } },
      ],
      outputs: [{ pipeline_output_name: 'accuracy', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 0.91 }],
    });
    // Stored once: the document is the only copy of steps, inputs and outputs.
    const columns = Object.keys(await platform.context.db.selectFrom('executions').selectAll().executeTakeFirstOrThrow());
    expect(columns.filter((c) => ['steps', 'inputs', 'outputs'].includes(c))).toEqual([]);
    const deployment = await platform.app.inject({ method: 'GET', url: '/environments/old-env-slug/api/v1/deployments/nightly', headers: access });
    expect(deployment.json()).toMatchObject({ name: 'nightly', created_by: 'u1', updated_by: 'u1', schedule: '0 3 * * *' });
  });
});
