// A database from the foundation issue (migration 0001 only) upgrades on start with its data intact;
// executions stored before the SDK's shapes (0005) come out in them, with their data.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationProvider, migrations } from './migrations.js';
import { buildPlatform } from '../index.js';
import { bearer, DIALECTS, freshPostgresDatabase, POSTGRES_URL } from '../test-helpers.js';
import { platformContract } from '../../domain/platform-contract.js';
import { encryptSecret, loadMasterKey } from '../secrets.js';

/** A new data folder and database (a fresh PostgreSQL database, or SQLite in the folder) migrated up to `migration`, removed by `cleanups`. */
async function databaseMigratedTo(dialect: 'sqlite' | 'postgres', migration: string, cleanups: (() => Promise<void> | void)[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'craft-migrate-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl: string | undefined;
  let db: Kysely<any>;
  if (dialect === 'postgres') {
    const fresh = await freshPostgresDatabase(POSTGRES_URL!);
    cleanups.push(fresh.drop);
    databaseUrl = fresh.url;
    db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url }) }) });
  } else {
    db = new Kysely({ dialect: new SqliteDialect({ database: new SQLite(join(dataDir, 'platform.sqlite')) }) });
  }
  expect((await new Migrator({ db, provider: migrationProvider(dialect) }).migrateTo(migration)).error).toBeUndefined();
  return { dataDir, databaseUrl, db };
}

/** 12:00 UTC on 2025-01-01 plus `minute`, as the rows store it. */
const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 12, minute)).toISOString();

/** An admin u1, its project p1 ("legacy") and environment e1 ("env-one"), written as rows. */
async function insertLegacyEnvironment(db: Kysely<any>, dataDir: string): Promise<void> {
  await db.insertInto('users').values({ id: 'u1', email: 'u1@example.com', name: 'u1', role: 'admin', password_hash: null, sdk_token_hash: null, created_at: at(0), updated_at: at(0), deleted_at: null }).execute();
  await db
    .insertInto('projects')
    .values({
      id: 'p1', name: 'legacy', python_version: '3.10', repository_url: 'git@github.com:a/legacy.git', default_branch: 'main', folders: '["/"]', requirements_path: 'requirements.txt', system_dependencies: '[]',
      deploy_key_encrypted: encryptSecret(loadMasterKey(dataDir), 'secret', 'project:p1'), deploy_key_public: 'ssh-rsa AAAA', deploy_key_fingerprint: 'SHA256:x', created_at: at(0), created_by: 'u1', updated_at: at(0),
    })
    .execute();
  await db.insertInto('environments').values({ id: 'e1', project_id: 'p1', name: 'env-one', slug: 'env-one', status: 'ready', default_branch: null, folders: null, requirements_path: null, system_dependencies: null, created_at: at(0), created_by: 'u1', updated_at: at(0) }).execute();
}

/** The platform started on the migrated database, and the local admin's access header. */
async function platformSignedIn(dataDir: string, databaseUrl: string | undefined, cleanups: (() => Promise<void> | void)[]) {
  const platform = await buildPlatform({ dataDir, databaseUrl });
  cleanups.push(() => platform.close());
  const access = bearer(await platform.issueLocalAdminToken().then(async (token) => (await platform.app.inject({ method: 'POST', url: platformContract.refresh.path, payload: { refresh_token: token } })).json().access_token));
  return { platform, access };
}

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

    const { platform, access } = await platformSignedIn(dataDir, databaseUrl, cleanups);
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

describe.each(DIALECTS)('migration 0011 (compact executions) on $label', ({ dialect, skip }) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.skipIf(skip)('executions written before it are answered byte for byte as they were stored, filtered, in order, with their logs', async () => {
    const { dataDir, databaseUrl, db } = await databaseMigratedTo(dialect, '0010_executions_list_indexes', cleanups);
    const masterKey = loadMasterKey(dataDir);
    for (const id of ['u1', 'u2']) {
      await db.insertInto('users').values({ id, email: `${id}@example.com`, name: id, role: 'admin', password_hash: null, sdk_token_hash: null, created_at: at(0), updated_at: at(0), deleted_at: null }).execute();
    }
    await db
      .insertInto('projects')
      .values({
        id: 'p1', name: 'legacy', python_version: '3.10', repository_url: 'git@github.com:a/legacy.git', default_branch: 'main', folders: '["/"]', requirements_path: 'requirements.txt', system_dependencies: '[]',
        deploy_key_encrypted: encryptSecret(masterKey, 'secret', 'project:p1'), deploy_key_public: 'ssh-rsa AAAA', deploy_key_fingerprint: 'SHA256:x', created_at: at(0), created_by: 'u1', updated_at: at(0),
      })
      .execute();
    await db.insertInto('members').values({ project_id: 'p1', user_id: 'u1', role: 'owner', created_at: at(0) }).execute();
    for (const [id, slug] of [['e1', 'env-one'], ['e2', 'env-two']]) {
      await db.insertInto('environments').values({ id, project_id: 'p1', name: slug, slug, status: 'ready', default_branch: null, folders: null, requirements_path: null, system_dependencies: null, created_at: at(0), created_by: 'u1', updated_at: at(0) }).execute();
    }
    const source = { commit_id: null, repository_url: 'git@github.com:a/legacy.git', repository_branch: 'main', requirements_path: 'requirements.txt', origin: 'git_repository' };
    const step = (name: string, minute: number, from = source) => ({ name, status: 'succeeded', start_date: at(minute), end_date: at(minute + 1), ...from });
    const io = [{ pipeline_input_name: 'dataset', data_type: 'string', mapping_type: 'run', mapping_value: {}, value: 's3://a/"quoted"\n.csv' }];
    // Steps sharing a source, steps with another source each, none, a creator unknown to users, a document of a newer version (a field this one does not know).
    const executions = [
      { execution_id: 'train-0001', env: 'e1', status: 'succeeded', minute: 1, by: 'u1', deployment: 'nightly', steps: [step('load', 1), step('train', 2)] },
      { execution_id: 'train-0002', env: 'e1', status: 'failed', minute: 2, by: 'u2', deployment: null, steps: [step('load', 2), step('train', 3, { ...source, commit_id: 'abc123' } as never)] },
      { execution_id: 'predict-0003', env: 'e1', status: 'pending', minute: 3, by: 'u1', deployment: null, steps: [] },
      { execution_id: 'predict-0004', env: 'e2', status: 'running', minute: 2, by: 'ghost', deployment: null, steps: [step('only', 2)] },
      { execution_id: 'train-0005', env: 'e1', status: 'succeeded', minute: 2, by: 'u1', deployment: 'nightly', steps: [step('load', 2)], extra: true },
    ];
    const docs = new Map<string, string>();
    for (const [i, e] of executions.entries()) {
      const end = e.status === 'succeeded' || e.status === 'failed' ? at(e.minute + 5) : null;
      const pipeline = e.execution_id.split('-')[0]!;
      let doc = JSON.stringify({ execution_id: e.execution_id, status: e.status, created_at: at(e.minute), created_by: e.by, end_date: end, pipeline_name: pipeline, deployment_name: e.deployment, steps: e.steps, inputs: io, outputs: [] });
      if (e.extra) doc = doc.replace('"created_at":', '"queue_position":3,"created_at":');
      docs.set(e.execution_id, doc);
      await db.insertInto('changes').values({ resource: 'execution', key: e.execution_id, project_id: null, environment_id: e.env, op: 'upsert', audience: null, at: at(e.minute) }).execute();
      await db
        .insertInto('executions')
        .values({ execution_id: e.execution_id, environment_id: e.env, status: e.status, created_at: at(e.minute), created_by: e.by, end_date: end, pipeline_name: pipeline, deployment_name: e.deployment, updated_at: at(e.minute), change_seq: i + 1, doc })
        .execute();
    }
    await db.insertInto('execution_logs').values({ execution_seq: 1, timestamp: at(1), message: 'kept through the migration' }).execute();
    await db.destroy();

    const { platform, access } = await platformSignedIn(dataDir, databaseUrl, cleanups);
    const list = async (slug: string, query: string) => {
      const page = await platform.app.inject({ method: 'GET', url: `/environments/${slug}/api/v1/executions?${query}`, headers: access });
      expect(page.statusCode, page.body).toBe(200);
      const items = page.body.split('\n').slice(1, -1).map((line) => line.replace(/,$/, ''));
      return { items, body: page.json() as { next_cursor: string | null } };
    };
    // Oldest first: (created_at, id); newest first the reverse. Each item the stored text, byte for byte.
    expect((await list('env-one', 'sort=created_at&limit=10')).items).toEqual(['train-0001', 'train-0002', 'train-0005', 'predict-0003'].map((id) => docs.get(id)));
    expect((await list('env-one', 'sort=-created_at&limit=10')).items).toEqual(['predict-0003', 'train-0005', 'train-0002', 'train-0001'].map((id) => docs.get(id)));
    const first = await list('env-one', 'sort=-created_at&limit=2');
    expect(first.items).toEqual(['predict-0003', 'train-0005'].map((id) => docs.get(id)));
    expect((await list('env-one', `sort=-created_at&limit=2&cursor=${first.body.next_cursor}`)).items).toEqual(['train-0002', 'train-0001'].map((id) => docs.get(id)));
    expect((await list('env-one', 'created_by=u2')).items).toEqual([docs.get('train-0002')]);
    expect((await list('env-one', `created_after=${at(2)}&created_before=${at(3)}&sort=created_at`)).items).toEqual(['train-0002', 'train-0005'].map((id) => docs.get(id)));
    expect((await list('env-one', 'deployment_name=nightly&status=succeeded&sort=created_at')).items).toEqual(['train-0001', 'train-0005'].map((id) => docs.get(id)));
    expect((await list('env-two', 'limit=10')).items).toEqual([docs.get('predict-0004')]);
    expect((await list('env-two', 'created_by=ghost')).items).toEqual([]);
    expect((await list('env-one', 'since=0')).items).toEqual(['train-0001', 'train-0002', 'predict-0003', 'train-0005'].map((id) => docs.get(id)));
    for (const [id, doc] of docs) {
      const slug = id === 'predict-0004' ? 'env-two' : 'env-one';
      const one = await platform.app.inject({ method: 'GET', url: `/environments/${slug}/api/v1/executions/${id}`, headers: access });
      // One execution is answered in this version's schema (a field it does not know is not sent).
      const { queue_position: _unknown, ...known } = JSON.parse(doc);
      expect(one.json(), id).toEqual(known);
    }
    const logs = await platform.app.inject({ method: 'POST', url: '/environments/env-one/api/v1/executions/train-0001/logs', headers: access, payload: {} });
    expect(JSON.stringify(logs.json())).toContain('kept through the migration');
    // Stored once: one source for the steps that share it; no UUID, ISO date or copy of the status in the row.
    const stored = await platform.context.db.selectFrom('executions').selectAll().where('execution_id', '=', 'train-0001').executeTakeFirstOrThrow();
    expect(Object.keys(stored).sort()).toEqual(['change_seq', 'created_ms', 'creator_seq', 'deployment_name', 'doc', 'end_ms', 'environment_seq', 'execution_id', 'head', 'id', 'pipeline_name', 'status', 'step_source_id']);
    expect(stored.doc).not.toContain('train-0001');
    expect(stored.doc).not.toContain('repository_url');
    expect(await platform.context.db.selectFrom('execution_step_sources').select('source').execute()).toHaveLength(1);
    // A new execution after it: the next id, in the right environment and order.
    const created = await platform.app.inject({ method: 'POST', url: '/environments/env-one/api/v1/executions', headers: access, payload: { pipeline_name: 'train', inputs: [] } });
    expect(created.statusCode, created.body).toBe(201);
    const newest = await list('env-one', 'sort=-created_at&limit=1');
    expect(JSON.parse(newest.items[0]!).execution_id).toBe(created.json().execution_id);
    const ids = await platform.context.db.selectFrom('executions').select('id').orderBy('id').execute();
    expect(ids.map((r) => Number(r.id))).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe.each(DIALECTS)('migration 0012 (executions keep one change row) on $label', ({ dialect, skip }) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.skipIf(skip)('executions written before it read the same after (feed, filters, cursor); other changes stay; only the newest execution change is kept', async () => {
    const { dataDir, databaseUrl, db } = await databaseMigratedTo(dialect, '0011_compact_executions', cleanups);
    await insertLegacyEnvironment(db, dataDir);
    await db.insertInto('changes').values({ resource: 'project', key: 'legacy', project_id: 'p1', environment_id: null, op: 'upsert', audience: null, at: at(0) }).execute();
    const executions = [
      { execution_id: 'train-0001', status: 'succeeded', minute: 1, deployment: 'nightly' },
      { execution_id: 'train-0002', status: 'failed', minute: 2, deployment: null },
      { execution_id: 'train-0003', status: 'running', minute: 3, deployment: 'nightly' },
      { execution_id: 'predict-0004', status: 'pending', minute: 4, deployment: null },
    ];
    const docs = new Map<string, string>();
    for (const e of executions) {
      const pipeline = e.execution_id.split('-')[0]!;
      docs.set(e.execution_id, JSON.stringify({ execution_id: e.execution_id, status: e.status, created_at: at(e.minute), created_by: 'u1', end_date: null, pipeline_name: pipeline, deployment_name: e.deployment, steps: [], inputs: [], outputs: [] }));
      const change = await db.insertInto('changes').values({ resource: 'execution', key: e.execution_id, project_id: null, environment_id: 'e1', op: 'upsert', audience: null, at: at(e.minute) }).returning('id').executeTakeFirstOrThrow();
      await db
        .insertInto('executions')
        .values({
          execution_id: e.execution_id, environment_seq: sql`(SELECT seq FROM environments WHERE id = 'e1')`, status: e.status, created_ms: Date.parse(at(e.minute)), end_ms: null,
          creator_seq: sql`(SELECT seq FROM users WHERE id = 'u1')`, pipeline_name: pipeline, deployment_name: e.deployment, change_seq: change.id, step_source_id: null, head: null, doc: '"steps":[],"inputs":[],"outputs":[]}',
        })
        .execute();
    }
    await db.destroy();

    const { platform, access } = await platformSignedIn(dataDir, databaseUrl, cleanups);
    const list = async (query: string) => {
      const page = await platform.app.inject({ method: 'GET', url: `/environments/env-one/api/v1/executions?${query}`, headers: access });
      expect(page.statusCode, page.body).toBe(200);
      return { items: page.body.split('\n').slice(1, -1).map((line) => line.replace(/,$/, '')), changes_cursor: page.json().changes_cursor as string };
    };
    const feed = await list('since=0');
    expect(feed.items).toEqual(executions.map((e) => docs.get(e.execution_id)));
    expect(feed.changes_cursor).toBe('5');
    expect((await list('deployment_name=nightly&sort=created_at')).items).toEqual(['train-0001', 'train-0003'].map((id) => docs.get(id)));
    expect((await list('since=3')).items).toEqual(['train-0003', 'predict-0004'].map((id) => docs.get(id)));
    expect((await platform.app.inject({ method: 'GET', url: platformContract.getChangeCursor.path, headers: access })).json()).toEqual({ cursor: '5' });
    const kept = async () => (await platform.context.db.selectFrom('changes').select(['id', 'resource', 'key']).orderBy('id').execute()).map((c) => [Number(c.id), c.resource, c.key]);
    expect(await kept()).toEqual([[1, 'project', 'legacy'], [5, 'execution', 'predict-0004']]);
    // A write after it: the next change id, the older execution change dropped.
    const created = await platform.app.inject({ method: 'POST', url: '/environments/env-one/api/v1/executions', headers: access, payload: { pipeline_name: 'train', inputs: [] } });
    expect(created.statusCode, created.body).toBe(201);
    expect((await list('since=5')).items.map((item) => JSON.parse(item).execution_id)).toEqual([created.json().execution_id]);
    expect(await kept()).toEqual([[1, 'project', 'legacy'], [6, 'execution', created.json().execution_id]]);
  });
});

describe.each(DIALECTS)('migration 0013 (more fragments) on $label', ({ dialect, skip }) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.skipIf(skip)('executions stored before it are answered byte for byte as they were, in pages, the feed and alone, and are stored shorter', async () => {
    const { dataDir, databaseUrl, db } = await databaseMigratedTo(dialect, '0012_executions_lean_changes', cleanups);
    await insertLegacyEnvironment(db, dataDir);
    const source = { commit_id: null, repository_url: 'git@github.com:a/legacy.git', repository_branch: 'main', requirements_path: 'requirements.txt', origin: 'git_repository' };
    // Values that hold the new fragments' text (escaped, as JSON writes them) must come out as they went in.
    const tricky = '{"name":"x","status":"y"],"inputs":[,"value":';
    const executions = [
      { execution_id: 'train-0001', status: 'succeeded', minute: 1, steps: [{ name: 'load', status: 'succeeded', start_date: at(1), end_date: at(2), ...source }], outputs: [{ pipeline_output_name: 'score', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 0.9 }] },
      { execution_id: 'train-0002', status: 'running', minute: 2, steps: [{ name: tricky, status: 'running', start_date: at(2), end_date: null, ...source }], outputs: [] },
      { execution_id: 'train-0003', status: 'pending', minute: 3, steps: [], outputs: [] },
    ];
    const inputs = [{ pipeline_input_name: 'dataset', data_type: 'string', mapping_type: 'run', mapping_value: {}, value: tricky }];
    const old3: [string, string][] = [['\u0005', '","start_date":'], ['\u0007', '{"pipeline_input_name":"'], ['\u000f', '","mapping_type":"run","mapping_value":{}']];
    const docs = new Map<string, string>();
    const stored = new Map<string, string>();
    for (const [i, e] of executions.entries()) {
      const body = `"steps":${JSON.stringify(e.steps)},"inputs":${JSON.stringify(inputs)},"outputs":${JSON.stringify(e.outputs)}}`;
      docs.set(e.execution_id, `{"execution_id":"${e.execution_id}","status":"${e.status}","created_at":"${at(e.minute)}","created_by":"u1","end_date":null,"pipeline_name":"train","deployment_name":null,${body}`);
      let doc = body;
      for (const [mark, fragment] of old3) doc = doc.replaceAll(fragment, mark);
      stored.set(e.execution_id, doc);
      await db.insertInto('changes').values({ resource: 'execution', key: e.execution_id, project_id: null, environment_id: 'e1', op: 'upsert', audience: null, at: at(e.minute) }).execute();
      await db
        .insertInto('executions')
        .values({
          execution_id: e.execution_id, environment_seq: sql`(SELECT seq FROM environments WHERE id = 'e1')`, status: e.status, created_ms: Date.parse(at(e.minute)), end_ms: null,
          creator_seq: sql`(SELECT seq FROM users WHERE id = 'u1')`, pipeline_name: 'train', deployment_name: null, change_seq: i + 1, step_source_id: null, head: null, doc,
        })
        .execute();
    }
    await db.destroy();

    const { platform, access } = await platformSignedIn(dataDir, databaseUrl, cleanups);
    const list = async (query: string) => {
      const page = await platform.app.inject({ method: 'GET', url: `/environments/env-one/api/v1/executions?${query}`, headers: access });
      expect(page.statusCode, page.body).toBe(200);
      return page.body.split('\n').slice(1, -1).map((line) => line.replace(/,$/, ''));
    };
    const ids = executions.map((e) => e.execution_id);
    expect(await list('sort=created_at')).toEqual(ids.map((id) => docs.get(id)));
    expect(await list('since=0')).toEqual(ids.map((id) => docs.get(id)));
    for (const id of ids) {
      const one = await platform.app.inject({ method: 'GET', url: `/environments/env-one/api/v1/executions/${id}?include_io_values=true`, headers: access });
      expect(one.json(), id).toEqual(JSON.parse(docs.get(id)!));
    }
    const after = new Map((await platform.context.db.selectFrom('executions').select(['execution_id', 'doc']).execute()).map((r) => [r.execution_id, r.doc]));
    for (const id of ids) expect(after.get(id)!.length, id).toBeLessThan(stored.get(id)!.length);
    expect(after.get('train-0001')).not.toContain('"data_type"');
  });
});
