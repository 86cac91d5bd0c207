import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cache, type ExecutionRecord } from './cache.js';
import { AppError } from '../../domain/errors.js';
import { PlatformClient } from './platform-client.js';
import { syncConnection, type SyncTransport } from './sync.js';
import { startFeedServer, type FeedServer } from './testing/feed-server.js';

const root = mkdtempSync(join(tmpdir(), 'craft-sync-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const servers: FeedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(options: Parameters<typeof startFeedServer>[0]): Promise<FeedServer> {
  const s = await startFeedServer(options);
  servers.push(s);
  return s;
}

function transportOf(s: FeedServer) {
  return new PlatformClient({ baseUrl: s.url, getSdkToken: async () => s.token });
}

/** The cache holds exactly what the platform has: projects, environments, deployments, executions with steps. */
function expectSameAsPlatform(cache: Cache, connectionId: string, s: FeedServer): void {
  expect(cache.listProjects(connectionId).items.map((p) => p.name)).toEqual([...s.projects.keys()].sort());
  for (const [project, envs] of s.environments) {
    expect(cache.listEnvironments(connectionId, project).map((e) => e.item)).toEqual([...envs.values()].sort((a, b) => String(a.name).localeCompare(String(b.name))));
    for (const env of envs.keys()) {
      const expected = [...s.executions.get(`${project}/${env}`)!.values()];
      const cached = cache.listExecutions(connectionId, { project, environment: env, limit: 1_000_000 });
      expect(cached.total).toBe(expected.length);
      const byId = new Map(cached.items.map((e) => [e.execution_id, e]));
      for (const execution of expected) {
        const { steps: _steps, ...rest } = execution;
        expect({ ...byId.get(execution.execution_id), steps: [] }).toEqual({ ...rest, steps: [] });
      }
      // Steps come back in order with getExecution.
      const sample = expected[expected.length - 1];
      if (sample) expect(cache.getExecution(connectionId, sample.execution_id)?.item).toEqual(sample as ExecutionRecord);
    }
  }
  const cachedIds = new Set(cache.listExecutions(connectionId, { limit: 1_000_000 }).items.map((e) => e.execution_id));
  const platformIds = new Set([...s.executions.values()].flatMap((m) => [...m.keys()]));
  expect(cachedIds).toEqual(platformIds);
}

describe('syncConnection', () => {
  it('fills an empty cache, then applies only changes, deletions included', async () => {
    const s = await server({
      projects: [
        { name: 'alpha', environments: [{ name: 'prod', executions: 250, deployments: ['nightly'] }, { name: 'dev', executions: 40 }] },
        { name: 'beta', environments: [{ name: 'main', executions: 30 }] },
      ],
    });
    const cache = Cache.open(join(root, 'incremental.sqlite'));
    const first = await syncConnection(cache, transportOf(s), 'c1', { pageSize: 100 });
    expect(first.ok).toBe(true);
    expect(first.received).toEqual({ projects: 2, environments: 3, deployments: 1, executions: 320, users: 2 });
    expectSameAsPlatform(cache, 'c1', s);
    expect(cache.listDeployments('c1', 'alpha', 'prod').map((d) => d.item.name)).toEqual(['nightly']);
    expect(cache.listUsers('c1').map((u) => u.item.email)).toEqual(['admin@localhost', 'm@example.com']);

    // Nothing changed: nothing is sent again.
    const idle = await syncConnection(cache, transportOf(s), 'c1', { pageSize: 100 });
    expect(idle.received.executions).toBe(0);
    expect(idle.received.projects).toBe(0);

    // Changes: new and updated executions, a deleted project (its environment and executions go too).
    s.addExecutions('alpha', 'dev', 15);
    const someId = [...s.executions.get('alpha/prod')!.keys()][3]!;
    s.updateExecution('alpha', 'prod', someId, 'failed');
    s.deleteProject('beta');
    s.upsertProject('gamma');
    const second = await syncConnection(cache, transportOf(s), 'c1', { pageSize: 100 });
    expect(second.ok).toBe(true);
    expect(second.received.executions).toBe(16);
    expectSameAsPlatform(cache, 'c1', s);
    expect(cache.getExecution('c1', someId)?.item.status).toBe('failed');
    expect(cache.listExecutions('c1', { project: 'beta' }).total).toBe(0);
    expect(cache.syncStates('c1').map((x) => x.scope)).not.toContain('executions/beta/main');
    expect(cache.integrityCheck()).toBe('ok');

    // Another connection is untouched.
    expect(cache.listExecutions('c2').total).toBe(0);
    cache.close();
  });

  it('skips feeds the platform does not offer, and stops cleanly when offline (resuming later)', async () => {
    const s = await server({ projects: [{ name: 'alpha', environments: [{ name: 'prod', executions: 300 }] }], noDeployments: true });
    const cache = Cache.open(join(root, 'offline.sqlite'));
    const real = transportOf(s);
    // The connection drops once the first page of executions is in.
    const failing: SyncTransport = {
      call: ((name: string, input?: { query?: { cursor?: string } }) =>
        name === 'listExecutions' && input?.query?.cursor !== undefined
          ? Promise.reject(new AppError('offline', `The platform at ${s.url} is unreachable: connection refused`))
          : (real.call as (n: string, i?: unknown) => Promise<unknown>)(name, input)) as SyncTransport['call'],
    };
    const partial = await syncConnection(cache, failing, 'c1', { pageSize: 100 });
    expect(partial.ok).toBe(false);
    expect(partial.error?.error).toBe('offline');
    expect(partial.skipped).toEqual(['deployments/alpha/prod']);
    const kept = cache.listExecutions('c1').total;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(300);
    const resumed = await syncConnection(cache, real, 'c1', { pageSize: 100 });
    expect(resumed.ok).toBe(true);
    expect(resumed.received.executions).toBe(300 - kept);
    expectSameAsPlatform(cache, 'c1', s);
    cache.close();
  });

  it('survives SIGKILL in the middle of a large sync, many times: the cache always opens, passes integrity_check, and ends equal to the platform', async () => {
    const s = await server({
      projects: [
        { name: 'alpha', environments: [{ name: 'prod', executions: 12_000 }, { name: 'dev', executions: 3_000 }] },
        { name: 'beta', environments: [{ name: 'main', executions: 3_000 }] },
      ],
    });
    const dir = mkdtempSync(join(root, 'crash-'));
    const file = join(dir, 'cache.sqlite');
    const tsx = resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
    const child = resolve(import.meta.dirname, 'testing/sync-child.ts');
    const runChild = (killAfterPages: number | null) =>
      new Promise<{ killed: boolean; output: string }>((done, fail) => {
        const proc = spawn(tsx, [child, file, s.url, s.token, 'c1', '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (round === 2) s.addExecutions('alpha', 'dev', 700);
      if (round === 4) s.updateExecution('alpha', 'prod', [...s.executions.get('alpha/prod')!.keys()][10]!, 'failed');
      if (round === 5) s.deleteEnvironment('beta', 'main');
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
    expectSameAsPlatform(cache, 'c1', s);
    // No secret in the cache files: neither the SDK token nor a private key.
    cache.database.pragma('wal_checkpoint(TRUNCATE)');
    cache.close();
    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name)).toString('latin1');
      expect(bytes).not.toContain(s.token);
      expect(bytes).not.toContain('PRIVATE KEY');
    }
  }, 120_000);
});
