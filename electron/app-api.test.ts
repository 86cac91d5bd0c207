// The desktop API end to end under Node: the real embedded platform, the real cache and
// deploy keys, the calls a renderer makes — only the keychain is the in-memory store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppApi, createHandlers, type AppApi } from './app-api.js';
import { startDesktop, type DesktopServices } from './desktop.js';
import { memoryStore } from './services/vault.js';

let desktop: DesktopServices;
let app: AppApi;
let dataDir: string;

async function ok<T = any>(method: string, input: unknown = {}): Promise<T> {
  const answer = await app.call(method, input);
  if (!answer.ok) throw new Error(`${method} failed: ${JSON.stringify(answer.error)}`);
  return answer.result as T;
}

async function refused(method: string, input: unknown) {
  const answer = await app.call(method, input);
  if (answer.ok) throw new Error(`${method} was expected to fail`);
  return answer.error;
}

function pemKey(bits = 2048): string {
  const dir = mkdtempSync(join(tmpdir(), 'craft-api-key-'));
  execFileSync('ssh-keygen', ['-q', '-m', 'PEM', '-t', 'rsa', '-b', String(bits), '-N', '', '-f', join(dir, 'id_rsa')]);
  return readFileSync(join(dir, 'id_rsa'), 'utf8');
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'craft-app-api-'));
  desktop = await startDesktop({ dataDir, secretStore: memoryStore(), keyBits: 2048 });
  app = createAppApi(createHandlers(desktop));
});

afterAll(async () => {
  await desktop?.close();
});

describe('the desktop API', () => {
  it('refuses an unknown call and bad input, naming the field and the rule', async () => {
    expect((await app.call('dropDatabase', {})).ok).toBe(false);
    const error = await refused('createProject', { name: 'Bad Name', python_version: '3.12', repository_url: 'git@github.com:a/b.git', deploy_key_id: 'x' });
    expect(error).toMatchObject({ error: 'validation', field: 'name' });
    expect(error.message).toMatch(/^name: must contain lowercase letters/);
  });

  it('signs the local admin in by itself', async () => {
    const session = await ok('getSession');
    expect(session.user).toMatchObject({ email: 'admin@localhost', role: 'admin' });
    expect(session.online).toBe(true);
  });

  it('walks a project from creation to executions, history and members', async () => {
    const key = await ok('importDeployKey', { private_key: pemKey() });
    expect(key.fingerprint).toMatch(/^SHA256:/);
    const project = await ok('createProject', {
      name: 'fraud',
      python_version: '3.12',
      repository_url: 'git@github.com:acme/fraud.git',
      deploy_key_id: key.key_id,
      system_dependencies: ['libgomp1'],
    });
    expect(project).toMatchObject({ name: 'fraud', deploy_key_fingerprint: key.fingerprint });
    // The key handle is spent: the private key left the process's memory with the project.
    expect((await refused('createProject', { name: 'fraud-2', python_version: '3.12', repository_url: 'git@github.com:acme/fraud.git', deploy_key_id: key.key_id })).field).toBe('deploy_key');

    const updated = await ok('updateProject', { project: 'fraud', changes: { python_version: '3.11', folders: ['/src'] } });
    expect(updated.changed_fields.sort()).toEqual(['folders', 'python_version']);
    expect(updated.notice).toMatch(/steps created afterwards/);
    const history = await ok('getProjectHistory', { project: 'fraud' });
    expect(history.items[0].changes.map((c: { field: string }) => c.field).sort()).toEqual(['folders', 'python_version']);

    const environment = await ok('createEnvironment', { project: 'fraud', environment: { name: 'production' } });
    expect(environment.url).toMatch(/\/environments\/[a-z0-9-]+$/);
    expect((await ok('listEnvironments', { project: 'fraud' })).items.map((e: { name: string }) => e.name)).toEqual(['production']);

    // A runner records an execution through the environment API, with the SDK token.
    const client = desktop.client();
    const slug = environment.slug;
    const created = await client.call('createExecution', { params: { slug }, body: { pipeline_name: 'train', steps: [{ name: 'fit', status: 'pending' }] } });
    const execution = { slug, id: created.execution_id };
    await client.call('updateExecution', { params: execution, body: { status: 'running' } });
    await client.call('appendExecutionLogs', { params: execution, body: { lines: [{ message: 'epoch 1' }, { message: 'epoch 2' }] } });
    await client.call('updateExecution', { params: execution, body: { status: 'failed' } });

    // Another environment's executions are not fetched while one environment's table loads.
    const staging = await ok('createEnvironment', { project: 'fraud', environment: { name: 'staging' } });
    await client.call('createExecution', { params: { slug: staging.slug }, body: { pipeline_name: 'train' } });

    const table = await ok('listExecutions', { project: 'fraud', environment: 'production' });
    expect(desktop.cache.listExecutions(desktop.connection().id, { project: 'fraud', environment: 'staging' }).total).toBe(0);
    expect(table.freshness.source).toBe('platform');
    expect(table.items).toHaveLength(1);
    expect(table.items[0]).toMatchObject({ execution_id: created.execution_id, status: 'failed', pipeline_name: 'train' });
    const one = await ok('getExecution', { project: 'fraud', environment: 'production', execution_id: created.execution_id });
    expect(one.item.steps.map((s: { name: string }) => s.name)).toEqual(['fit']);
    const logs = await ok('getExecutionLogs', { project: 'fraud', environment: 'production', execution_id: created.execution_id });
    expect(logs.items.map((l: { message: string }) => l.message)).toEqual(['epoch 1', 'epoch 2']);
    const names = await ok('resolveUsers', { ids: [table.items[0].created_by] });
    expect(names.items[0].name).toBe('Local admin');

    const user = await ok('createUser', { name: 'Ada Lovelace', email: 'ada@example.com', role: 'member' });
    const member = await ok('setMember', { project: 'fraud', user_id: user.id, role: 'viewer' });
    expect(member.role).toBe('viewer');
    expect((await ok('listMembers', { project: 'fraud' })).items.map((m: { role: string }) => m.role).sort()).toEqual(['owner', 'viewer']);
  });

  it("lists a project's executions in every environment with chosen outputs as columns, and says when anything changed", async () => {
    const client = desktop.client();
    const staging = (await ok('getEnvironment', { project: 'fraud', environment: 'staging' })).item;
    const before = (await ok('getChangeCursor')).cursor as string;
    expect((await ok('getChangeCursor')).cursor).toBe(before);
    const created = await client.call('createExecution', { params: { slug: staging.slug }, body: { pipeline_name: 'score' } });
    await client.call('updateExecution', {
      params: { slug: staging.slug, id: created.execution_id },
      body: { status: 'running', outputs: [{ pipeline_output_name: 'auc', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 0.93 }] },
    });
    const after = await ok('getChangeCursor');
    expect(Number(after.cursor)).toBeGreaterThan(Number(before));
    expect(after.freshness).toMatchObject({ source: 'platform', offline: false });

    const all = await ok('listExecutions', { project: 'fraud', io: ['output:auc'] });
    expect(all.items.map((r: { environment: string }) => r.environment).sort()).toEqual(['production', 'staging', 'staging']);
    const at = all.items.findIndex((r: { execution_id: string }) => r.execution_id === created.execution_id);
    expect(all.io['output:auc'][at]).toBe(0.93);
    expect(all.io['output:auc'].filter((v: unknown) => v === null)).toHaveLength(2);
    expect(await ok('listExecutionIoNames', { project: 'fraud' })).toEqual({ inputs: [], outputs: ['auc'] });
    const bad = await refused('listExecutions', { project: 'fraud', io: ['output:auc; DROP TABLE executions'] });
    expect(bad).toMatchObject({ error: 'validation', field: 'io.0' });

    // Read again with the version it gave: after a sync with the platform, only the execution the runner moved on since.
    expect(all).toMatchObject({ partial: false, total: 3 });
    await client.call('updateExecution', { params: { slug: staging.slug, id: created.execution_id }, body: { status: 'succeeded' } });
    const changed = await ok('listExecutions', { project: 'fraud', io: ['output:auc'], since: all.version });
    expect(changed).toMatchObject({ partial: true, total: 3, io: { 'output:auc': [0.93] } });
    expect(changed.items.map((r: { execution_id: string; status: string }) => [r.execution_id, r.status])).toEqual([[created.execution_id, 'succeeded']]);
    expect(await refused('listExecutions', { project: 'fraud', since: { rev: -1, deletions: 0 } })).toMatchObject({ error: 'validation', field: 'since.rev' });
  });

  it('hands the admin a new user’s invitation code when the platform has no mail server, and a new one on resend', async () => {
    const user = await ok('createUser', { name: 'Grace Hopper', email: 'grace@example.com', role: 'member' });
    expect(user).toMatchObject({ invitation_pending: true, invitation: { reason: 'no_mail_server', code: expect.any(String), expires_at: expect.any(String) } });
    const resent = await ok('resendInvitation', { id: user.id });
    expect(resent).toMatchObject({ user: { id: user.id }, invitation: { reason: 'no_mail_server' } });
    expect(resent.invitation.code).not.toBe(user.invitation.code);
    const listed = (await ok('listUsers')).items.find((u: { id: string }) => u.id === user.id);
    expect(listed).toMatchObject({ invitation_pending: true });
    expect(JSON.stringify(listed)).not.toContain(resent.invitation.code);
  });

  it('gives the SDK connection lines with the token masked, and writes a private .env', async () => {
    const masked = await ok('getSdkConnection', { project: 'fraud', environment: 'production' });
    const token = (await ok('getSdkToken', { reveal: true })).token as string;
    expect(masked.export_lines).toContain(`export CRAFT_AI_ENVIRONMENT_URL=${masked.environment_url}`);
    expect(masked.export_lines).not.toContain(token);
    const revealed = await ok('getSdkConnection', { project: 'fraud', environment: 'production', reveal: true });
    expect(revealed.export_lines).toContain(`export CRAFT_AI_SDK_TOKEN=${token}`);

    const path = join(mkdtempSync(join(tmpdir(), 'craft-dotenv-')), '.env');
    await ok('writeDotEnv', { project: 'fraud', environment: 'production', path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain(`CRAFT_AI_SDK_TOKEN=${token}`);
  });

  it('adds a team connection over https only (http only to this computer): a password and a token never travel in clear', async () => {
    const before = (await ok('listConnections')).items.length;
    for (const url of ['http://mlops.example.com', 'http://10.1.2.3:8080/', 'HTTP://Mlops.Example.com']) {
      const error = await refused('addConnection', { url });
      expect(error).toMatchObject({ error: 'validation', field: 'url' });
      expect(error.message).toBe('url: must start with https:// (http:// only for a platform on this computer: over http a password and an SDK token travel in clear)');
    }
    expect((await ok('listConnections')).items).toHaveLength(before);
    // These pass the rule, then the check that a platform answers there (none does here: nothing is saved).
    for (const url of ['https://mlops.example.com', 'http://127.0.0.1:9/', 'http://localhost:9', 'http://[::1]:9']) {
      const error = await refused('addConnection', { url });
      expect(error).toMatchObject({ error: 'validation', field: 'url', message: expect.stringMatching(/^url: does not answer \(/) });
    }
    expect((await ok('listConnections')).items).toHaveLength(before);
    await ok('switchConnection', { id: (await ok('listConnections')).items.find((c: { kind: string }) => c.kind === 'embedded').id });
  });

  it('writes a .env and a key pair only to an absolute path; a .env keeps its other lines and changes only once the user saw what changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'craft-chosen-files-'));
    const relative = await refused('writeDotEnv', { project: 'fraud', environment: 'production', path: 'churn/.env' });
    expect(relative).toEqual({ error: 'validation', field: 'path', message: 'path: must be an absolute path, such as /home/you/project/.env or ~/project/.env' });
    const envPath = join(dir, '.env');
    writeFileSync(envPath, 'MINE=keep me\n');
    const preview = await ok('previewDotEnv', { project: 'fraud', environment: 'production', path: envPath });
    expect(preview).toMatchObject({ path: envPath, exists: true, kept_lines: 1, git: null });
    expect(preview.changes.map((c: { change: string }) => c.change)).toEqual(['added', 'added', 'added']);
    const taken = await refused('writeDotEnv', { project: 'fraud', environment: 'production', path: envPath });
    expect(taken).toEqual({ error: 'conflict', field: 'path', message: `path: ${envPath} already exists: confirm the changes to its SDK variables (its other lines are kept)` });
    expect(readFileSync(envPath, 'utf8')).toBe('MINE=keep me\n');
    expect(await ok('writeDotEnv', { project: 'fraud', environment: 'production', path: envPath, confirmed: true })).toMatchObject({ written: true });
    expect(readFileSync(envPath, 'utf8')).toMatch(/^MINE=keep me\nCRAFT_AI_ENVIRONMENT_URL=.*\nCRAFT_AI_SDK_TOKEN=.*\nCRAFT_AI_CONTROL_URL=.*\n$/);
    expect(await refused('writeDotEnv', { project: 'fraud', environment: 'production', path: dir })).toEqual({
      error: 'validation',
      field: 'path',
      message: `path: ${dir} is a folder: give the path of a file in it, such as ${dir}/.env`,
    });

    const key = await ok('importDeployKey', { private_key: pemKey() });
    expect(await refused('exportDeployKey', { key_id: key.key_id, path: 'keys/deploy_key' })).toMatchObject({ error: 'validation', field: 'path', message: expect.stringMatching(/^path: must be an absolute path/) });
    const keyPath = join(dir, 'deploy_key');
    writeFileSync(`${keyPath}.pub`, 'my other public key\n');
    expect(await refused('exportDeployKey', { key_id: key.key_id, path: keyPath })).toEqual({ error: 'conflict', field: 'path', message: `path: ${keyPath}.pub already exists: confirm to replace it` });
    expect(existsSync(keyPath)).toBe(false);
    expect(readFileSync(`${keyPath}.pub`, 'utf8')).toBe('my other public key\n');
    await ok('exportDeployKey', { key_id: key.key_id, path: keyPath, overwrite: true });
    expect(readFileSync(`${keyPath}.pub`, 'utf8')).toMatch(/^ssh-rsa /);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
  });

  it('deletes a project only when its name is repeated', async () => {
    expect((await refused('deleteProject', { project: 'fraud', confirm_name: 'fraud-x' })).error).toBe('validation');
    expect(await ok('deleteProject', { project: 'fraud', confirm_name: 'fraud' })).toEqual({ deleted: true });
    expect((await ok('listProjects')).items).toEqual([]);
  });

  it('answers from the cache, saying it is offline, while the embedded platform is stopped', async () => {
    await ok('createProject', {
      name: 'kept',
      python_version: '3.12',
      repository_url: 'git@github.com:acme/kept.git',
      deploy_key_id: (await ok('importDeployKey', { private_key: pemKey() })).key_id,
    });
    await ok('createProject', {
      name: 'never-opened',
      python_version: '3.12',
      repository_url: 'git@github.com:acme/never.git',
      deploy_key_id: (await ok('importDeployKey', { private_key: pemKey() })).key_id,
    });
    await ok('listProjects');
    await ok('listEnvironments', { project: 'kept' });
    expect((await ok('setEmbeddedPlatform', { running: false })).running).toBe(false);
    const offline = await ok('listProjects');
    expect(offline.freshness).toMatchObject({ source: 'cache', offline: true });
    expect(offline.items.map((p: { name: string }) => p.name)).toEqual(['kept', 'never-opened']);
    expect((await ok('getSession')).online).toBe(false);
    expect(await ok('getChangeCursor')).toMatchObject({ cursor: null, freshness: { offline: true } });
    // Never opened: the cache cannot say whether it has environments, and says so (synced_at null);
    // opened once and empty: cached as empty, with when.
    expect(await ok('listEnvironments', { project: 'never-opened' })).toMatchObject({ items: [], freshness: { source: 'cache', offline: true, synced_at: null } });
    const seen = await ok('listEnvironments', { project: 'kept' });
    expect(seen.items).toEqual([]);
    expect(seen.freshness.synced_at).toEqual(expect.any(String));
    expect((await ok('setEmbeddedPlatform', { running: true })).running).toBe(true);
    expect((await ok('listProjects')).freshness.source).toBe('platform');
  });
});
