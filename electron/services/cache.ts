// The offline cache: better-sqlite3 in WAL mode, one file <dataDir>/cache.sqlite, every
// row scoped by connection id. Schema migrations follow PRAGMA user_version. A file that
// cannot be opened or fails its integrity check is moved aside and rebuilt (the platform
// fills it again): the cache never crashes the app.
// It never stores a secret: projects carry only their public deploy key.
// Readers return domain objects parsed with the domain schemas. A row the current schema cannot
// read (written by an older app) is skipped and forgotten, and the feed that brought it starts
// again from its first pass at the next sync: one unreadable row never costs the whole cache.
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { executionRowSchema, IO_COLUMN_PATTERN, type ExecutionRow, type ExecutionsVersion } from '../../domain/app-api-contract.js';
import { deploymentSchema, environmentSchema, type Deployment, type Environment } from '../../domain/environment.js';
import { executionSchema, settledSteps, type Execution } from '../../domain/execution.js';
import { userCardSchema } from '../../domain/platform-contract.js';
import { projectSchema, type Project } from '../../domain/project.js';
import { userSchema, type User } from '../../domain/user.js';
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
  // 3: an execution's row keeps its whole JSON, steps included (a step's fields are the platform's,
  // whatever they become), and its creator as a column (the executions table reads columns only).
  `ALTER TABLE executions ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
   UPDATE executions SET
     created_by = COALESCE(json_extract(data, '$.created_by'), ''),
     data = json_set(data, '$.steps', json((
       SELECT json_group_array(json_object('name', s.name, 'status', s.status, 'start_date', s.start_date, 'end_date', s.end_date))
       FROM (SELECT name, status, start_date, end_date FROM execution_steps
             WHERE connection_id = executions.connection_id AND execution_id = executions.execution_id ORDER BY position) AS s)));
   DROP TABLE execution_steps;`,
  // 4: each execution row's revision (the cache-wide count of execution writes when it was last
  // written), so that a live list asks only for what changed since it last read (listExecutionRows
  // since); and how many times executions were deleted, which makes a list read again whole.
  `ALTER TABLE executions ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX executions_by_rev ON executions (rev);
   CREATE TABLE cache_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO cache_counters (name, value) VALUES ('execution_deletions', 0);`,
];

/**
 * An execution cached by an app from before the SDK's shapes: steps without where their code came
 * from, inputs and outputs as {name, data_type?, value?}, steps left running after it ended. Read in today's shape, so what was seen stays
 * readable offline (a row that still does not parse is skipped and re-synced).
 */
function upgradeCachedExecution(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data;
  const execution = data as Record<string, unknown>;
  const asList = (value: unknown) => (Array.isArray(value) ? (value as Record<string, unknown>[]) : value);
  const io = (items: unknown, nameKey: 'pipeline_input_name' | 'pipeline_output_name') =>
    Array.isArray(items)
      ? items.map((item: Record<string, unknown>) =>
          typeof item?.[nameKey] === 'string' || typeof item?.name !== 'string'
            ? item
            : { [nameKey]: item.name, data_type: item.data_type ?? 'json', mapping_type: 'run', mapping_value: {}, ...('value' in item ? { value: item.value } : {}) },
        )
      : items;
  const steps = asList(execution.steps);
  const upgraded = Array.isArray(steps) ? steps.map((step) => ({ commit_id: null, repository_url: null, repository_branch: null, requirements_path: null, origin: null, ...step })) : steps;
  return {
    ...execution,
    // An execution that ended before the platform settled its steps shows none still running.
    steps: Array.isArray(upgraded) && typeof execution.status === 'string' ? settledSteps(upgraded as { status: string; start_date: string | null; end_date: string | null }[], execution.status, (execution.end_date as string | null) ?? null) : upgraded,
    inputs: io(execution.inputs, 'pipeline_input_name'),
    outputs: io(execution.outputs, 'pipeline_output_name'),
  };
}
const cachedExecutionSchema = z.preprocess(upgradeCachedExecution, executionSchema);

/** A cached record and when the platform last gave it. */
export interface Cached<T> {
  item: T;
  synced_at: string;
}

/** A user as the platform lists them: a card {id, name, email}; administrators also get role and dates. */
export type UserCard = z.output<typeof userCardSchema>;

export interface ExecutionFilter {
  project?: string;
  environment?: string;
  status?: string;
  pipeline_name?: string;
  deployment_name?: string;
  limit?: number;
  offset?: number;
}

/** The lists the platform's "changed since" feeds keep in the cache, what each holds and what names its parent. */
export interface ListItem {
  projects: Project;
  environments: Environment;
  deployments: Deployment;
}
export type ListKind = keyof ListItem;
export interface ListParent {
  projects: Record<string, never>;
  environments: { project: string };
  deployments: { project: string; environment: string };
}
/** One page of a feed: the items changed, the names deleted; `full`: the page is the whole list (whatever is not in it goes). */
export interface ChangesPage<K extends ListKind> {
  items: ListItem[K][];
  deleted: string[];
  full: boolean;
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
    // A new file gets 16 KiB pages (a file that exists keeps its own): an execution's row is about
    // 1.3 KB, and with 4 KiB pages SQLite writes, checksums and checkpoints four times as many WAL
    // frames for the same rows (about 30% more CPU to insert them).
    db.pragma(`page_size = ${CACHE_PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    for (const pragma of connectionPragmas(db.pragma('page_size', { simple: true }) as number)) db.pragma(pragma);
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

/** The page size of a new cache file (bench/sync.ts gives its bare insert the same). */
export const CACHE_PAGE_SIZE = 16_384;

/**
 * Per connection, not stored in the file (the cache writer's connection sets them too). A sync
 * commits a page at a time: checkpoint (the only step that waits for the disk) every 64 MB of WAL
 * rather than every 1000 pages, and give the file back down to 16 MB afterwards.
 */
export function connectionPragmas(pageSize: number): string[] {
  return ['synchronous = NORMAL', `wal_autocheckpoint = ${Math.max(1000, Math.round((64 * 1024 * 1024) / pageSize))}`, 'journal_size_limit = 16777216'];
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

interface Row {
  data: string;
  synced_at: string;
}

/** The stored JSON of a row, or undefined when it is not JSON at all. */
function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class Cache {
  readonly file: string;
  readonly report: CacheOpenReport;
  protected readonly db: DB;
  private readonly statements = new Map<string, Database.Statement>();

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

  /** A statement prepared once per connection (better-sqlite3 statements are reusable). */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * The rows that `schema` reads. One it cannot (written by an older app) is skipped, and the feed
   * that brought it (`scope`) starts again from its first pass at the next sync, which rewrites the
   * row or, gone from the platform, deletes it with what hangs under it.
   */
  private readable<T extends z.ZodType, R>(connectionId: string, schema: T, rows: R[], input: (row: R) => unknown, scope: (row: R) => string | null): { row: R; item: z.output<T> }[] {
    const out: { row: R; item: z.output<T> }[] = [];
    for (const row of rows) {
      const parsed = schema.safeParse(input(row));
      if (parsed.success) out.push({ row, item: parsed.data });
      else {
        const feed = scope(row);
        if (feed !== null) this.statement('DELETE FROM sync_state WHERE connection_id = ? AND scope = ?').run(connectionId, feed);
      }
    }
    return out;
  }

  private markList(connectionId: string, kind: string, syncedAt: string): void {
    this.statement('INSERT INTO lists (connection_id, kind, synced_at) VALUES (?, ?, ?) ON CONFLICT (connection_id, kind) DO UPDATE SET synced_at = excluded.synced_at').run(connectionId, kind, syncedAt);
  }

  // ---- Projects, environments, deployments: written by feed pages or by the platform's plain answers ----

  /** Replaces the connection's project list with the platform's answer: a project gone takes its environments, deployments and executions along. */
  putProjects(connectionId: string, projects: Project[], syncedAt: string): void {
    this.db.transaction(() => this.write(connectionId, 'projects', {}, { items: projects, deleted: [], full: true }, syncedAt))();
  }

  putProject(connectionId: string, project: Project, syncedAt: string): void {
    this.putItem(connectionId, 'projects', {}, project, syncedAt);
  }

  /** Forgets a project and everything under it. */
  deleteProject(connectionId: string, name: string): void {
    this.removeItem(connectionId, 'projects', {}, name);
  }

  /** Replaces one list (the platform's whole answer) without moving its feed's cursor: what a later sync asks from stays right. */
  putList<K extends ListKind>(connectionId: string, kind: K, parent: ListParent[K], items: ListItem[K][], syncedAt: string): void {
    this.db.transaction(() => this.write(connectionId, kind, parent, { items, deleted: [], full: true }, syncedAt))();
  }

  putItem<K extends ListKind>(connectionId: string, kind: K, parent: ListParent[K], item: ListItem[K], syncedAt: string): void {
    this.db.transaction(() => this.write(connectionId, kind, parent, { items: [item], deleted: [], full: false }, syncedAt))();
  }

  removeItem<K extends ListKind>(connectionId: string, kind: K, parent: ListParent[K], name: string): void {
    this.db.transaction(() => this.write(connectionId, kind, parent, { items: [], deleted: [name], full: false }, new Date().toISOString()))();
  }

  listProjects(connectionId: string): { items: Project[]; synced_at: string | null } {
    const rows = this.statement('SELECT name, data FROM projects WHERE connection_id = ? ORDER BY name').all(connectionId) as { name: string; data: string }[];
    const list = this.statement("SELECT synced_at FROM lists WHERE connection_id = ? AND kind = 'projects'").get(connectionId) as { synced_at: string } | undefined;
    const items = this.readable(connectionId, projectSchema, rows, (r) => json(r.data), () => 'projects');
    return { items: items.map((r) => r.item), synced_at: list?.synced_at ?? null };
  }

  getProject(connectionId: string, name: string): Cached<Project> | null {
    const row = this.statement('SELECT data, synced_at FROM projects WHERE connection_id = ? AND name = ?').get(connectionId, name) as Row | undefined;
    if (!row) return null;
    const [read] = this.readable(connectionId, projectSchema, [row], (r) => json(r.data), () => 'projects');
    return read ? { item: read.item, synced_at: row.synced_at } : null;
  }

  listEnvironments(connectionId: string, project: string): Cached<Environment>[] {
    const rows = this.statement('SELECT name, data, synced_at FROM environments WHERE connection_id = ? AND project = ? ORDER BY name').all(connectionId, project) as (Row & { name: string })[];
    return this.readable(connectionId, environmentSchema, rows, (r) => json(r.data), () => scopeOf('environments', project)).map(
      ({ row, item }) => ({ item, synced_at: row.synced_at }),
    );
  }

  getEnvironment(connectionId: string, project: string, name: string): Cached<Environment> | null {
    const row = this.statement('SELECT data, synced_at FROM environments WHERE connection_id = ? AND project = ? AND name = ?').get(connectionId, project, name) as Row | undefined;
    if (!row) return null;
    const [read] = this.readable(connectionId, environmentSchema, [row], (r) => json(r.data), () => scopeOf('environments', project));
    return read ? { item: read.item, synced_at: row.synced_at } : null;
  }

  listDeployments(connectionId: string, project: string, environment: string): Cached<Deployment>[] {
    const rows = this.statement('SELECT name, data, synced_at FROM deployments WHERE connection_id = ? AND project = ? AND environment = ? ORDER BY name').all(connectionId, project, environment) as (Row & {
      name: string;
    })[];
    return this.readable(connectionId, deploymentSchema, rows, (r) => json(r.data), () => scopeOf('deployments', project, environment)).map(({ row, item }) => ({ item, synced_at: row.synced_at }));
  }

  // ---- The signed-in user, and the users list ----

  putUser(connectionId: string, user: User, syncedAt: string): void {
    this.statement('INSERT INTO users_me (connection_id, data, synced_at) VALUES (?, ?, ?) ON CONFLICT (connection_id) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at').run(
      connectionId,
      JSON.stringify(stripSecrets(user)),
      syncedAt,
    );
  }

  getUser(connectionId: string): Cached<User> | null {
    const row = this.statement('SELECT data, synced_at FROM users_me WHERE connection_id = ?').get(connectionId) as Row | undefined;
    if (!row) return null;
    // No feed to restart: the next session check (getSession) writes it again.
    const [read] = this.readable(connectionId, userSchema, [row], (r) => json(r.data), () => null);
    return read ? { item: read.item, synced_at: row.synced_at } : null;
  }

  /** Replaces the connection's user list (a small list, fetched whole). */
  replaceUsers(connectionId: string, users: UserCard[], syncedAt: string): void {
    const insert = this.statement('INSERT INTO users (connection_id, id, data, synced_at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      this.statement('DELETE FROM users WHERE connection_id = ?').run(connectionId);
      for (const user of users) insert.run(connectionId, user.id, JSON.stringify(stripSecrets(user)), syncedAt);
      this.setCursor(connectionId, 'users', null, syncedAt);
    })();
  }

  listUsers(connectionId: string): Cached<UserCard>[] {
    const rows = this.statement('SELECT id, data, synced_at FROM users WHERE connection_id = ? ORDER BY id').all(connectionId) as (Row & { id: string })[];
    return this.readable(connectionId, userCardSchema, rows, (r) => json(r.data), () => 'users').map(({ row, item }) => ({ item, synced_at: row.synced_at }));
  }

  // ---- Executions ----

  /** Executions, newest first, as rows of the executions table (read from columns: no JSON to decode). */
  listExecutions(connectionId: string, filter: ExecutionFilter = {}): { items: ExecutionRow[]; total: number } {
    const where = ['connection_id = ?'];
    const args: unknown[] = [connectionId];
    for (const key of ['project', 'environment', 'status', 'pipeline_name', 'deployment_name'] as const) {
      if (filter[key] !== undefined) {
        where.push(`${key} = ?`);
        args.push(filter[key]);
      }
    }
    const clause = where.join(' AND ');
    const total = (this.statement(`SELECT count(*) AS n FROM executions WHERE ${clause}`).get(...args) as { n: number }).n;
    const rows = this.statement(
      `SELECT execution_id, status, created_at, created_by, end_date, pipeline_name, deployment_name, project, environment FROM executions WHERE ${clause} ORDER BY created_at DESC, execution_id LIMIT ? OFFSET ?`,
    ).all(...args, filter.limit ?? 100, filter.offset ?? 0) as (ExecutionRow & { project: string; environment: string })[];
    const read = this.readable(connectionId, executionRowSchema, rows, (r) => r, (r) => scopeOf('executions', r.project, r.environment));
    // Skipped rows are not counted (they return with the next sync).
    return { items: read.map((r) => r.item), total: total - (rows.length - read.length) };
  }

  /**
   * The executions table's rows for one environment or a whole project (environment omitted), newest
   * first, each with its environment; and for each asked input or output column ("input:<name>",
   * "output:<name>") the values in row order (null where the execution has none). Values are read
   * from the stored JSON only for the columns asked, so a million rows without them stay columns-only.
   * With `since` (the version a previous answer gave), only the rows written after it (`partial`),
   * unless executions were deleted meanwhile; `total` counts the whole list either way.
   */
  listExecutionRows(
    connectionId: string,
    filter: { project: string; environment?: string | undefined; deployment_name?: string | undefined },
    io: readonly string[] = [],
    since?: ExecutionsVersion,
  ): { items: (ExecutionRow & { environment: string })[]; io: Record<string, unknown[]>; version: ExecutionsVersion; partial: boolean; total: number } {
    // One snapshot (a read transaction): the version, the rows and the count agree.
    return this.db.transaction(() => {
      const version = this.executionsVersion();
      // Only what changed since `since`, unless executions were deleted since (then the list is read whole).
      const partial = since !== undefined && since.deletions === version.deletions && since.rev <= version.rev;
      const read = this.executionRows(connectionId, filter, io, partial ? since.rev : null);
      const total = partial ? this.countExecutions(connectionId, filter) : read.items.length;
      return { ...read, version, partial, total };
    })();
  }

  /** Where the cache's executions stand: the newest revision written, and how many times executions were deleted. */
  private executionsVersion(): ExecutionsVersion {
    const rev = this.statement('SELECT coalesce(max(rev), 0) AS rev FROM executions').pluck().get() as number;
    const deletions = this.statement("SELECT value FROM cache_counters WHERE name = 'execution_deletions'").pluck().get() as number;
    return { rev, deletions };
  }

  private countExecutions(connectionId: string, filter: { project: string; environment?: string | undefined; deployment_name?: string | undefined }): number {
    const { where, args } = executionsWhere(connectionId, filter);
    return this.statement(`SELECT count(*) FROM executions WHERE ${where.join(' AND ')}`).pluck().get(...args) as number;
  }

  private executionRows(
    connectionId: string,
    filter: { project: string; environment?: string | undefined; deployment_name?: string | undefined },
    io: readonly string[],
    afterRev: number | null,
  ): { items: (ExecutionRow & { environment: string })[]; io: Record<string, unknown[]> } {
    const { where, args } = executionsWhere(connectionId, filter);
    // What changed since: found on the revisions' index (the environment's would walk every row of the list).
    if (afterRev !== null) {
      where.push('rev > ?');
      args.push(afterRev);
    }
    const names = io.map((column) => ioColumn(column));
    const columns = names.map(({ list, key }, i) => `, (SELECT j.value -> '$.value' FROM json_each(data, '$.${list}') AS j WHERE j.value ->> '$.${key}' = ?) AS io${i}`);
    const rows = this.statement(
      `SELECT execution_id, status, created_at, created_by, end_date, pipeline_name, deployment_name, project, environment${columns.join('')}
       FROM executions${afterRev !== null ? ' INDEXED BY executions_by_rev' : ''} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, execution_id`,
    ).all(...names.map((n) => n.name), ...args) as (ExecutionRow & { project: string; environment: string } & Record<string, string | null>)[];
    const read = this.readable(connectionId, executionRowSchema, rows, (r) => r, (r) => scopeOf('executions', r.project, r.environment));
    const values: Record<string, unknown[]> = {};
    io.forEach((column, i) => (values[column] = read.map(({ row }) => (row[`io${i}`] == null ? null : json(row[`io${i}`]!) ?? null))));
    return { items: read.map(({ row, item }) => ({ ...item, environment: row.environment })), io: values };
  }

  /** The input and output names of the newest executions of an environment (or a project): what the column chooser offers. */
  listExecutionIoNames(connectionId: string, filter: { project: string; environment?: string | undefined }, newest = 5_000): { inputs: string[]; outputs: string[] } {
    const where = filter.environment === undefined ? 'connection_id = ? AND project = ?' : 'connection_id = ? AND project = ? AND environment = ?';
    const args = filter.environment === undefined ? [connectionId, filter.project] : [connectionId, filter.project, filter.environment];
    const names = (list: 'inputs' | 'outputs', key: string) =>
      (
        this.statement(
          `SELECT DISTINCT j.value ->> '$.${key}' AS name FROM (SELECT data FROM executions WHERE ${where} ORDER BY created_at DESC LIMIT ?) AS e, json_each(e.data, '$.${list}') AS j
           WHERE name IS NOT NULL ORDER BY name`,
        ).all(...args, newest) as { name: string }[]
      ).map((r) => String(r.name));
    return { inputs: names('inputs', 'pipeline_input_name'), outputs: names('outputs', 'pipeline_output_name') };
  }

  /** When a list was last answered whole by the platform (null: never cached, which is not the same as cached and empty). */
  listSyncedAt(connectionId: string, kind: ListKind | 'executions', project?: string, environment?: string): string | null {
    const scope = scopeOf(kind, project, environment);
    const list = this.statement('SELECT synced_at FROM lists WHERE connection_id = ? AND kind = ?').get(connectionId, kind === 'projects' ? 'projects' : scope) as { synced_at: string } | undefined;
    const feed = this.statement('SELECT synced_at FROM sync_state WHERE connection_id = ? AND scope = ?').get(connectionId, scope) as { synced_at: string } | undefined;
    const times = [list?.synced_at, feed?.synced_at].filter((t): t is string => typeof t === 'string');
    return times.length === 0 ? null : times.sort().at(-1)!;
  }

  getExecution(connectionId: string, executionId: string): Cached<Execution> | null {
    const row = this.statement('SELECT project, environment, data, synced_at FROM executions WHERE connection_id = ? AND execution_id = ?').get(connectionId, executionId) as
      | (Row & { project: string; environment: string })
      | undefined;
    if (!row) return null;
    const [read] = this.readable(connectionId, cachedExecutionSchema, [row], (r) => json(r.data), (r) => scopeOf('executions', r.project, r.environment));
    return read ? { item: read.item, synced_at: row.synced_at } : null;
  }

  /** Writes one execution the platform answered (a detail page), without moving the environment's feed cursor. */
  putExecution(connectionId: string, project: string, environment: string, execution: Execution, syncedAt: string): void {
    this.upsertExecution(connectionId, project, environment, execution, syncedAt);
  }

  /** Forgets everything cached for a connection (when it is removed). */
  clearConnection(connectionId: string): void {
    this.db.transaction(() => {
      for (const table of ['projects', 'users_me', 'lists', 'environments', 'deployments', 'executions', 'users', 'sync_state']) this.statement(`DELETE FROM ${table} WHERE connection_id = ?`).run(connectionId);
      this.countExecutionDeletion();
    })();
  }

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- Sync engine storage (electron/services/sync.ts) -------------------------------
  // Every apply* call is one transaction that also moves the feed's cursor: a crash
  // (even SIGKILL) leaves either the page and its cursor, or neither.

  syncCursor(connectionId: string, scope: string): string | null {
    const row = this.statement('SELECT cursor FROM sync_state WHERE connection_id = ? AND scope = ?').get(connectionId, scope) as { cursor: string | null } | undefined;
    return row?.cursor ?? null;
  }

  syncStates(connectionId: string): { scope: string; cursor: string | null; synced_at: string }[] {
    return this.statement('SELECT scope, cursor, synced_at FROM sync_state WHERE connection_id = ? ORDER BY scope').all(connectionId) as {
      scope: string;
      cursor: string | null;
      synced_at: string;
    }[];
  }

  /** Applies one page of a "changed since" feed of projects, environments or deployments, and moves the feed's cursor. */
  applyChanges<K extends ListKind>(connectionId: string, kind: K, parent: ListParent[K], page: ChangesPage<K>, cursor: string | null, syncedAt: string): void {
    const { project, environment } = parent as { project?: string; environment?: string };
    this.db.transaction(() => {
      this.write(connectionId, kind, parent, page, syncedAt);
      this.setCursor(connectionId, scopeOf(kind, project, environment), cursor, syncedAt);
    })();
  }

  /** Applies one page of an environment's execution feed (upserts) and its cursor. */
  applyExecutions(connectionId: string, project: string, environment: string, items: Execution[], cursor: string | null, syncedAt: string, texts?: readonly string[]): void {
    this.applyExecutionRows(connectionId, scopeOf('executions', project, environment), items.map((e, i) => executionRow(connectionId, project, environment, e, syncedAt, texts?.[i])), cursor, syncedAt);
  }

  /** The same, from rows already built by executionRow (the cache writer's fallback). */
  applyExecutionRows(connectionId: string, scope: string, rows: unknown[][], cursor: string | null, syncedAt: string): void {
    const upsert = this.statement(UPSERT_EXECUTION);
    this.db.transaction(() => {
      for (const row of rows) upsert.run(row);
      this.setCursor(connectionId, scope, cursor, syncedAt);
    })();
  }

  private upsertExecution(connectionId: string, project: string, environment: string, execution: Execution, syncedAt: string): void {
    this.statement(UPSERT_EXECUTION).run(executionRow(connectionId, project, environment, execution, syncedAt));
  }

  /** Executions were deleted (inside the caller's transaction): a live list that read before reads again whole. */
  private countExecutionDeletion(): void {
    this.statement("UPDATE cache_counters SET value = value + 1 WHERE name = 'execution_deletions'").run();
  }

  private setCursor(connectionId: string, scope: string, cursor: string | null, syncedAt: string): void {
    this.statement(SET_CURSOR).run(connectionId, scope, cursor, syncedAt);
  }

  /** Writes a page of a list (inside the caller's transaction): deletions cascade to what hangs under them. */
  private write<K extends ListKind>(connectionId: string, kind: K, parent: ListParent[K], page: ChangesPage<K>, syncedAt: string): void {
    const present = new Set(page.items.map((i) => i.name));
    if (kind === 'projects') {
      const gone = page.full
        ? (this.statement('SELECT name FROM projects WHERE connection_id = ?').all(connectionId) as { name: string }[]).map((r) => r.name).filter((n) => !present.has(n))
        : page.deleted;
      for (const name of gone) this.dropProject(connectionId, name);
      const upsert = this.statement(
        'INSERT INTO projects (connection_id, name, data, synced_at) VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, name) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at',
      );
      for (const item of page.items) upsert.run(connectionId, item.name, JSON.stringify(stripSecrets(item)), syncedAt);
      if (page.full) this.markList(connectionId, 'projects', syncedAt);
    } else if (kind === 'environments') {
      const { project } = parent as ListParent['environments'];
      const gone = page.full
        ? (this.statement('SELECT name FROM environments WHERE connection_id = ? AND project = ?').all(connectionId, project) as { name: string }[])
            .map((r) => r.name)
            .filter((n) => !present.has(n))
        : page.deleted;
      for (const name of gone) this.dropEnvironment(connectionId, project, name);
      const upsert = this.statement(
        'INSERT INTO environments (connection_id, project, name, data, synced_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (connection_id, project, name) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at',
      );
      for (const item of page.items) upsert.run(connectionId, project, item.name, JSON.stringify(stripSecrets(item)), syncedAt);
      if (page.full) this.markList(connectionId, scopeOf('environments', project), syncedAt);
    } else {
      const { project, environment } = parent as ListParent['deployments'];
      if (page.full) this.statement('DELETE FROM deployments WHERE connection_id = ? AND project = ? AND environment = ?').run(connectionId, project, environment);
      else for (const name of page.deleted) this.forgetRow('deployments', connectionId, { project, environment, name });
      const upsert = this.statement(
        'INSERT INTO deployments (connection_id, project, environment, name, data, synced_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, project, environment, name) DO UPDATE SET data = excluded.data, synced_at = excluded.synced_at',
      );
      for (const item of page.items) upsert.run(connectionId, project, environment, item.name, JSON.stringify(stripSecrets(item)), syncedAt);
      if (page.full) this.markList(connectionId, scopeOf('deployments', project, environment), syncedAt);
    }
  }

  /** Deletes one row by its key columns (the table and columns are this file's own words, never input). */
  private forgetRow(table: 'projects' | 'environments' | 'deployments' | 'users', connectionId: string, key: Record<string, string>): void {
    const columns = Object.keys(key);
    this.statement(`DELETE FROM ${table} WHERE connection_id = ? AND ${columns.map((c) => `${c} = ?`).join(' AND ')}`).run(connectionId, ...columns.map((c) => key[c]));
  }

  /** Forgets an environment and everything under it (its deployments, executions and cursors). */
  private dropEnvironment(connectionId: string, project: string, environment: string): void {
    this.statement('DELETE FROM deployments WHERE connection_id = ? AND project = ? AND environment = ?').run(connectionId, project, environment);
    if (this.statement('DELETE FROM executions WHERE connection_id = ? AND project = ? AND environment = ?').run(connectionId, project, environment).changes > 0) this.countExecutionDeletion();
    for (const kind of ['deployments', 'executions']) this.statement('DELETE FROM sync_state WHERE connection_id = ? AND scope = ?').run(connectionId, scopeOf(kind, project, environment));
    this.statement('DELETE FROM lists WHERE connection_id = ? AND kind = ?').run(connectionId, scopeOf('deployments', project, environment));
    this.forgetRow('environments', connectionId, { project, name: environment });
  }

  private dropProject(connectionId: string, project: string): void {
    const envs = this.statement('SELECT name FROM environments WHERE connection_id = ? AND project = ?').all(connectionId, project) as { name: string }[];
    for (const env of envs) this.dropEnvironment(connectionId, project, env.name);
    this.forgetRow('projects', connectionId, { name: project });
    this.statement('DELETE FROM sync_state WHERE connection_id = ? AND scope = ?').run(connectionId, scopeOf('environments', project));
    this.statement('DELETE FROM lists WHERE connection_id = ? AND kind = ?').run(connectionId, scopeOf('environments', project));
  }
}

/**
 * Writes an execution row, the values in the order of executionRow. Shared with the cache writer
 * (cache-writer.ts), which may give the data as the UTF-8 bytes it came in: stored as text all the same.
 * Each write takes the next revision (one past the newest, read on executions_by_rev): writes to the file
 * run one at a time, so revisions only grow, and a row's says when it last changed.
 */
export const UPSERT_EXECUTION = `INSERT INTO executions (connection_id, execution_id, project, environment, status, pipeline_name, deployment_name, created_at, end_date, data, synced_at, created_by, rev)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, (SELECT coalesce(max(rev), 0) + 1 FROM executions))
  ON CONFLICT (connection_id, execution_id) DO UPDATE SET project = excluded.project, environment = excluded.environment, status = excluded.status,
    pipeline_name = excluded.pipeline_name, deployment_name = excluded.deployment_name, created_at = excluded.created_at, end_date = excluded.end_date,
    data = excluded.data, synced_at = excluded.synced_at, created_by = excluded.created_by, rev = excluded.rev`;

/** Moves a feed's cursor: (connection_id, scope, cursor, synced_at). */
export const SET_CURSOR =
  'INSERT INTO sync_state (connection_id, scope, cursor, synced_at) VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, scope) DO UPDATE SET cursor = excluded.cursor, synced_at = excluded.synced_at';

/** The WHERE terms of an executions list (a project, an environment of it, a deployment). */
function executionsWhere(connectionId: string, filter: { project: string; environment?: string | undefined; deployment_name?: string | undefined }): { where: string[]; args: unknown[] } {
  const where = ['connection_id = ?', 'project = ?'];
  const args: unknown[] = [connectionId, filter.project];
  if (filter.environment !== undefined) {
    where.push('environment = ?');
    args.push(filter.environment);
  }
  if (filter.deployment_name !== undefined) {
    where.push('deployment_name = ?');
    args.push(filter.deployment_name);
  }
  return { where, args };
}

/** Where executionRow puts the execution's JSON. */
export const EXECUTION_DATA_COLUMN = 9;

/** Where executionRow puts what every row of a page shares (connection, project, environment, synced_at). */
export const EXECUTION_PAGE_COLUMNS: readonly number[] = [0, 2, 3, 10];

/** The values of an execution's row, for UPSERT_EXECUTION; `text`: the execution's JSON as the platform sent it (checked), kept as it is. */
export function executionRow(connectionId: string, project: string, environment: string, execution: Execution, syncedAt: string, text?: string): unknown[] {
  return [
    connectionId,
    execution.execution_id,
    project,
    environment,
    execution.status,
    execution.pipeline_name,
    execution.deployment_name,
    execution.created_at,
    execution.end_date,
    // The whole execution as the platform gave it: fields this app does not read yet stay too.
    text ?? JSON.stringify(execution),
    syncedAt,
    execution.created_by,
  ];
}

/** Belt and braces: whatever the platform sends, no secret-looking field reaches the cache. */
function stripSecrets<T extends object>(record: T): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const key of Object.keys(copy)) if (/private|deploy_key$|secret|token|password/i.test(key)) delete copy[key];
  return copy as T;
}

/** An input or output column of the executions table: "input:<name>" or "output:<name>" (names as the SDK's rules allow). */
export function ioColumn(column: string): { list: 'inputs' | 'outputs'; key: 'pipeline_input_name' | 'pipeline_output_name'; name: string } {
  const match = IO_COLUMN_PATTERN.exec(column);
  if (!match) throw new Error(`not an input or output column: ${column}`);
  return match[1] === 'input' ? { list: 'inputs', key: 'pipeline_input_name', name: match[2]! } : { list: 'outputs', key: 'pipeline_output_name', name: match[2]! };
}

/** The sync_state key of a feed: "projects", "environments/<p>", "executions/<p>/<e>"… */
export function scopeOf(kind: string, project?: string, environment?: string): string {
  return [kind, project, environment].filter((x) => x !== undefined).join('/');
}
