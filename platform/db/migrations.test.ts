// A database from the foundation issue (migration 0001 only) upgrades on start with its data intact.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationProvider, migrations } from './migrations.js';
import { buildPlatform } from '../index.js';
import { DIALECTS, freshPostgresDatabase, POSTGRES_URL } from '../test-helpers.js';
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

  it.skipIf(skip)('are named in order and upgrade a foundation database keeping its users, projects and members', async () => {
    const names = Object.keys(migrations(dialect));
    expect(names).toEqual([...names].sort());
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-migrate-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    let db: Kysely<any>;
    if (dialect === 'postgres') {
      const fresh = await freshPostgresDatabase(POSTGRES_URL!);
      cleanups.push(fresh.drop);
      databaseUrl = fresh.url;
      db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }) });
    } else {
      db = new Kysely({ dialect: new SqliteDialect({ database: new SQLite(join(dataDir, 'platform.sqlite')) }) });
    }
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
});
