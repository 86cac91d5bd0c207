// The offline cache: better-sqlite3 in WAL mode, one file <dataDir>/cache.sqlite, every
// row scoped by connection id. Schema migrations follow PRAGMA user_version. A file that
// cannot be opened or fails its integrity check is moved aside and rebuilt (the platform
// fills it again): the cache never crashes the app.
// It never stores a secret: projects carry only their public deploy key.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Project } from '../../domain/project.js';
import type { User } from '../../domain/user.js';

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
];

export interface CacheOpenReport {
  /** Set when the file was unreadable and moved aside; the cache starts empty. */
  rebuilt_from: string | null;
  reason: string | null;
}

function openDatabase(file: string): DB {
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
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
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
          } catch {
            rmSync(file + suffix, { force: true });
          }
        }
      }
      return new Cache(file, openDatabase(file), { rebuilt_from: aside, reason });
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

  /** Forgets everything cached for a connection (when it is removed). */
  clearConnection(connectionId: string): void {
    this.db.transaction(() => {
      for (const table of ['projects', 'users_me', 'lists']) this.db.prepare(`DELETE FROM ${table} WHERE connection_id = ?`).run(connectionId);
    })();
  }

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Belt and braces: whatever the platform sends, no private key field reaches the cache. */
function cleanProject(project: Project): Project {
  const copy = { ...project } as Record<string, unknown>;
  for (const key of Object.keys(copy)) if (/private|deploy_key$|secret|token|password/i.test(key)) delete copy[key];
  return copy as Project;
}
