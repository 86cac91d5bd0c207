// The sync engine against the project's real platform (SQLite, listening on 127.0.0.1):
// proves the feed contracts (projects, environments, deployments, executions, users) match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlatform, type BuiltPlatform } from '../../platform/index.js';
import { Cache, type ExecutionRecord } from './cache.js';
import { PlatformClient } from './platform-client.js';
import { syncConnection } from './sync.js';

const dir = mkdtempSync(join(tmpdir(), 'craft-sync-platform-'));
let platform: BuiltPlatform;
let client: PlatformClient;
let url: string;

beforeAll(async () => {
  platform = await buildPlatform({ dataDir: join(dir, 'platform') });
  await platform.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(platform.app.server.address() as { port: number }).port}`;
  const token = await platform.issueLocalAdminToken();
  client = new PlatformClient({ baseUrl: url, getSdkToken: async () => token });
});

afterAll(async () => {
  await platform?.close();
  rmSync(dir, { recursive: true, force: true });
});

const deployKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

async function platformExecutions(slug: string): Promise<ExecutionRecord[]> {
  const all: ExecutionRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: ExecutionRecord[]; next_cursor: string | null } = await client.call('listExecutions', { params: { slug }, query: { limit: 1000, ...(cursor ? { cursor } : {}) } });
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

async function expectCacheMatches(cache: Cache, envs: { project: string; name: string; slug: string }[]): Promise<void> {
  const projects = (await client.call('listProjects')).items.map((p) => p.name).sort();
  expect(cache.listProjects('c').items.map((p) => p.name)).toEqual(projects);
  for (const env of envs) {
    const expected = await platformExecutions(env.slug);
    const cached = cache.listExecutions('c', { project: env.project, environment: env.name, limit: 100_000 });
    expect(cached.total).toBe(expected.length);
    for (const execution of expected) expect(cache.getExecution('c', execution.execution_id)?.item).toEqual(execution);
  }
}

describe('sync against the real platform', () => {
  it('mirrors projects, environments, deployments, executions with steps and users, then follows changes', async () => {
    await client.call('createProject', { body: { name: 'fraud', python_version: '3.12', repository_url: 'git@github.com:acme/fraud.git', deploy_key: deployKey() } });
    await client.call('createProject', { body: { name: 'churn', python_version: '3.12', repository_url: 'git@github.com:acme/churn.git', deploy_key: deployKey() } });
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

    const cache = Cache.open(join(dir, 'cache.sqlite'));
    const envs = [
      { project: 'fraud', name: 'production', slug: prod.slug },
      { project: 'fraud', name: 'staging', slug: staging.slug },
    ];
    const first = await syncConnection(cache, client, 'c', { pageSize: 5 });
    expect(first.error).toBeUndefined();
    expect(first.received).toMatchObject({ projects: 2, environments: 2, deployments: 1, executions: 24 });
    expect(first.received.users).toBeGreaterThanOrEqual(1);
    await expectCacheMatches(cache, envs);
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
    await expectCacheMatches(cache, envs.slice(0, 1));
    expect(cache.integrityCheck()).toBe('ok');
    cache.close();
  });
});
