// The sync engine against the project's real platform (SQLite, listening on 127.0.0.1): a fresh
// platform per test, filled through its API, executions in bulk (testing/test-platform.ts).
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppError } from '../../domain/errors.js';
import { executionDocSql } from '../../platform/execution-doc.js';
import { regenerateSdkToken } from '../../platform/users-store.js';
import { Cache } from './cache.js';
import { PlatformClient } from './platform-client.js';
import { syncConnection, type SyncTransport } from './sync.js';
import { startTestPlatform, testDeployKey, type TestPlatform } from './testing/test-platform.js';

const root = mkdtempSync(join(tmpdir(), 'craft-sync-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const platforms: TestPlatform[] = [];
afterEach(async () => {
  for (const p of platforms.splice(0)) await p.close();
});

async function platformWith(projects: { name: string; environments: { name: string; executions?: number; deployments?: string[] }[] }[]): Promise<TestPlatform> {
  const p = await startTestPlatform();
  platforms.push(p);
  for (const project of projects) await p.addProject(project.name, project.environments);
  return p;
}

/** An execution the runner may still move (pending or running): the seeded ones have mixed statuses. */
async function unfinished(p: TestPlatform, project: string, environment: string, skip = 0) {
  return (await p.executions(project, environment)).filter((e) => e.status === 'pending' || e.status === 'running')[skip]!;
}

/** The cache holds exactly what the platform has: projects, environments, deployments, executions with their steps. */
async function expectSameAsPlatform(cache: Cache, connectionId: string, p: TestPlatform): Promise<void> {
  const projects = (await p.client.call('listProjects')).items.map((x) => x.name);
  expect(cache.listProjects(connectionId).items.map((x) => x.name)).toEqual(projects.sort());
  const platformIds = new Set<string>();
  for (const project of projects) {
    const environments = (await p.client.call('listEnvironments', { params: { name: project } })).items;
    expect(cache.listEnvironments(connectionId, project).map((e) => e.item)).toEqual(environments);
    for (const env of environments) {
      const deployments = (await p.client.call('listDeployments', { params: { name: project, env: env.name } })).items;
      expect(cache.listDeployments(connectionId, project, env.name).map((d) => d.item)).toEqual(deployments);
      const expected = await p.executions(project, env.name);
      const cached = cache.listExecutions(connectionId, { project, environment: env.name, limit: 1_000_000 });
      expect(cached.total).toBe(expected.length);
      const rows = new Map(cached.items.map((e) => [e.execution_id, e]));
      for (const execution of expected) {
        platformIds.add(execution.execution_id);
        const { execution_id, status, created_at, created_by, end_date, pipeline_name, deployment_name } = execution;
        expect(rows.get(execution_id)).toEqual({ execution_id, status, created_at, created_by, end_date, pipeline_name, deployment_name });
        // The whole execution, steps in order, inputs and outputs, comes back with getExecution.
        expect(cache.getExecution(connectionId, execution_id)?.item).toEqual(execution);
      }
    }
  }
  const cachedIds = new Set(cache.listExecutions(connectionId, { limit: 1_000_000 }).items.map((e) => e.execution_id));
  expect(cachedIds).toEqual(platformIds);
}

describe('syncConnection', () => {
  it('fills an empty cache, then applies only changes, deletions included', async () => {
    const p = await platformWith([
        { name: 'alpha', environments: [{ name: 'prod', executions: 250, deployments: ['nightly'] }, { name: 'dev', executions: 40 }] },
        { name: 'beta', environments: [{ name: 'main', executions: 30 }] },
    ]);
    await p.client.call('createUser', { body: { name: 'Member', email: 'm@example.com', role: 'member' } });
    const cache = Cache.open(join(root, 'incremental.sqlite'));
    const first = await syncConnection(cache, p.client, 'c1', { pageSize: 100 });
    expect(first.ok).toBe(true);
    expect(first.received).toEqual({ projects: 2, environments: 3, deployments: 1, executions: 320, users: 2 });
    await expectSameAsPlatform(cache, 'c1', p);
    expect(cache.listDeployments('c1', 'alpha', 'prod').map((d) => d.item.name)).toEqual(['nightly']);
    expect(cache.listUsers('c1').map((u) => u.item.email).sort()).toEqual(['admin@localhost', 'm@example.com']);

    // Nothing changed: nothing is sent again.
    const idle = await syncConnection(cache, p.client, 'c1', { pageSize: 100 });
    expect(idle.received.executions).toBe(0);
    expect(idle.received.projects).toBe(0);

    // Changes: new and updated executions, a deleted project (its environment and executions go too).
    await p.addExecutions('alpha', 'dev', 15);
    const prod = await p.environment('alpha', 'prod');
    const some = await unfinished(p, 'alpha', 'prod');
    await p.client.call('updateExecution', { params: { slug: prod.slug, id: some.execution_id }, body: { status: 'failed' } });
    await p.client.call('deleteProject', { params: { name: 'beta' }, body: { confirm_name: 'beta' } });
    await p.addProject('gamma');
    const second = await syncConnection(cache, p.client, 'c1', { pageSize: 100 });
    expect(second.ok).toBe(true);
    expect(second.received.executions).toBe(16);
    await expectSameAsPlatform(cache, 'c1', p);
    expect(cache.getExecution('c1', some.execution_id)?.item.status).toBe('failed');
    expect(cache.listExecutions('c1', { project: 'beta' }).total).toBe(0);
    expect(cache.syncStates('c1').map((x) => x.scope)).not.toContain('executions/beta/main');
    expect(cache.integrityCheck()).toBe('ok');

    // Another connection is untouched.
    expect(cache.listExecutions('c2').total).toBe(0);
    cache.close();
  });

  it('skips feeds the platform does not offer, and stops cleanly when offline (resuming later)', async () => {
    const p = await platformWith([{ name: 'alpha', environments: [{ name: 'prod', executions: 300 }] }]);
    const cache = Cache.open(join(root, 'offline.sqlite'));
    // The real platform offers every feed of the contract; one of an older version may lack a route
    // and answer 404 for it, which only a wrapper can play here: this one has no deployments.
    const olderPlatform: SyncTransport = {
      call: ((name: string, input?: unknown) =>
        name === 'listDeployments'
          ? Promise.reject(new AppError('not_found', 'Route GET /api/v1/projects/alpha/environments/prod/deployments not found'))
          : (p.client.call as (n: string, i?: unknown) => Promise<unknown>)(name, input)) as SyncTransport['call'],
    };
    // The connection drops once the first page of executions is in.
    const failing: SyncTransport = {
      call: ((name: string, input?: { query?: { cursor?: string } }) =>
        name === 'listExecutions' && input?.query?.cursor !== undefined
          ? Promise.reject(new AppError('offline', `The platform at ${p.url} is unreachable: connection refused`))
          : (olderPlatform.call as (n: string, i?: unknown) => Promise<unknown>)(name, input)) as SyncTransport['call'],
    };
    const partial = await syncConnection(cache, failing, 'c1', { pageSize: 100 });
    expect(partial.ok).toBe(false);
    expect(partial.error?.error).toBe('offline');
    expect(partial.skipped).toEqual(['deployments/alpha/prod']);
    const kept = cache.listExecutions('c1').total;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(300);
    const resumed = await syncConnection(cache, olderPlatform, 'c1', { pageSize: 100 });
    expect(resumed.ok).toBe(true);
    expect(resumed.received.executions).toBe(300 - kept);
    expect(resumed.skipped).toEqual(['deployments/alpha/prod']);
    expect(cache.listExecutions('c1', { limit: 1000 }).items.map((e) => e.execution_id).sort()).toEqual((await p.executions('alpha', 'prod')).map((e) => e.execution_id).sort());
    cache.close();
  });

  it('keeps each execution as the platform sent it, fields this version does not know included (the text is not encoded again)', async () => {
    const p = await platformWith([{ name: 'alpha', environments: [{ name: 'prod', executions: 250 }] }]);
    // A newer platform's field, in every stored execution (the platform sends its documents as stored).
    // (Stored before "steps", the first of the fields the stored document holds: platform/execution-doc.ts.)
    await p.platform.context.db.updateTable('executions').set({ doc: sql<string>`'"queue_position":3,' || doc` }).execute();
    const cache = Cache.open(join(root, 'as-sent.sqlite'));
    // Pages of 100: the first pages go through the writer's thread, the last is written in place.
    expect((await syncConnection(cache, p.client, 'c1', { pageSize: 100 })).received.executions).toBe(250);
    const stored = cache.database.prepare('SELECT execution_id, data FROM executions').all() as { execution_id: string; data: string }[];
    const sent = new Map((await p.platform.context.db.selectFrom('executions').select(['execution_id', executionDocSql(p.platform.context.dialect).as('doc')]).execute()).map((r) => [r.execution_id, r.doc]));
    expect(stored).toHaveLength(250);
    for (const row of stored) expect(row.data).toBe(sent.get(row.execution_id));
    expect(JSON.parse(stored[0]!.data).queue_position).toBe(3);
    cache.close();
  });

  it('stores each execution as the text it came as, pages of plain ASCII (handed over as bytes) and of other characters alike', async () => {
    const p = await platformWith([{ name: 'alpha', environments: [{ name: 'prod', executions: 250 }] }]);
    // The second page of 100 (newest first) holds characters beyond ASCII, the others do not.
    const second = (await p.client.call('listExecutions', { params: { slug: (await p.client.call('listEnvironments', { params: { name: 'alpha' } })).items[0]!.slug }, query: { limit: 200 } })).items.slice(100);
    await p.platform.context.db
      .updateTable('executions')
      .set({ doc: sql<string>`'"note":"café ☕ 𝄞",' || doc` })
      .where('execution_id', 'in', second.map((e) => e.execution_id))
      .execute();
    const cache = Cache.open(join(root, 'bytes.sqlite'));
    expect((await syncConnection(cache, p.client, 'c1', { pageSize: 100 })).received.executions).toBe(250);
    const stored = cache.database.prepare('SELECT execution_id, data, typeof(data) AS type FROM executions').all() as { execution_id: string; data: string; type: string }[];
    const sent = new Map((await p.platform.context.db.selectFrom('executions').select(['execution_id', executionDocSql(p.platform.context.dialect).as('doc')]).execute()).map((r) => [r.execution_id, r.doc]));
    expect(stored).toHaveLength(250);
    for (const row of stored) expect(row).toEqual({ execution_id: row.execution_id, data: sent.get(row.execution_id), type: 'text' });
    expect(stored.filter((row) => row.data.includes('"note":"café ☕ 𝄞"'))).toHaveLength(100);
    await expectSameAsPlatform(cache, 'c1', p);
    cache.close();
  });

  it('asks for the next page of executions before it decodes the one just received, and still ends equal to the platform', async () => {
    const p = await platformWith([{ name: 'alpha', environments: [{ name: 'prod', executions: 250 }] }]);
    const cache = Cache.open(join(root, 'ahead.sqlite'));
    // The real client, with what it does to the execution pages written down in order.
    const events: string[] = [];
    let asked = 0;
    const watched: SyncTransport = {
      call: p.client.call.bind(p.client),
      receive: (async (name: string, input?: unknown) => {
        const page = name === 'listExecutions' ? ++asked : 0;
        if (page) events.push(`asked ${page}`);
        const answer = await (p.client.receive as (n: string, i?: unknown) => Promise<{ text: string; parse: () => unknown }>)(name, input);
        if (!page) return answer;
        return { text: answer.text, parse: () => (events.push(`decoded ${page}`), answer.parse()) };
      }) as SyncTransport['receive'],
    };
    expect((await syncConnection(cache, watched, 'c1', { pageSize: 100 })).received.executions).toBe(250);
    // Page 2 is asked for before page 1 is decoded: the platform reads it meanwhile.
    expect(events.slice(0, 3)).toEqual(['asked 1', 'asked 2', 'decoded 1']);
    expect(events.filter((e) => e.startsWith('asked'))).toHaveLength(3);
    await expectSameAsPlatform(cache, 'c1', p);
    cache.close();
  });

  it('drops a project its user was removed from (with what hangs under it), brings it back when they are added again, and syncs the rest', async () => {
    const p = await platformWith([
      { name: 'alpha', environments: [{ name: 'prod', executions: 20 }] },
      { name: 'beta', environments: [{ name: 'main', executions: 10 }] },
    ]);
    const member = await p.client.call('createUser', { body: { name: 'Member', email: 'm@example.com', role: 'member' } });
    for (const project of ['alpha', 'beta']) await p.client.call('setMember', { params: { name: project, user_id: member.id }, body: { role: 'viewer' } });
    const memberToken = await regenerateSdkToken(p.platform.context, member.id);
    const asMember = new PlatformClient({ baseUrl: p.url, getSdkToken: async () => memberToken });
    const cache = Cache.open(join(root, 'member.sqlite'));
    expect(await syncConnection(cache, asMember, 'm', { pageSize: 100 })).toMatchObject({ ok: true, skipped: [], received: { projects: 2, executions: 30 } });

    // Removed from beta: the member's projects feed says beta is gone for them; the admin's still has it.
    await p.client.call('removeMember', { params: { name: 'beta', user_id: member.id } });
    await p.addExecutions('alpha', 'prod', 5);
    const next = await syncConnection(cache, asMember, 'm', { pageSize: 100 });
    expect(next).toMatchObject({ ok: true, skipped: [], received: { executions: 5 } });
    expect(cache.listProjects('m').items.map((project) => project.name)).toEqual(['alpha']);
    expect(cache.listExecutions('m', { project: 'beta' }).total).toBe(0);
    expect(cache.listExecutions('m', { project: 'alpha' }).total).toBe(25);
    const adminCache = Cache.open(join(root, 'admin.sqlite'));
    await syncConnection(adminCache, p.client, 'a', { pageSize: 100 });
    const { cursor } = await p.client.call('listProjects');
    await p.client.call('removeMember', { params: { name: 'alpha', user_id: member.id } });
    expect((await p.client.call('listProjects', { query: { since: cursor } })).deleted).toEqual([]);
    adminCache.close();

    // Added to beta again: it comes back at the next sync, with its executions.
    await p.client.call('setMember', { params: { name: 'beta', user_id: member.id }, body: { role: 'viewer' } });
    const again = await syncConnection(cache, asMember, 'm', { pageSize: 100 });
    expect(again).toMatchObject({ ok: true, skipped: [] });
    expect(cache.listProjects('m').items.map((project) => project.name)).toEqual(['beta']);
    expect(cache.listExecutions('m', { project: 'beta' }).total).toBe(10);
    cache.close();
  });

  it('forgets a cached row this version cannot read and fetches it again at the next sync', async () => {
    const p = await platformWith([{ name: 'alpha', environments: [{ name: 'prod', executions: 120, deployments: ['nightly'] }] }]);
    const cache = Cache.open(join(root, 'unreadable.sqlite'));
    expect((await syncConnection(cache, p.client, 'c1', { pageSize: 50 })).ok).toBe(true);
    // As an older app might have left them: a status this version does not know, an environment without its slug.
    const [victim] = cache.listExecutions('c1', { limit: 1 }).items;
    cache.database.prepare("UPDATE executions SET status = 'queued' WHERE execution_id = ?").run(victim!.execution_id);
    cache.database.prepare("UPDATE environments SET data = json_remove(data, '$.slug')").run();
    cache.database.prepare("UPDATE deployments SET data = '{not json'").run();

    const rows = cache.listExecutions('c1', { limit: 1000 });
    expect(rows.total).toBe(119);
    expect(rows.items.map((e) => e.execution_id)).not.toContain(victim!.execution_id);
    expect(cache.listEnvironments('c1', 'alpha')).toEqual([]);
    expect(cache.listDeployments('c1', 'alpha', 'prod')).toEqual([]);

    const again = await syncConnection(cache, p.client, 'c1', { pageSize: 50 });
    expect(again.ok).toBe(true);
    await expectSameAsPlatform(cache, 'c1', p);
    expect(cache.integrityCheck()).toBe('ok');
    cache.close();
  });

  it('syncs into a cache that lives in memory too (no second connection: pages are written in place)', async () => {
    const p = await platformWith([{ name: 'alpha', environments: [{ name: 'prod', executions: 230 }] }]);
    const cache = Cache.open(':memory:');
    expect((await syncConnection(cache, p.client, 'c1', { pageSize: 50 })).ok).toBe(true);
    await expectSameAsPlatform(cache, 'c1', p);
    cache.close();
  });

  it('mirrors projects, environments, deployments, executions with steps and users, then follows changes', async () => {
    const p = await platformWith([]);
    const client = p.client;
    await client.call('createProject', { body: { name: 'fraud', python_version: '3.12', repository_url: 'git@github.com:acme/fraud.git', deploy_key: testDeployKey() } });
    await client.call('createProject', { body: { name: 'churn', python_version: '3.12', repository_url: 'git@github.com:acme/churn.git', deploy_key: testDeployKey() } });
    const prod = await client.call('createEnvironment', { params: { name: 'fraud' }, body: { name: 'production' } });
    const staging = await client.call('createEnvironment', { params: { name: 'fraud' }, body: { name: 'staging' } });
    await client.call('createDeployment', { params: { name: 'fraud', env: 'production' }, body: { name: 'score', pipeline_name: 'scoring', type: 'endpoint' } });
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const created = await client.call('createExecution', {
        params: { slug: prod.slug },
        body: {
          pipeline_name: 'training',
          steps: [
            { name: 'prepare', status: 'pending' },
            { name: 'train', status: 'pending' },
          ],
          inputs: [{ pipeline_input_name: 'epochs', data_type: 'number', value: i }],
        },
      });
      ids.push(created.execution_id);
    }
    await client.call('createExecution', { params: { slug: staging.slug }, body: { pipeline_name: 'training' } });
    await client.call('updateExecution', { params: { slug: prod.slug, id: ids[2]! }, body: { status: 'running' } });

    const cache = Cache.open(join(root, 'mirror.sqlite'));
    const first = await syncConnection(cache, client, 'c', { pageSize: 5 });
    expect(first.error).toBeUndefined();
    expect(first.received).toMatchObject({ projects: 2, environments: 2, deployments: 1, executions: 24 });
    expect(first.received.users).toBeGreaterThanOrEqual(1);
    await expectSameAsPlatform(cache, 'c', p);
    expect(cache.listDeployments('c', 'fraud', 'production').map((d) => d.item.name)).toEqual(['score']);

    // Changes on the platform: new executions, a status change, a deleted environment and project.
    for (let i = 0; i < 7; i++) await client.call('createExecution', { params: { slug: prod.slug }, body: { pipeline_name: 'training' } });
    await client.call('updateExecution', {
      params: { slug: prod.slug, id: ids[2]! },
      body: { status: 'succeeded', steps: [{ name: 'prepare', status: 'succeeded' }, { name: 'train', status: 'succeeded' }] },
    });
    await client.call('deleteEnvironment', { params: { name: 'fraud', env: 'staging' } });
    await client.call('deleteProject', { params: { name: 'churn' }, body: { confirm_name: 'churn' } });

    const second = await syncConnection(cache, client, 'c', { pageSize: 5 });
    expect(second.error).toBeUndefined();
    expect(second.received.executions).toBe(8);
    expect(cache.getExecution('c', ids[2]!)?.item.status).toBe('succeeded');
    expect(cache.listEnvironments('c', 'fraud').map((e) => e.item.name)).toEqual(['production']);
    expect(cache.listExecutions('c', { environment: 'staging' }).total).toBe(0);
    await expectSameAsPlatform(cache, 'c', p);
    expect(cache.integrityCheck()).toBe('ok');
    cache.close();
  });

  it('survives SIGKILL in the middle of a large sync, many times: the cache always opens, passes integrity_check, and ends equal to the platform', async () => {
    const p = await platformWith([
        { name: 'alpha', environments: [{ name: 'prod', executions: 12_000 }, { name: 'dev', executions: 3_000 }] },
        { name: 'beta', environments: [{ name: 'main', executions: 3_000 }] },
    ]);
    const dir = mkdtempSync(join(root, 'crash-'));
    const file = join(dir, 'cache.sqlite');
    const tsx = resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
    const child = resolve(import.meta.dirname, 'testing/sync-child.ts');
    const runChild = (killAfterPages: number | null) =>
      new Promise<{ killed: boolean; output: string }>((done, fail) => {
        const proc = spawn(tsx, [child, file, p.url, p.token, 'c1', '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        let errors = '';
        let pages = 0;
        let killing = false;
        proc.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          pages = (output.match(/^page /gm) ?? []).length;
          // Kill a little after a page line: sometimes between pages, often in the middle of the next page's transaction.
          if (killAfterPages !== null && pages >= killAfterPages && !killing) {
            killing = true;
            setTimeout(() => proc.exitCode === null && proc.kill('SIGKILL'), Math.floor(Math.random() * 25));
          }
        });
        proc.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
        proc.on('exit', (code, signal) => {
          if (signal === 'SIGKILL') done({ killed: true, output });
          else if (code === 0) done({ killed: false, output });
          else fail(new Error(`sync child failed (${code}): ${errors}`));
        });
      });

    const kills = [2, 3, 2, 4, 3, 2, 5, 3, 2, 4];
    let killedCount = 0;
    for (const [round, after] of kills.entries()) {
      // The platform keeps changing between crashes.
      if (round === 2) await p.addExecutions('alpha', 'dev', 700);
      if (round === 4) {
        const prod = await p.environment('alpha', 'prod');
        await p.client.call('updateExecution', { params: { slug: prod.slug, id: (await unfinished(p, 'alpha', 'prod', 10)).execution_id }, body: { status: 'failed' } });
      }
      if (round === 5) await p.client.call('deleteEnvironment', { params: { name: 'beta', env: 'main' } });
      const result = await runChild(after);
      if (result.killed) killedCount++;
      const cache = Cache.open(file);
      expect(cache.report.rebuilt_from).toBeNull();
      expect(cache.integrityCheck()).toBe('ok');
      cache.close();
    }
    expect(killedCount).toBeGreaterThanOrEqual(8);
    const final = await runChild(null);
    expect(final.output).toMatch(/done \{"ok":true/);
    const cache = Cache.open(file);
    expect(cache.integrityCheck()).toBe('ok');
    await expectSameAsPlatform(cache, 'c1', p);
    // No secret in the cache files: neither the SDK token nor a private key.
    cache.database.pragma('wal_checkpoint(TRUNCATE)');
    cache.close();
    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name)).toString('latin1');
      expect(bytes).not.toContain(p.token);
      expect(bytes).not.toContain('PRIVATE KEY');
    }
  }, 180_000);
});
