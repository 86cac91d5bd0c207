import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Cache, MIGRATIONS } from './cache.js';
import type { Project } from '../../domain/project.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'craft-cache-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(name: string, extra: Partial<Project> = {}): Project {
  return {
    name,
    python_version: '3.12',
    repository_url: `git@github.com:o/${name}.git`,
    default_branch: '',
    folders: ['/'],
    requirements_path: '',
    system_dependencies: [],
    deploy_key_public: 'ssh-rsa AAAAB3Nza craft-mlops-deploy-key',
    deploy_key_fingerprint: 'SHA256:abc',
    created_at: '2026-01-01T00:00:00.000Z',
    created_by: 'u1',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

describe('Cache', () => {
  it('round-trips projects and the user per connection, replacing lists with deletions', () => {
    const file = join(tempDir(), 'cache.sqlite');
    const cache = Cache.open(file);
    expect(cache.listProjects('a')).toEqual({ items: [], synced_at: null });
    cache.putProjects('a', [project('one'), project('two')], '2026-01-02T00:00:00.000Z');
    cache.putProjects('b', [project('other')], '2026-01-03T00:00:00.000Z');
    cache.putProject('a', project('three'), '2026-01-04T00:00:00.000Z');
    expect(cache.listProjects('a').items.map((p) => p.name)).toEqual(['one', 'three', 'two']);
    cache.putProjects('a', [project('two', { python_version: '3.13' })], '2026-01-05T00:00:00.000Z');
    const list = cache.listProjects('a');
    expect(list.items).toEqual([project('two', { python_version: '3.13' })]);
    expect(list.synced_at).toBe('2026-01-05T00:00:00.000Z');
    expect(cache.getProject('a', 'one')).toBeNull();
    expect(cache.getProject('b', 'other')?.synced_at).toBe('2026-01-03T00:00:00.000Z');
    cache.putUser('a', { id: 'u1', name: 'Admin', email: 'a@b.c', role: 'admin', created_at: '2026-01-01T00:00:00Z' }, '2026-01-06T00:00:00Z');
    expect(cache.getUser('a')?.item.email).toBe('a@b.c');
    expect(cache.getUser('b')).toBeNull();
    cache.close();
    // Survives a restart, WAL mode, schema at the latest version.
    const again = Cache.open(file);
    expect(again.listProjects('a').items).toHaveLength(1);
    expect(again.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.database.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(again.integrityCheck()).toBe('ok');
    expect(again.report.rebuilt_from).toBeNull();
    again.clearConnection('a');
    expect(again.listProjects('a').items).toEqual([]);
    again.close();
  });

  it('never stores a secret: a private key slipped into a project object is dropped', () => {
    const dir = tempDir();
    const cache = Cache.open(join(dir, 'cache.sqlite'));
    const secret = 'MIIEowIBAAKCAQEAsecretsecretsecret';
    const leaky = { ...project('leaky'), deploy_key: `-----BEGIN RSA PRIVATE KEY-----\n${secret}\n-----END RSA PRIVATE KEY-----\n` } as Project;
    cache.putProjects('a', [leaky], '2026-01-01T00:00:00Z');
    cache.putProject('a', leaky, '2026-01-01T00:00:00Z');
    expect(cache.getProject('a', 'leaky')?.item).not.toHaveProperty('deploy_key');
    cache.database.pragma('wal_checkpoint(TRUNCATE)');
    cache.close();
    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name)).toString('latin1');
      expect(bytes).not.toContain(secret);
      expect(bytes).not.toContain('PRIVATE KEY');
    }
  });

  it('moves a corrupt file aside and rebuilds instead of crashing', () => {
    const dir = tempDir();
    const file = join(dir, 'cache.sqlite');
    writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]));
    const cache = Cache.open(file);
    expect(cache.report.rebuilt_from).toMatch(/cache\.sqlite\.broken-/);
    expect(existsSync(cache.report.rebuilt_from!)).toBe(true);
    cache.putProject('a', project('fresh'), '2026-01-01T00:00:00Z');
    expect(cache.listProjects('a').items).toHaveLength(1);
    expect(cache.integrityCheck()).toBe('ok');
    cache.close();

    // A cache written by a newer app (unknown schema) is also rebuilt, not trusted.
    const newer = Cache.open(file);
    newer.database.pragma('user_version = 999');
    newer.close();
    const rebuilt = Cache.open(file);
    expect(rebuilt.report.reason).toMatch(/newer version/);
    expect(rebuilt.listProjects('a').items).toEqual([]);
    rebuilt.close();
  });

  it('migrates a cache written by an older version, keeping its data', () => {
    const dir = tempDir();
    const file = join(dir, 'cache.sqlite');
    const old = new Database(file);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare('INSERT INTO projects (connection_id, name, data, synced_at) VALUES (?, ?, ?, ?)').run('a', 'kept', JSON.stringify(project('kept')), '2026-01-01T00:00:00Z');
    old.close();
    const cache = Cache.open(file);
    expect(cache.report.rebuilt_from).toBeNull();
    expect(cache.database.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(cache.getProject('a', 'kept')?.item.name).toBe('kept');
    expect(cache.listExecutions('a')).toEqual({ items: [], total: 0 });
    cache.close();
  });

  it('keeps the app running on an in-memory cache when the folder cannot be written', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const cache = Cache.open(join(dir, 'not-a-folder', 'cache.sqlite'));
    expect(cache.file).toBe(':memory:');
    expect(cache.report.reason).toMatch(/in memory for this session/);
    cache.putProject('a', project('x'), '2026-01-01T00:00:00Z');
    expect(cache.listProjects('a').items).toHaveLength(1);
    cache.close();
  });
});
