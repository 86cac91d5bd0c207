import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Cache, MIGRATIONS } from './cache.js';
import type { Project } from '../../domain/project.js';
import type { Environment } from '../../domain/environment.js';
import type { Execution } from '../../domain/execution.js';

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

function environment(project: string, name: string): Environment {
  return {
    name,
    project_name: project,
    slug: `${project}-${name}`,
    url: `http://127.0.0.1:1/environments/${project}-${name}`,
    status: 'ready',
    default_branch: null,
    folders: null,
    requirements_path: null,
    system_dependencies: null,
    created_at: '2026-01-01T00:00:00.000Z',
    created_by: 'u1',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

const noSource = { commit_id: null, repository_url: null, repository_branch: null, requirements_path: null, origin: null };

function execution(id: string, extra: Partial<Execution> = {}): Execution {
  return {
    execution_id: id,
    status: 'succeeded',
    created_at: `2026-01-01T00:00:0${id.slice(-1)}.000Z`,
    created_by: 'u1',
    end_date: null,
    pipeline_name: 'train',
    deployment_name: null,
    steps: [
      { name: 'load', status: 'succeeded', start_date: null, end_date: null, ...noSource },
      { name: 'fit', status: 'succeeded', start_date: null, end_date: null, ...noSource },
    ],
    inputs: [{ pipeline_input_name: 'epochs', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 3 }],
    outputs: [],
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


  it('writes a new cache file in 16 KiB pages; a file written with 4 KiB pages keeps them and its data, and both checkpoint every 64 MB of WAL', () => {
    const dir = tempDir();
    const fresh = Cache.open(join(dir, 'new.sqlite'));
    expect(fresh.database.pragma('page_size', { simple: true })).toBe(16_384);
    expect(fresh.database.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);
    fresh.close();

    const file = join(dir, 'old.sqlite');
    const old = new Database(file);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    for (const migration of MIGRATIONS) old.exec(migration);
    old.pragma(`user_version = ${MIGRATIONS.length}`);
    old.prepare('INSERT INTO projects (connection_id, name, data, synced_at) VALUES (?, ?, ?, ?)').run('a', 'kept', JSON.stringify(project('kept')), '2026-01-01T00:00:00Z');
    old.close();
    const cache = Cache.open(file);
    expect(cache.report.rebuilt_from).toBeNull();
    expect(cache.database.pragma('page_size', { simple: true })).toBe(4096);
    expect(cache.database.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384);
    expect(cache.getProject('a', 'kept')?.item.name).toBe('kept');
    cache.close();
  });
  it('forgets the environments and executions of a project gone from the project list', () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const at = '2026-01-02T00:00:00.000Z';
    cache.putProjects('a', [project('one'), project('two')], at);
    for (const name of ['one', 'two']) {
      cache.putItem('a', 'environments', { project: name }, environment(name, 'prod'), at);
      cache.applyExecutions('a', name, 'prod', [execution(`${name}-1`), execution(`${name}-2`)], '{"since":"5"}', at);
    }
    cache.putProjects('a', [project('two')], at);
    expect(cache.listEnvironments('a', 'one')).toEqual([]);
    expect(cache.listExecutions('a', { project: 'one' }).total).toBe(0);
    expect(cache.syncStates('a').map((s) => s.scope)).toEqual(['executions/two/prod']);
    expect(cache.listExecutions('a', { project: 'two' }).total).toBe(2);
    cache.deleteProject('a', 'two');
    expect(cache.listExecutions('a').total).toBe(0);
    cache.close();
  });

  it("lists a deployment's executions, newest first, as table rows; one execution whole, with its steps", () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const at = '2026-01-02T00:00:00.000Z';
    const nightly = { deployment_name: 'nightly', pipeline_name: 'train' };
    cache.applyExecutions('a', 'p', 'prod', [execution('e1', nightly), execution('e2'), execution('e3', nightly)], null, at);
    const rows = cache.listExecutions('a', { project: 'p', environment: 'prod', deployment_name: 'nightly' });
    expect(rows.total).toBe(2);
    expect(rows.items).toEqual([
      { execution_id: 'e3', status: 'succeeded', created_at: '2026-01-01T00:00:03.000Z', created_by: 'u1', end_date: null, pipeline_name: 'train', deployment_name: 'nightly' },
      { execution_id: 'e1', status: 'succeeded', created_at: '2026-01-01T00:00:01.000Z', created_by: 'u1', end_date: null, pipeline_name: 'train', deployment_name: 'nightly' },
    ]);
    expect(cache.getExecution('a', 'e1')).toEqual({ item: execution('e1', nightly), synced_at: at });
    // Seeing one execution (a detail page) does not restart the environment's feed.
    cache.applyExecutions('a', 'p', 'prod', [], '{"since":"9"}', at);
    cache.putExecution('a', 'p', 'prod', execution('e2', { status: 'failed' }), at);
    expect(cache.syncCursor('a', 'executions/p/prod')).toBe('{"since":"9"}');
    expect(cache.getExecution('a', 'e2')?.item.status).toBe('failed');
    cache.close();
  });

  it('skips a row this version cannot read instead of failing, and restarts the feed that brought it', () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const at = '2026-01-02T00:00:00.000Z';
    cache.applyChanges('a', 'projects', {}, { items: [project('one'), project('two')], deleted: [], full: true }, '7', at);
    cache.applyChanges('a', 'environments', { project: 'one' }, { items: [environment('one', 'prod'), environment('one', 'dev')], deleted: [], full: true }, '7', at);
    cache.applyExecutions('a', 'one', 'prod', [execution('e1'), execution('e2')], '{"since":"7"}', at);
    // As an older app might have written them.
    cache.database.prepare("UPDATE projects SET data = json_remove(data, '$.repository_url') WHERE name = 'two'").run();
    cache.database.prepare("UPDATE environments SET data = '[]' WHERE name = 'dev'").run();
    cache.database.prepare("UPDATE executions SET data = json_set(data, '$.steps', 'none'), status = 'queued' WHERE execution_id = 'e2'").run();

    expect(cache.listProjects('a').items.map((p) => p.name)).toEqual(['one']);
    expect(cache.getProject('a', 'two')).toBeNull();
    expect(cache.listEnvironments('a', 'one').map((e) => e.item.name)).toEqual(['prod']);
    expect(cache.getEnvironment('a', 'one', 'dev')).toBeNull();
    expect(cache.listExecutions('a', { environment: 'prod' })).toMatchObject({ total: 1, items: [{ execution_id: 'e1' }] });
    expect(cache.getExecution('a', 'e2')).toBeNull();
    // The next sync walks those feeds from their first pass: it rewrites the rows, or drops what is gone.
    expect(cache.syncStates('a')).toEqual([]);
    cache.close();
  });

  it('migrates a cache of schema 2 to 3: the steps of each execution move into its JSON', () => {
    const file = join(tempDir(), 'cache.sqlite');
    const old = new Database(file);
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    const { steps, ...rest } = execution('e1');
    old.prepare('INSERT INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run('a', 'e1', 'p', 'prod', 'succeeded', 'train', null, rest.created_at, null, JSON.stringify(rest), '2026-01-02T00:00:00.000Z');
    for (const [i, s] of steps.entries()) old.prepare('INSERT INTO execution_steps VALUES (?, ?, ?, ?, ?, ?, ?)').run('a', 'e1', i, s.name, s.status, s.start_date, s.end_date);
    old.close();
    const cache = Cache.open(file);
    expect(cache.report.rebuilt_from).toBeNull();
    expect(cache.getExecution('a', 'e1')?.item).toEqual(execution('e1'));
    expect(cache.listExecutions('a').items[0]?.created_by).toBe('u1');
    cache.close();
  });

  it('reads an execution cached before the SDK shapes (inputs as {name, value}, steps without their source) in today\'s shape, offline', () => {
    const file = join(tempDir(), 'cache.sqlite');
    const cache = Cache.open(file);
    cache.putExecution('a', 'p', 'prod', execution('e2'), '2026-01-02T00:00:00.000Z');
    const { inputs: _inputs, steps, ...rest } = execution('e2');
    const older = { ...rest, steps: steps.map(({ name, status, start_date, end_date }) => ({ name, status, start_date, end_date })), inputs: [{ name: 'epochs', value: 3 }] };
    cache.database.prepare('UPDATE executions SET data = ? WHERE execution_id = ?').run(JSON.stringify(older), 'e2');
    expect(cache.getExecution('a', 'e2')?.item).toEqual({ ...execution('e2'), inputs: [{ pipeline_input_name: 'epochs', data_type: 'json', mapping_type: 'run', mapping_value: {}, value: 3 }] });
    cache.close();
  });

  it('shows an ended execution cached before the platform settled its steps with no step still running (interrupted, ended with it)', () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const steps = [
      { name: 'load', status: 'succeeded', start_date: '2026-01-01T00:00:00.000Z', end_date: '2026-01-01T00:00:01.000Z', ...noSource },
      { name: 'fit', status: 'running', start_date: '2026-01-01T00:00:01.000Z', end_date: null, ...noSource },
    ];
    cache.putExecution('a', 'p', 'prod', execution('e3', { status: 'failed', end_date: '2026-01-01T00:00:09.000Z', steps }), '2026-01-02T00:00:00.000Z');
    expect(cache.getExecution('a', 'e3')?.item.steps.map((s) => [s.status, s.end_date])).toEqual([
      ['succeeded', '2026-01-01T00:00:01.000Z'],
      ['interrupted', '2026-01-01T00:00:09.000Z'],
    ]);
    cache.putExecution('a', 'p', 'prod', execution('e4', { status: 'running', steps }), '2026-01-02T00:00:00.000Z');
    expect(cache.getExecution('a', 'e4')?.item.steps[1]?.status).toBe('running');
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
  it("lists a project's executions across environments with the input and output columns asked, and offers their names", () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const at = '2026-01-02T00:00:00.000Z';
    const score = (value: unknown) => ({ outputs: [{ pipeline_output_name: 'score', data_type: 'number' as const, mapping_type: 'run' as const, mapping_value: {}, value }] });
    cache.applyExecutions('a', 'p', 'prod', [execution('e1', score(0.91)), execution('e2', { ...score({ auc: 0.7 }), inputs: [] })], null, at);
    cache.applyExecutions('a', 'p', 'staging', [execution('e3')], null, at);
    cache.applyExecutions('a', 'other', 'prod', [execution('e4', score(0.1))], null, at);

    const all = cache.listExecutionRows('a', { project: 'p' }, ['output:score', 'input:epochs']);
    expect(all.items.map((r) => [r.execution_id, r.environment])).toEqual([['e3', 'staging'], ['e2', 'prod'], ['e1', 'prod']]);
    expect(all.io).toEqual({ 'output:score': [null, { auc: 0.7 }, 0.91], 'input:epochs': [3, null, 3] });
    expect(cache.listExecutionRows('a', { project: 'p', environment: 'prod' }).items.map((r) => r.execution_id)).toEqual(['e2', 'e1']);
    expect(cache.listExecutionRows('a', { project: 'p', environment: 'prod' }).io).toEqual({});
    expect(() => cache.listExecutionRows('a', { project: 'p' }, ["output:x' OR 1=1 --"])).toThrow(/not an input or output column/);

    expect(cache.listExecutionIoNames('a', { project: 'p' })).toEqual({ inputs: ['epochs'], outputs: ['score'] });
    expect(cache.listExecutionIoNames('a', { project: 'p', environment: 'staging' })).toEqual({ inputs: ['epochs'], outputs: [] });
    cache.close();
  });

  it('answers a list read again with its version only the executions written since (new and changed), with the whole count', () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const at = '2026-01-02T00:00:00.000Z';
    cache.applyExecutions('a', 'p', 'prod', [execution('e1'), execution('e2')], null, at);
    cache.applyExecutions('a', 'p', 'staging', [execution('e3')], null, at);
    const first = cache.listExecutionRows('a', { project: 'p', environment: 'prod' }, ['input:epochs']);
    expect(first).toMatchObject({ partial: false, total: 2 });
    expect(first.items.map((r) => r.execution_id)).toEqual(['e2', 'e1']);

    // Nothing written since: nothing to send.
    expect(cache.listExecutionRows('a', { project: 'p', environment: 'prod' }, ['input:epochs'], first.version)).toMatchObject({ items: [], io: { 'input:epochs': [] }, partial: true, total: 2, version: first.version });

    // e1 ends, e4 is new in prod, e5 in staging (another list), and a detail page rewrites e2 as it was.
    cache.applyExecutions('a', 'p', 'prod', [execution('e1', { status: 'failed', inputs: [] }), execution('e4')], null, at);
    cache.applyExecutions('a', 'p', 'staging', [execution('e5')], null, at);
    const next = cache.listExecutionRows('a', { project: 'p', environment: 'prod' }, ['input:epochs'], first.version);
    expect(next.partial).toBe(true);
    expect(next.total).toBe(3);
    expect(next.items.map((r) => [r.execution_id, r.status])).toEqual([['e4', 'succeeded'], ['e1', 'failed']]);
    expect(next.io).toEqual({ 'input:epochs': [3, null] });
    expect(next.version.rev).toBeGreaterThan(first.version.rev);
    // The project-wide list since the same version has staging's new one too.
    expect(cache.listExecutionRows('a', { project: 'p' }, [], first.version).items.map((r) => r.execution_id)).toEqual(['e5', 'e4', 'e1']);
    cache.close();
  });

  it('reads a list whole again once executions were deleted since its version (an environment gone), or for a version it never gave', () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const at = '2026-01-02T00:00:00.000Z';
    cache.putProjects('a', [project('p')], at);
    for (const env of ['prod', 'staging']) cache.putItem('a', 'environments', { project: 'p' }, environment('p', env), at);
    cache.applyExecutions('a', 'p', 'prod', [execution('e1')], null, at);
    cache.applyExecutions('a', 'p', 'staging', [execution('e2')], null, at);
    const before = cache.listExecutionRows('a', { project: 'p' });
    expect(before.items).toHaveLength(2);
    cache.removeItem('a', 'environments', { project: 'p' }, 'staging');
    const after = cache.listExecutionRows('a', { project: 'p' }, [], before.version);
    expect(after).toMatchObject({ partial: false, total: 1 });
    expect(after.items.map((r) => r.execution_id)).toEqual(['e1']);
    expect(after.version.deletions).toBe(before.version.deletions + 1);
    // A version ahead of the cache (another file, a cache rebuilt): whole too.
    expect(cache.listExecutionRows('a', { project: 'p' }, [], { rev: after.version.rev + 10, deletions: after.version.deletions }).partial).toBe(false);
    cache.close();
  });

  it('migrates a cache of schema 3 to 4: its executions are kept and the first list after reads them whole', () => {
    const dir = tempDir();
    const file = join(dir, 'cache.sqlite');
    const old = new Database(file);
    for (const migration of MIGRATIONS.slice(0, 3)) old.exec(migration);
    old.pragma('user_version = 3');
    const e = execution('e1');
    old
      .prepare('INSERT INTO executions (connection_id, execution_id, project, environment, status, pipeline_name, deployment_name, created_at, end_date, data, synced_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run('a', 'e1', 'p', 'prod', e.status, e.pipeline_name, null, e.created_at, null, JSON.stringify(e), '2026-01-02T00:00:00.000Z', 'u1');
    old.close();
    const cache = Cache.open(file);
    expect(cache.report.rebuilt_from).toBeNull();
    const read = cache.listExecutionRows('a', { project: 'p' });
    expect(read).toMatchObject({ partial: false, total: 1, version: { rev: 0, deletions: 0 } });
    cache.applyExecutions('a', 'p', 'prod', [execution('e2')], null, '2026-01-02T00:00:00.000Z');
    expect(cache.listExecutionRows('a', { project: 'p' }, [], read.version).items.map((r) => r.execution_id)).toEqual(['e2']);
    cache.close();
  });

  it('tells a list never cached from a list cached empty', () => {
    const cache = Cache.open(join(tempDir(), 'cache.sqlite'));
    const at = '2026-01-02T00:00:00.000Z';
    cache.putProjects('a', [project('seen'), project('never')], at);
    expect(cache.listSyncedAt('a', 'environments', 'seen')).toBeNull();
    cache.putList('a', 'environments', { project: 'seen' }, [], at);
    expect(cache.listSyncedAt('a', 'environments', 'seen')).toBe(at);
    expect(cache.listSyncedAt('a', 'environments', 'never')).toBeNull();
    expect(cache.listSyncedAt('a', 'executions', 'seen', 'prod')).toBeNull();
    cache.applyExecutions('a', 'seen', 'prod', [], '{"since":"1"}', at);
    expect(cache.listSyncedAt('a', 'executions', 'seen', 'prod')).toBe(at);
    cache.putProjects('a', [project('never')], at);
    expect(cache.listSyncedAt('a', 'environments', 'seen')).toBeNull();
    cache.close();
  });
});
