// Opens the platform database: a SQLite file (better-sqlite3, WAL) by default,
// PostgreSQL when the URL starts with postgres://. Runs the migrations before use.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider, migrations } from './migrations.js';
import { privateFolder, privateSqliteFile } from '../../common/private-files.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

/** Runs one compiled read (SQL and parameters as Kysely compiles them) and gives its rows. */
export type HotRead = (sqlText: string, parameters: readonly unknown[]) => Promise<unknown[]> | unknown[];

/**
 * SQLite: runs `work` as one transaction (BEGIN IMMEDIATE … COMMIT) on the writer connection, synchronously,
 * once no Kysely query or transaction holds that connection; `statement` gives a cached prepared statement.
 */
export type SyncWrite = <T>(work: (statement: (sqlText: string) => SQLite.Statement) => T) => Promise<T>;

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * The hot path's reads (db/prepared.ts), outside any transaction, run at once on the driver. SQLite: on the
   * main connection while no transaction is open there (all it holds is committed), else on a read-only
   * connection of their own: a Kysely transaction on the main one (its statements awaited one by one) then
   * never queues them, and they read only what is committed (WAL: a reader never waits for a writer). Not
   * always the read-only one: a connection drops its whole page cache once another has written, so with
   * writes every few milliseconds its reads went to the file again (+15% CPU a page, bench/platform.ts).
   * PostgreSQL: named prepared statements on the pool (see namedStatements).
   */
  hotRead?: HotRead;
  close(): Promise<void>;
  /** SQLite: writes run to their end at once (see SyncWrite). */
  syncWrite?: SyncWrite;
  /** SQLite: the WAL checkpoints' thread (db/checkpointer.ts). */
  checkpointer?: Checkpointer;
  /** PostgreSQL: the connection pool's state (for metrics). */
  poolStats?: () => PoolStats;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

const sqlitePath = (dataDir: string) => join(dataDir, 'platform.sqlite');

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export async function openDatabase(options: { dataDir: string; databaseUrl?: string | undefined; sqliteNativeBinding?: string | undefined }): Promise<OpenDatabase> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  let poolStats: (() => PoolStats) | undefined;
  let reader: SQLite.Database | undefined;
  let hotRead: HotRead | undefined;
  let file: SQLite.Database | undefined;
  let fileStatements: ReturnType<typeof withStatementCache> | undefined;
  let checkpointer: Checkpointer | undefined;
  let syncWrite: SyncWrite | undefined;
  if (isPostgresUrl(options.databaseUrl)) {
    dialect = 'postgres';
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      // int8 (counts, serial ids) as numbers: our counts and ids stay far below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // The server may end an idle pooled connection (a restart, a failover, an administrator): the pool
    // drops it and the next query opens another. Unlistened, that error would end the whole process.
    pool.on('error', (error) => process.emitWarning(`PostgreSQL closed an idle connection of the pool (${error.message}); the next query opens another`, 'DatabaseWarning'));
    poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    hotRead = namedStatements(pool);
  } else {
    dialect = 'sqlite';
    privateFolder(options.dataDir);
    privateSqliteFile(sqlitePath(options.dataDir));
    file = new SQLite(sqlitePath(options.dataDir), options.sqliteNativeBinding ? { nativeBinding: options.sqliteNativeBinding } : {});
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = NORMAL');
    file.pragma('foreign_keys = ON');
    file.pragma('busy_timeout = 5000');
    const writer = file;
    // Kysely's statements and, while no transaction is open, the hot reads (hotRead): room for both.
    const statements = (fileStatements = withStatementCache(writer, 1000));
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
    // Through Kysely's hold on its one connection (its mutex), so no transaction of its is open meanwhile.
    syncWrite = (work) => db.connection().execute(async () => writer.transaction(() => work((sqlText) => statements.prepare(sqlText))).immediate());
  }
  try {
    await withStartupLock(db, dialect, () => migrate(db, dialect));
    if (dialect === 'sqlite') {
      // Opened once migrated (WAL set, its files there), so it reads the current schema.
      reader = new SQLite(sqlitePath(options.dataDir), { readonly: true, ...(options.sqliteNativeBinding ? { nativeBinding: options.sqliteNativeBinding } : {}) });
      reader.pragma('busy_timeout = 5000');
      const readerStatements = withStatementCache(reader);
      const writer = file!;
      const writerStatements = fileStatements!;
      hotRead = (sqlText, parameters) => {
        if (!writer.inTransaction) {
          const statement = writerStatements.prepare(sqlText);
          // Only a statement that writes nothing (one that would is refused on the read-only connection).
          if (statement.readonly) return statement.all(parameters as unknown[]);
        }
        return readerStatements.prepare(sqlText).all(parameters as unknown[]);
      };
      checkpointer = startCheckpointer({ file: sqlitePath(options.dataDir), nativeBinding: options.sqliteNativeBinding, setAutocheckpoint: (pages) => void writer.pragma(`wal_autocheckpoint = ${pages}`) });
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const close = async () => {
    await checkpointer?.stop();
    reader?.close();
    if (file?.open) {
      // A clean close leaves everything in the database file (the WAL emptied): the other connections are
      // closed, so nothing holds a frame back. Busy (another process on the file): SQLite checkpoints later.
      try {
        file.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // the WAL stays; nothing is lost
      }
    }
    await db.destroy();
  };
  return { db, dialect, close, ...(poolStats ? { poolStats } : {}), ...(hotRead ? { hotRead } : {}), ...(checkpointer ? { checkpointer } : {}), ...(syncWrite ? { syncWrite } : {}) };
}

/**
 * PostgreSQL: the hot path's reads as named prepared statements (one name per SQL text), so each pooled
 * connection parses a statement once and keeps its plan (PostgreSQL's plan cache: a generic plan only
 * where it is estimated no worse than planning each call), not on every request: planning the
 * authentication's five joins took longer than running them (0.5 ms against 0.2), the page's 0.6 ms.
 * The rows are what Kysely gives (the pool's type parsers).
 */
function namedStatements(pool: pg.Pool): HotRead {
  const names = new Map<string, string>();
  return async (sqlText, parameters) => {
    let name = names.get(sqlText);
    if (name === undefined) names.set(sqlText, (name = `craft_${createHash('sha256').update(sqlText).digest('hex').slice(0, 24)}`));
    return (await pool.query({ name, text: sqlText, values: parameters as unknown[] })).rows as unknown[];
  };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements can be reused (each runs to completion
 * synchronously, so one statement is never used by two queries at once). Data statements only.
 */
function withStatementCache(file: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => file.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (statement) return statement;
      statement = file.prepare(sqlText);
      if (/^\s*(select|insert|update|delete|with)\b/i.test(sqlText)) {
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, statement);
      }
      return statement;
    },
  };
}

/** The key of the start-up advisory lock on PostgreSQL (any constant; the text says whose it is). */
const STARTUP_LOCK = sql`hashtext('craft-platform:startup')`;

/**
 * Runs `task` holding the platform's start-up lock: on PostgreSQL a session advisory lock on one
 * connection, so processes started at once on one database migrate it (and create the first admin)
 * one after the other; the lock goes with the connection if the process dies. SQLite needs none:
 * the embedded platform is one process, and SQLite has one writer at a time.
 */
export async function withStartupLock<T>(db: Kysely<Database>, dialect: Dialect, task: () => Promise<T>): Promise<T> {
  if (dialect !== 'postgres') return task();
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${STARTUP_LOCK})`.execute(connection);
    try {
      return await task();
    } finally {
      await sql`SELECT pg_advisory_unlock(${STARTUP_LOCK})`.execute(connection);
    }
  });
}

/** How many of this version's migrations the database has applied (readiness: all of them). */
export async function migrationStatus(db: Kysely<Database>, dialect: Dialect): Promise<{ applied: number; expected: number }> {
  const expected = Object.keys(migrations(dialect));
  const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db);
  const applied = new Set(rows.map((row) => row.name));
  return { applied: expected.filter((name) => applied.has(name)).length, expected: expected.length };
}

export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
