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
import { clientTransport, syncConnection } from './sync.js';

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

async function platformExecutions(envPath: string): Promise<ExecutionRecord[]> {
  const all: ExecutionRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: ExecutionRecord[]; next_cursor: string | null } = await client.request('GET', `${envPath}/api/v1/executions?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

async function expectCacheMatches(cache: Cache, envs: { project: string; name: string; path: string }[]): Promise<void> {
  const projects = (await client.listProjects()).map((p) => p.name).sort();
  expect(cache.listProjects('c').items.map((p) => p.name)).toEqual(projects);
  for (const env of envs) {
    const expected = await platformExecutions(env.path);
    const cached = cache.listExecutions('c', { project: env.project, environment: env.name, limit: 100_000 });
    expect(cached.total).toBe(expected.length);
    for (const execution of expected) expect(cache.getExecution('c', execution.execution_id)?.item).toEqual(execution);
  }
}

describe('sync against the real platform', () => {
  it('mirrors projects, environments, deployments, executions with steps and users, then follows changes', async () => {
    await client.createProject({ name: 'fraud', python_version: '3.12', repository_url: 'git@github.com:acme/fraud.git', deploy_key: deployKey() });
    await client.createProject({ name: 'churn', python_version: '3.12', repository_url: 'git@github.com:acme/churn.git', deploy_key: deployKey() });
    const prod = await client.request<{ name: string; url: string }>('POST', '/api/v1/projects/fraud/environments', { name: 'production' });
    const staging = await client.request<{ name: string; url: string }>('POST', '/api/v1/projects/fraud/environments', { name: 'staging' });
    await client.request('POST', '/api/v1/projects/fraud/environments/production/deployments', { name: 'score', pipeline_name: 'scoring', type: 'endpoint' });
    const prodPath = new URL(prod.url).pathname;
    const stagingPath = new URL(staging.url).pathname;
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const created = await client.request<{ execution_id: string }>('POST', `${prodPath}/api/v1/executions`, {
        pipeline_name: 'training',
        steps: [
          { name: 'prepare', status: 'pending' },
          { name: 'train', status: 'pending' },
        ],
        inputs: [{ name: 'epochs', value: i }],
      });
      ids.push(created.execution_id);
    }
    await client.request('POST', `${stagingPath}/api/v1/executions`, { pipeline_name: 'training' });
    await client.request('PATCH', `${prodPath}/api/v1/executions/${ids[2]}`, { status: 'running' });

    const cache = Cache.open(join(dir, 'cache.sqlite'));
    const envs = [
      { project: 'fraud', name: 'production', path: prodPath },
      { project: 'fraud', name: 'staging', path: stagingPath },
    ];
    const first = await syncConnection(cache, clientTransport(client), 'c', { pageSize: 5, baseUrl: url });
    expect(first.error).toBeUndefined();
    expect(first.received).toMatchObject({ projects: 2, environments: 2, deployments: 1, executions: 24 });
    expect(first.received.users).toBeGreaterThanOrEqual(1);
    await expectCacheMatches(cache, envs);
    expect(cache.listDeployments('c', 'fraud', 'production').map((d) => d.item.name)).toEqual(['score']);

    // Changes on the platform: new executions, a status change, a deleted environment and project.
    for (let i = 0; i < 7; i++) await client.request('POST', `${prodPath}/api/v1/executions`, { pipeline_name: 'training' });
    await client.request('PATCH', `${prodPath}/api/v1/executions/${ids[2]}`, { status: 'succeeded', steps: [{ name: 'prepare', status: 'succeeded' }, { name: 'train', status: 'succeeded' }] });
    await client.request('DELETE', '/api/v1/projects/fraud/environments/staging');
    await client.request('DELETE', '/api/v1/projects/churn', { confirm_name: 'churn' });

    const second = await syncConnection(cache, clientTransport(client), 'c', { pageSize: 5, baseUrl: url });
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
