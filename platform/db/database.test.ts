// How the hot path's reads reach each database (database.ts hotRead): on SQLite the writing connection
// while no transaction is open there, else a read-only connection of their own; on PostgreSQL statements
// planned once per pooled connection; and SQLite's checkpoints.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from './database.js';
import { WAL_BOUND_PAGES } from './checkpointer.js';
import { freshPostgresDatabase, POSTGRES_URL } from '../test-helpers.js';

/** What the hot-read tests opened, closed and removed once they are over. */
const opened: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of opened.reverse()) await cleanup();
});

/** A database of its own for a hot-read test: a fresh PostgreSQL database with `postgres`, else a SQLite file. */
async function openForHotReads(postgres: boolean): Promise<OpenDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'craft-hot-read-'));
  opened.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const fresh = postgres ? await freshPostgresDatabase(POSTGRES_URL!) : null;
  if (fresh) opened.push(fresh.drop);
  const database = await openDatabase({ dataDir, ...(fresh ? { databaseUrl: fresh.url } : {}) });
  opened.push(() => database.close());
  return database;
}

describe.skipIf(!POSTGRES_URL)(`hot reads on PostgreSQL${POSTGRES_URL ? '' : ' — needs CRAFT_TEST_DATABASE_URL (PostgreSQL)'}`, () => {
  const open = () => openForHotReads(true);

  it('are parsed and planned once per connection (named prepared statements), with the same rows as an unprepared query', async () => {
    const { db, hotRead } = await open();
    expect(hotRead).toBeDefined();
    const text = 'SELECT count(*) AS n, $1::text AS asked FROM kysely_migration';
    const first = await hotRead!(text, ['a']);
    const again = await hotRead!(text, ['b']);
    const unprepared = (await db.executeQuery(CompiledQuery.raw(text, ['b']))).rows;
    expect(again).toEqual(unprepared);
    expect(first).toEqual([{ n: (unprepared[0] as { n: number }).n, asked: 'a' }]);
    // Read one after another, the reads ran on one pooled connection, which now holds the statement.
    const prepared = await hotRead!('SELECT statement FROM pg_prepared_statements WHERE statement = $1', [text]);
    expect(prepared).toEqual([{ statement: text }]);
  });

  it('fail with the database error a query through Kysely gives (a bad statement names its fault)', async () => {
    const { hotRead } = await open();
    await expect(hotRead!('SELECT no_such_column FROM kysely_migration', [])).rejects.toThrow(/no_such_column/);
  });
});

describe.skipIf(!POSTGRES_URL)(`a platform on PostgreSQL${POSTGRES_URL ? '' : ' — needs CRAFT_TEST_DATABASE_URL (PostgreSQL)'}`, () => {
  it('goes on answering when the server closes its idle connections (a restart, an administrator), instead of crashing', async () => {
    const fresh = await freshPostgresDatabase(POSTGRES_URL!);
    opened.push(fresh.drop);
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-pg-idle-'));
    opened.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // In a process of its own: an error nobody listens for ends the process, as it would the platform's.
    const script = join(dataDir, 'script.mts');
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(fileURLToPath(new URL('./database.ts', import.meta.url)))};
      const database = await openDatabase({ dataDir: ${JSON.stringify(dataDir)}, databaseUrl: ${JSON.stringify(fresh.url)} });
      // Three pooled connections, idle once these end; then the server ends every one but the asker's.
      await Promise.all([1, 2, 3].map(() => database.hotRead('SELECT pg_sleep(0.05)', [])));
      const [{ n }] = await database.hotRead('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()', []);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [{ one }] = await database.hotRead('SELECT 1 AS one', []);
      process.stdout.write(\`closed \${n}, answered \${one}\\n\`);
      await database.close();`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect({ code, out }, err).toEqual({ code: 0, out: 'closed 2, answered 1\n' });
    // What an operator reads in the log: a warning that says what happened, not a crash.
    expect(err).toMatch(/DatabaseWarning: PostgreSQL closed an idle connection of the pool \(terminating connection due to administrator command\)/);
  }, 60_000);
});

describe('SQLite hot reads', () => {
  async function open(): Promise<OpenDatabase> {
    const database = await openForHotReads(false);
    await sql`CREATE TABLE hot_rows (name TEXT)`.execute(database.db);
    return database;
  }

  it('run on the connection that writes while no transaction is open there (its page cache is not dropped by every write)', async () => {
    const { db, hotRead } = await open();
    // A TEMP table is seen only by the connection that made it: Kysely's, the one that writes.
    await sql`CREATE TEMP TABLE only_on_writer (n INTEGER)`.execute(db);
    await sql`INSERT INTO only_on_writer (n) VALUES (7)`.execute(db);
    expect(await hotRead!('SELECT n FROM temp.only_on_writer', [])).toEqual([{ n: 7 }]);
  });

  it('never read what a transaction open through Kysely has written but not committed, and read it once committed', async () => {
    const { db, hotRead } = await open();
    let written!: () => void;
    let commit!: () => void;
    const inside = new Promise<void>((resolve) => (written = resolve));
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const transaction = db.transaction().execute(async (trx) => {
      await sql`INSERT INTO hot_rows (name) VALUES ('uncommitted')`.execute(trx);
      written();
      await committing;
    });
    await inside;
    expect(await hotRead!('SELECT name FROM hot_rows', [])).toEqual([]);
    commit();
    await transaction;
    expect(await hotRead!('SELECT name FROM hot_rows', [])).toEqual([{ name: 'uncommitted' }]);
  });

  it('refuse a statement that writes, and it writes nothing', async () => {
    const { db, hotRead } = await open();
    expect(() => hotRead!(`INSERT INTO hot_rows (name) VALUES ('sneaked in') RETURNING name`, [])).toThrow(/readonly/);
    const { rows } = await sql<{ name: string }>`SELECT name FROM hot_rows`.execute(db);
    expect(rows).toEqual([]);
  });
});

describe('SQLite writes run to their end at once (syncWrite)', () => {
  it('wait for a transaction open through Kysely on the same connection, and are not rolled back with it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-sync-write-'));
    const database = await openDatabase({ dataDir });
    try {
      await sql`CREATE TABLE bench_rows (name TEXT)`.execute(database.db);
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      // A Kysely transaction that awaits between its statements, then fails: its row goes, the other write's stays.
      const failing = database.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO bench_rows (name) VALUES ('rolled back')`.execute(trx);
        entered();
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('rolled back on purpose');
      });
      await inside;
      const written = database.syncWrite!((statement) => statement(`INSERT INTO bench_rows (name) VALUES ('kept')`).run().changes);
      await expect(failing).rejects.toThrow('rolled back on purpose');
      expect(await written).toBe(1);
      const { rows } = await sql<{ name: string }>`SELECT name FROM bench_rows`.execute(database.db);
      expect(rows).toEqual([{ name: 'kept' }]);
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('SQLite WAL checkpoints (db/checkpointer.ts: in a thread of their own, not in a commit)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const folder = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-checkpoint-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    return dataDir;
  };
  const walBytes = (dataDir: string) => (existsSync(join(dataDir, 'platform.sqlite-wal')) ? statSync(join(dataDir, 'platform.sqlite-wal')).size : 0);

  it('a clean close leaves every committed row in the database file and the WAL empty', async () => {
    const dataDir = folder();
    const database = await openDatabase({ dataDir });
    await sql`CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body BLOB)`.execute(database.db);
    for (let i = 0; i < 100; i++) await sql`INSERT INTO bench_rows (body) VALUES (randomblob(16384))`.execute(database.db);
    expect(walBytes(dataDir)).toBeGreaterThan(1024 * 1024);
    await database.close();
    expect(walBytes(dataDir)).toBe(0);
    const file = new SQLite(join(dataDir, 'platform.sqlite'), { readonly: true });
    try {
      expect(file.prepare('SELECT count(*) FROM bench_rows').pluck().get()).toBe(100);
    } finally {
      file.close();
    }
  });

  it('a process closing its database with the thread running finishes the close (and its WAL is emptied)', async () => {
    const dataDir = folder();
    const child = databaseScript(
      dataDir,
      `for (let i = 1; i <= 200; i++) await database.db.insertInto('bench_rows').values({ id: i, body: Buffer.alloc(8192, i) }).execute();
      await database.checkpointer.checkpointNow();
      process.stdout.write(database.checkpointer.running() ? 'thread\\n' : 'none\\n');
      await database.close();
      process.stdout.write('closed\\n');`,
    );
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect({ code, out }).toEqual({ code: 0, out: 'thread\nclosed\n' });
    expect(walBytes(dataDir)).toBe(0);
  }, 60_000);

  it('keeps every row committed before a kill -9, while its thread checkpointed the WAL meanwhile', async () => {
    const dataDir = folder();
    // A writer that never stops: each commit is announced after it returns; the test kills it mid-way.
    const child = databaseScript(
      dataDir,
      `for (let i = 1; ; i++) {
        await database.db.transaction().execute((trx) => trx.insertInto('bench_rows').values({ id: i, body: Buffer.alloc(8192, i) }).execute());
        process.stdout.write(\`committed \${i} \${database.checkpointer?.running() ? 'thread' : 'none'}\\n\`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }`,
    );
    let last = 0;
    let threadSeen = false;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.on('exit', (code) => reject(new Error(`the writer ended by itself (${code})`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const line of lines) {
          const [, n, thread] = line.split(' ');
          last = Number(n);
          if (thread === 'thread') threadSeen = true;
        }
        // Killed once the thread has checkpointed for a while (its WAL past 1 MB long before).
        if (threadSeen && last >= 600) {
          child.removeAllListeners('exit');
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }
      });
    });
    expect(threadSeen).toBe(true);
    // The thread kept the WAL far below the writer's own bound (4 KB pages).
    expect(walBytes(dataDir)).toBeLessThan(WAL_BOUND_PAGES * 4096);
    const database = await openDatabase({ dataDir });
    cleanups.push(() => database.close());
    const { rows } = await sql<{ n: number; top: number }>`SELECT count(*) AS n, max(id) AS top FROM bench_rows`.execute(database.db);
    expect(rows[0]!.top).toBeGreaterThanOrEqual(last);
    expect(rows[0]!.n).toBe(rows[0]!.top);
    const { rows: check } = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(database.db);
    expect(check).toEqual([{ integrity_check: 'ok' }]);
  }, 60_000);
});

/**
 * A Node process running `body` on the platform's database in `dataDir` (opened as `database`, with a
 * table bench_rows (id, body) created), its stdout piped: what a real process does when it closes or is killed.
 */
function databaseScript(dataDir: string, body: string) {
  const script = join(dataDir, 'script.mts');
  writeFileSync(
    script,
    `import { openDatabase } from ${JSON.stringify(fileURLToPath(new URL('./database.ts', import.meta.url)))};
    const database = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });
    await database.db.schema.createTable('bench_rows').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('body', 'blob').execute();
    ${body}`,
  );
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
}
