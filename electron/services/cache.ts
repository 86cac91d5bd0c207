// The offline cache: better-sqlite3 in WAL mode, one file <dataDir>/cache.sqlite, every
// row scoped by connection id. Schema migrations follow PRAGMA user_version. A file that
// cannot be opened or fails its integrity check is moved aside and rebuilt (the platform
// fills it again): the cache never crashes the app.
// It never stores a secret: projects carry only their public deploy key.
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Project } from '../../domain/project.js';
import type { User } from '../../domain/user.js';
import { narrowExisting, privateFolder, privateSqliteFile } from '../../common/private-files.js';

type DB = Database.Database;

/** Each entry moves the schema from version i to i + 1. Never edit a shipped entry. */
export const MIGRATIONS: string[] = [
  `CREATE TABLE projects (
     connection_id TEXT NOT NULL,
     name TEXT NOT NULL,
     data TEXT NOT NULL,
     synced_at TEXT NOT NULL,
     PRIMARY KEY (connection_id, name)
   ) WITHOUT ROWID;
   CREATE TABLE users_me (
     connection_id TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     synced_at TEXT NOT NULL
   );
   CREATE TABLE lists (
     connection_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     synced_at TEXT NOT NULL,
     PRIMARY KEY (connection_id, kind)
   ) WITHOUT ROWID;`,
  // 2: what the sync engine keeps — environments, deployments, executions (steps apart), users, cursors.
  `CREATE TABLE environments (
     connection_id TEXT NOT NULL,
     project TEXT NOT NULL,
     name TEXT NOT NULL,
     data TEXT NOT NULL,
     synced_at TEXT NOT NULL,
     PRIMARY KEY (connection_id, project, name)
   ) WITHOUT ROWID;
   CREATE TABLE deployments (
     connection_id TEXT NOT NULL,
     project TEXT NOT NULL,
     environment TEXT NOT NULL,
     name TEXT NOT NULL,
     data TEXT NOT NULL,
     synced_at TEXT NOT NULL,
     PRIMARY KEY (connection_id, project, environment, name)
   ) WITHOUT ROWID;
   CREATE TABLE executions (
     connection_id TEXT NOT NULL,
     execution_id TEXT NOT NULL,
     project TEXT NOT NULL,
     environment TEXT NOT NULL,
     status TEXT NOT NULL,
     pipeline_name TEXT NOT NULL,
     deployment_name TEXT,
     created_at TEXT NOT NULL,
     end_date TEXT,
     data TEXT NOT NULL,
     synced_at TEXT NOT NULL,
     PRIMARY KEY (connection_id, execution_id)
   );
   CREATE INDEX executions_by_environment ON executions (connection_id, project, environment, created_at);
   CREATE TABLE execution_steps (
     connection_id TEXT NOT NULL,
     execution_id TEXT NOT NULL,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     status TEXT NOT NULL,
     start_date TEXT,
     end_date TEXT,
     PRIMARY KEY (connection_id, execution_id, position)
   ) WITHOUT ROWID;
   CREATE TABLE users (
     connection_id TEXT NOT NULL,
     id TEXT NOT NULL,
     data TEXT NOT NULL,
     synced_at TEXT NOT NULL,
     PRIMARY KEY (connection_id, id)
   ) WITHOUT ROWID;
   CREATE TABLE sync_state (
     connection_id TEXT NOT NULL,
     scope TEXT NOT NULL,
     cursor TEXT,
     synced_at TEXT NOT NULL,
     PRIMARY KEY (connection_id, scope)
   ) WITHOUT ROWID;`,
];

/** A cached record and when the platform last gave it. */
export interface Cached<T> {
  item: T;
  synced_at: string;
}

export interface ExecutionFilter {
  project?: string;
  environment?: string;
  status?: string;
  pipeline_name?: string;
  limit?: number;
  offset?: number;
}

export interface CacheOpenReport {
  /** Set when the file was unreadable and moved aside; the cache starts empty. */
  rebuilt_from: string | null;
  reason: string | null;
}

function openDatabase(file: string): DB {
  if (file !== ':memory:') privateSqliteFile(file);
  const db = new Database(file, { timeout: 5_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check).slice(0, 200)}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: DB): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) throw new Error(`the cache was written by a newer version of the app (schema ${version})`);
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export class Cache {
  readonly file: string;
  readonly report: CacheOpenReport;
  protected readonly db: DB;

  protected constructor(file: string, db: DB, report: CacheOpenReport) {
    this.file = file;
    this.db = db;
    this.report = report;
  }

  /** Opens (or creates) the cache; an unreadable file is moved aside to `<file>.broken-<time>` and rebuilt. */
  static open(file: string): Cache {
    try {
      if (file !== ':memory:') privateFolder(dirname(file));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return new Cache(':memory:', openDatabase(':memory:'), { rebuilt_from: null, reason: `the cache folder cannot be created; the cache lives in memory for this session (${why})` });
    }
    try {
      return new Cache(file, openDatabase(file), { rebuilt_from: null, reason: null });
    } catch (error) {
      if (file === ':memory:') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const aside = `${file}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['', '-wal', '-shm']) {
        if (existsSync(file + suffix)) {
          try {
            renameSync(file + suffix, aside + suffix);
            narrowExisting([aside + suffix]);
          } catch {
            rmSync(file + suffix, { force: true });
          }
        }
      }
      try {
        return new Cache(file, openDatabase(file), { rebuilt_from: aside, reason });
      } catch (again) {
        // Not even a new file can be written there (read-only disk, permissions): keep the
        // app running on a cache that lives in memory for this session.
        const why = again instanceof Error ? again.message : String(again);
        return new Cache(':memory:', openDatabase(':memory:'), { rebuilt_from: null, reason: `${reason}; the cache lives in memory for this session (${why})` });
      }
    }
  }

  /** The underlying database, for the sync engine (same connection, same transactions). */
  get database(): DB {
    return this.db;
  }

  private markList(connectionId: string, kind: string, syncedAt: string): void {
    this.db
      .prepare('INSERT INTO lists (connection_id, kind, synced_at) VALUES (?, ?, ?) ON CONFLICT (connection_id, kind) DO UPDATE SET synced_at = excluded.synced_at')
      .run(connectionId, kind, syncedAt);
  }

  /** Replaces the connection's project list with the platform's answer (deletions included). */
  putProjects(connectionId: string, projects: Project[], syncedAt: string): void {
    const insert = this.db.prepare('INSERT INTO projects (connection_id, name, data, synced_at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projects WHERE connection_id = ?').run(connectionId);
      for (const project of projects) insert.run(connectionId, project.name, JSON.stringify(cleanProject(project)), syncedAt);
      this.markList(connectionId, 'projects', syncedAt);
    })();
  }

  putProject(connectionId: string, project: Project, syncedAt: string): void {
    this.db
      .prepare(
        'INSERT INTO projects (connection_id, name, data, synced_at) VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, name) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at',
      )
      .run(connectionId, project.name, JSON.stringify(cleanProject(project)), syncedAt);
  }

  deleteProject(connectionId: string, name: string): void {
    this.db.prepare('DELETE FROM projects WHERE connection_id = ? AND name = ?').run(connectionId, name);
  }

  listProjects(connectionId: string): { items: Project[]; synced_at: string | null } {
    const rows = this.db.prepare('SELECT data FROM projects WHERE connection_id = ? ORDER BY name').all(connectionId) as { data: string }[];
    const list = this.db.prepare("SELECT synced_at FROM lists WHERE connection_id = ? AND kind = 'projects'").get(connectionId) as { synced_at: string } | undefined;
    return { items: rows.map((r) => JSON.parse(r.data) as Project), synced_at: list?.synced_at ?? null };
  }

  getProject(connectionId: string, name: string): { item: Project; synced_at: string } | null {
    const row = this.db.prepare('SELECT data, synced_at FROM projects WHERE connection_id = ? AND name = ?').get(connectionId, name) as
      | { data: string; synced_at: string }
      | undefined;
    return row ? { item: JSON.parse(row.data) as Project, synced_at: row.synced_at } : null;
  }

  putUser(connectionId: string, user: User, syncedAt: string): void {
    this.db
      .prepare('INSERT INTO users_me (connection_id, data, synced_at) VALUES (?, ?, ?) ON CONFLICT (connection_id) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at')
      .run(connectionId, JSON.stringify(user), syncedAt);
  }

  getUser(connectionId: string): { item: User; synced_at: string } | null {
    const row = this.db.prepare('SELECT data, synced_at FROM users_me WHERE connection_id = ?').get(connectionId) as { data: string; synced_at: string } | undefined;
    return row ? { item: JSON.parse(row.data) as User, synced_at: row.synced_at } : null;
  }


  // ---- Sync engine storage (electron/services/sync.ts) -------------------------------
  // Every apply* call is one transaction that also moves the feed's cursor: a crash
  // (even SIGKILL) leaves either the page and its cursor, or neither.

  syncCursor(connectionId: string, scope: string): string | null {
    const row = this.db.prepare('SELECT cursor FROM sync_state WHERE connection_id = ? AND scope = ?').get(connectionId, scope) as { cursor: string | null } | undefined;
    return row?.cursor ?? null;
  }

  syncStates(connectionId: string): { scope: string; cursor: string | null; synced_at: string }[] {
    return this.db.prepare('SELECT scope, cursor, synced_at FROM sync_state WHERE connection_id = ? ORDER BY scope').all(connectionId) as {
      scope: string;
      cursor: string | null;
      synced_at: string;
    }[];
  }

  private setCursor(connectionId: string, scope: string, cursor: string | null, syncedAt: string): void {
    this.db
      .prepare('INSERT INTO sync_state (connection_id, scope, cursor, synced_at) VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, scope) DO UPDATE SET cursor = excluded.cursor, synced_at = excluded.synced_at')
      .run(connectionId, scope, cursor, syncedAt);
  }

  /** Forgets everything under an environment (its deployments, executions, steps and cursors). */
  private dropEnvironment(connectionId: string, project: string, environment: string): void {
    this.db.prepare('DELETE FROM deployments WHERE connection_id = ? AND project = ? AND environment = ?').run(connectionId, project, environment);
    this.db
      .prepare('DELETE FROM execution_steps WHERE connection_id = ? AND execution_id IN (SELECT execution_id FROM executions WHERE connection_id = ? AND project = ? AND environment = ?)')
      .run(connectionId, connectionId, project, environment);
    this.db.prepare('DELETE FROM executions WHERE connection_id = ? AND project = ? AND environment = ?').run(connectionId, project, environment);
    for (const kind of ['deployments', 'executions']) this.db.prepare('DELETE FROM sync_state WHERE connection_id = ? AND scope = ?').run(connectionId, scopeOf(kind, project, environment));
  }

  private dropProject(connectionId: string, project: string): void {
    const envs = this.db.prepare('SELECT name FROM environments WHERE connection_id = ? AND project = ?').all(connectionId, project) as { name: string }[];
    for (const env of envs) this.dropEnvironment(connectionId, project, env.name);
    this.db.prepare('DELETE FROM environments WHERE connection_id = ? AND project = ?').run(connectionId, project);
    this.db.prepare('DELETE FROM projects WHERE connection_id = ? AND name = ?').run(connectionId, project);
    this.db.prepare('DELETE FROM sync_state WHERE connection_id = ? AND scope = ?').run(connectionId, scopeOf('environments', project));
  }

  /**
   * Applies one page of a "changed since" feed of projects, environments or deployments.
   * `full`: the page is the whole list (first sync): whatever is not in it is deleted.
   */
  applyChanges(
    connectionId: string,
    kind: 'projects' | 'environments' | 'deployments',
    parent: { project?: string; environment?: string },
    page: { items: { name: string }[]; deleted: string[]; full: boolean },
    cursor: string | null,
    syncedAt: string,
  ): void {
    const scope = scopeOf(kind, parent.project, parent.environment);
    this.db.transaction(() => {
      const present = new Set(page.items.map((i) => i.name));
      if (kind === 'projects') {
        const gone = page.full
          ? (this.db.prepare('SELECT name FROM projects WHERE connection_id = ?').all(connectionId) as { name: string }[]).map((r) => r.name).filter((n) => !present.has(n))
          : page.deleted;
        for (const name of gone) this.dropProject(connectionId, name);
        for (const item of page.items) this.putProject(connectionId, item as Project, syncedAt);
        if (page.full) this.markList(connectionId, 'projects', syncedAt);
      } else if (kind === 'environments') {
        const project = parent.project!;
        const gone = page.full
          ? (this.db.prepare('SELECT name FROM environments WHERE connection_id = ? AND project = ?').all(connectionId, project) as { name: string }[])
              .map((r) => r.name)
              .filter((n) => !present.has(n))
          : page.deleted;
        for (const name of gone) {
          this.dropEnvironment(connectionId, project, name);
          this.db.prepare('DELETE FROM environments WHERE connection_id = ? AND project = ? AND name = ?').run(connectionId, project, name);
        }
        const upsert = this.db.prepare(
          'INSERT INTO environments (connection_id, project, name, data, synced_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (connection_id, project, name) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at',
        );
        for (const item of page.items) upsert.run(connectionId, project, item.name, JSON.stringify(stripSecrets(item)), syncedAt);
      } else {
        const { project, environment } = parent as { project: string; environment: string };
        if (page.full) this.db.prepare('DELETE FROM deployments WHERE connection_id = ? AND project = ? AND environment = ?').run(connectionId, project, environment);
        else for (const name of page.deleted) this.db.prepare('DELETE FROM deployments WHERE connection_id = ? AND project = ? AND environment = ? AND name = ?').run(connectionId, project, environment, name);
        const upsert = this.db.prepare(
          'INSERT INTO deployments (connection_id, project, environment, name, data, synced_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, project, environment, name) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at',
        );
        for (const item of page.items) upsert.run(connectionId, project, environment, item.name, JSON.stringify(stripSecrets(item)), syncedAt);
      }
      this.setCursor(connectionId, scope, cursor, syncedAt);
    })();
  }

  /** Applies one page of an environment's execution feed (upserts with their steps) and its cursor. */
  private readonly statements = new Map<string, Database.Statement>();
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  applyExecutions(connectionId: string, project: string, environment: string, items: ExecutionRecord[], cursor: string | null, syncedAt: string): void {
    const upsert = this.statement(
      `INSERT INTO executions (connection_id, execution_id, project, environment, status, pipeline_name, deployment_name, created_at, end_date, data, synced_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (connection_id, execution_id) DO UPDATE SET project = excluded.project, environment = excluded.environment, status = excluded.status,
         pipeline_name = excluded.pipeline_name, deployment_name = excluded.deployment_name, created_at = excluded.created_at, end_date = excluded.end_date,
         data = excluded.data, synced_at = excluded.synced_at`,
    );
    const dropSteps = this.statement('DELETE FROM execution_steps WHERE connection_id = ? AND execution_id = ?');
    const step = this.statement('INSERT INTO execution_steps (connection_id, execution_id, position, name, status, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const existing = this.statement('SELECT execution_id FROM executions WHERE connection_id = ? AND execution_id IN (SELECT value FROM json_each(?))');
    this.db.transaction(() => {
      // One query per page tells which executions are already cached (their old steps go);
      // a first sync then inserts without a delete per row.
      const known = new Set((existing.all(connectionId, JSON.stringify(items.map((e) => e.execution_id))) as { execution_id: string }[]).map((r) => r.execution_id));
      for (const execution of items) {
        // The row's JSON is the whole execution (a step's fields are the platform's: where its code came
        // from…); the steps' own table keeps what the timeline reads.
        const steps = execution.steps;
        const data = JSON.stringify(execution);
        upsert.run(
          connectionId,
          execution.execution_id,
          project,
          environment,
          execution.status,
          execution.pipeline_name,
          execution.deployment_name ?? null,
          execution.created_at,
          execution.end_date ?? null,
          data,
          syncedAt,
        );
        if (known.has(execution.execution_id)) dropSteps.run(connectionId, execution.execution_id);
        else known.add(execution.execution_id); // the same execution twice in one page
        if (steps) for (let i = 0; i < steps.length; i++) {
          const s = steps[i]!;
          step.run(connectionId, execution.execution_id, i, s.name, s.status, s.start_date ?? null, s.end_date ?? null);
        }
      }
      this.setCursor(connectionId, scopeOf('executions', project, environment), cursor, syncedAt);
    })();
  }

  /** Replaces the connection's user list (a small list, fetched whole). */
  replaceUsers(connectionId: string, users: { id: string }[], syncedAt: string): void {
    const insert = this.db.prepare('INSERT INTO users (connection_id, id, data, synced_at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM users WHERE connection_id = ?').run(connectionId);
      for (const user of users) insert.run(connectionId, user.id, JSON.stringify(stripSecrets(user)), syncedAt);
      this.setCursor(connectionId, 'users', null, syncedAt);
    })();
  }

  listEnvironments(connectionId: string, project: string): Cached<Record<string, unknown>>[] {
    return (this.db.prepare('SELECT data, synced_at FROM environments WHERE connection_id = ? AND project = ? ORDER BY name').all(connectionId, project) as Row[]).map(parseRow);
  }

  listDeployments(connectionId: string, project: string, environment: string): Cached<Record<string, unknown>>[] {
    return (
      this.db.prepare('SELECT data, synced_at FROM deployments WHERE connection_id = ? AND project = ? AND environment = ? ORDER BY name').all(connectionId, project, environment) as Row[]
    ).map(parseRow);
  }

  listUsers(connectionId: string): Cached<Record<string, unknown>>[] {
    return (this.db.prepare('SELECT data, synced_at FROM users WHERE connection_id = ? ORDER BY id').all(connectionId) as Row[]).map(parseRow);
  }

  /** Executions, newest first, without steps (getExecution has them). */
  listExecutions(connectionId: string, filter: ExecutionFilter = {}): { items: ExecutionRecord[]; total: number } {
    const where = ['connection_id = ?'];
    const args: unknown[] = [connectionId];
    for (const key of ['project', 'environment', 'status', 'pipeline_name'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = ?`);
        args.push(filter[key]);
      }
    }
    const clause = where.join(' AND ');
    const total = (this.db.prepare(`SELECT count(*) AS n FROM executions WHERE ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT data FROM executions WHERE ${clause} ORDER BY created_at DESC, execution_id LIMIT ? OFFSET ?`)
      .all(...args, filter.limit ?? 100, filter.offset ?? 0) as { data: string }[];
    return { items: rows.map((r) => ({ ...(JSON.parse(r.data) as ExecutionRecord), steps: [] })), total };
  }

  getExecution(connectionId: string, executionId: string): Cached<ExecutionRecord> | null {
    const row = this.db.prepare('SELECT data, synced_at FROM executions WHERE connection_id = ? AND execution_id = ?').get(connectionId, executionId) as Row | undefined;
    if (!row) return null;
    const item = JSON.parse(row.data) as ExecutionRecord;
    if (Array.isArray(item.steps)) return { item, synced_at: row.synced_at };
    // Written by an older app: the steps are only in their table.
    const steps = this.db
      .prepare('SELECT name, status, start_date, end_date FROM execution_steps WHERE connection_id = ? AND execution_id = ? ORDER BY position')
      .all(connectionId, executionId) as ExecutionRecord['steps'];
    return { item: { ...item, steps }, synced_at: row.synced_at };
  }

  /** Forgets everything cached for a connection (when it is removed). */
  clearConnection(connectionId: string): void {
    this.db.transaction(() => {
      for (const table of ['projects', 'users_me', 'lists', 'environments', 'deployments', 'executions', 'execution_steps', 'users', 'sync_state']) this.db.prepare(`DELETE FROM ${table} WHERE connection_id = ?`).run(connectionId);
    })();
  }

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Belt and braces: whatever the platform sends, no secret-looking field reaches the cache. */
function stripSecrets<T extends object>(record: T): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const key of Object.keys(copy)) if (/private|deploy_key$|secret|token|password/i.test(key)) delete copy[key];
  return copy as T;
}

function cleanProject(project: Project): Project {
  return stripSecrets(project);
}

/** The sync_state key of a feed: "projects", "environments/<p>", "executions/<p>/<e>"… */
export function scopeOf(kind: string, project?: string, environment?: string): string {
  return [kind, project, environment].filter((x) => x !== undefined).join('/');
}

interface Row {
  data: string;
  synced_at: string;
}

function parseRow(row: Row): Cached<Record<string, unknown>> {
  return { item: JSON.parse(row.data) as Record<string, unknown>, synced_at: row.synced_at };
}

/** An execution as the platform returns it (domain/execution.ts), loosely typed for storage. */
export interface ExecutionRecord {
  execution_id: string;
  status: string;
  created_at: string;
  created_by?: string;
  end_date: string | null;
  pipeline_name: string;
  deployment_name: string | null;
  steps: { name: string; status: string; start_date: string | null; end_date: string | null }[];
  inputs?: unknown[];
  outputs?: unknown[];
  [key: string]: unknown;
}
