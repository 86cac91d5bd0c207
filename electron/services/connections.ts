// The list of platform connections: <dataDir>/connections.json, no secrets (tokens are
// in the vault, keyed by connection id), written atomically (temporary file + rename).
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../domain/errors.js';
import { checkPlatformUrl } from '../../domain/platform-url.js';
import { narrowExisting, privateFolder } from '../../common/private-files.js';

export const APP_NAME = 'Craft MLOps Desktop';
export const APP_SLUG = 'craft-mlops-desktop';

export interface ConnectionRecord {
  id: string;
  name: string;
  url: string;
  kind: 'embedded' | 'team';
}

interface FileShape {
  version: 1;
  active: string | null;
  connections: ConnectionRecord[];
}

/** The OS's usual application-data folder for the app; CRAFT_DATA_DIR overrides it. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.CRAFT_DATA_DIR) return env.CRAFT_DATA_DIR;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_SLUG);
}

/**
 * Writes a file atomically: a temporary sibling, then renamed over the target (owner-only unless
 * told). With `replace: false` it is linked into place instead, which fails (EEXIST) when the
 * target exists: no file is ever replaced that way.
 */
export function writeFileAtomic(file: string, content: string, mode = 0o600, options: { replace?: boolean } = {}): void {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    writeFileSync(tmp, content, { mode, flag: 'wx' });
    if (options.replace === false) {
      linkSync(tmp, file);
      rmSync(tmp);
    } else renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

function isRecord(value: unknown): value is ConnectionRecord {
  const v = value as ConnectionRecord;
  return !!v && typeof v.id === 'string' && typeof v.name === 'string' && typeof v.url === 'string' && (v.kind === 'embedded' || v.kind === 'team');
}

export class Connections {
  readonly file: string;
  private state: FileShape;

  private constructor(file: string, state: FileShape) {
    this.file = file;
    this.state = state;
  }

  static load(dataDir: string): Connections {
    privateFolder(dataDir);
    const file = join(dataDir, 'connections.json');
    narrowExisting([file]);
    let state: FileShape = { version: 1, active: null, connections: [] };
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<FileShape>;
      const connections = Array.isArray(data.connections) ? data.connections.filter(isRecord) : [];
      const active = typeof data.active === 'string' && connections.some((c) => c.id === data.active) ? data.active : (connections[0]?.id ?? null);
      state = { version: 1, active, connections };
    } catch {
      // Missing or unreadable: start empty (the embedded connection is recreated at launch).
    }
    return new Connections(file, state);
  }

  private save(): void {
    writeFileAtomic(this.file, `${JSON.stringify(this.state, null, 2)}\n`);
  }

  /** The one embedded connection, created with a stable random id; its URL follows the embedded platform (the same port from launch to launch, unless that one was taken). */
  ensureEmbedded(url: string): ConnectionRecord {
    let record = this.state.connections.find((c) => c.kind === 'embedded');
    if (!record) {
      record = { id: randomUUID(), name: 'This computer', url, kind: 'embedded' };
      this.state.connections.unshift(record);
    } else {
      record.url = url;
    }
    if (!this.state.active) this.state.active = record.id;
    this.save();
    return { ...record };
  }

  active(): ConnectionRecord | null {
    const record = this.state.connections.find((c) => c.id === this.state.active);
    return record ? { ...record } : null;
  }

  setActive(id: string): void {
    if (!this.state.connections.some((c) => c.id === id)) throw new AppError('not_found', 'No connection with this id', 'connection_id');
    this.state.active = id;
    this.save();
  }

  get(id: string): ConnectionRecord | null {
    const record = this.state.connections.find((c) => c.id === id);
    return record ? { ...record } : null;
  }

  list(): ConnectionRecord[] {
    return this.state.connections.map((c) => ({ ...c }));
  }

  add(record: Omit<ConnectionRecord, 'id'>): ConnectionRecord {
    const name = record.name.trim();
    if (!name) throw new AppError('validation', 'name: is required', 'name');
    const checked = checkPlatformUrl(record.url);
    if ('problem' in checked) throw new AppError('validation', `url: ${checked.problem}`, 'url');
    const clean = checked.url;
    if (record.kind === 'embedded') throw new AppError('validation', 'kind: the embedded connection is created by the app', 'kind');
    if (this.state.connections.some((c) => c.url === clean)) throw new AppError('conflict', `url: a connection to ${clean} already exists`, 'url');
    const created: ConnectionRecord = { id: randomUUID(), name, url: clean, kind: 'team' };
    this.state.connections.push(created);
    if (!this.state.active) this.state.active = created.id;
    this.save();
    return { ...created };
  }

  remove(id: string): void {
    const record = this.state.connections.find((c) => c.id === id);
    if (!record) return;
    if (record.kind === 'embedded') throw new AppError('validation', 'The embedded connection (this computer) cannot be removed', 'connection_id');
    this.state.connections = this.state.connections.filter((c) => c.id !== id);
    if (this.state.active === id) this.state.active = this.state.connections[0]?.id ?? null;
    this.save();
  }
}
