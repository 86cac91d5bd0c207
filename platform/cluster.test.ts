// The team platform at scale, tested rather than assumed: three `npm run platform` processes on one
// PostgreSQL behind nginx (round-robin). Nothing that matters lives in a process: a session opened on
// one works on the others, failed sign-ins are counted together, the change feeds and the desktop's
// sync stay exact with writers on every process, no process serves a page older than a write made
// through another, and a process killed under load loses no acknowledged write.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointPath, platformContract } from '../domain/platform-contract.js';
import { Cache } from '../electron/services/cache.js';
import { PlatformClient } from '../electron/services/platform-client.js';
import { syncConnection } from '../electron/services/sync.js';
import { executionDocSqlText } from './execution-doc.js';
import { buildPlatform } from './index.js';
import { DEFAULT_POLICY } from './context.js';
import { freshPostgresDatabase, POSTGRES_URL } from './test-helpers.js';
import { findNginx, freePort, startNginx, type Nginx } from './testing/nginx.js';
import { startPlatformProcess, type PlatformProcess } from './testing/platform-process.js';

const NGINX = findNginx();
const SKIP = !POSTGRES_URL ? 'needs CRAFT_TEST_DATABASE_URL (PostgreSQL)' : !NGINX ? 'needs nginx (the Debian package nginx)' : null;

const ADMIN = { email: 'ops@team.test', password: 'correct horse battery staple' };
const deployKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

interface Answer<T = any> {
  status: number;
  data: T;
  /** The process(es) nginx sent the request to, e.g. "127.0.0.1:40001" or "127.0.0.1:40001, 127.0.0.1:40002" after a retry. */
  upstream: string;
}

async function call<T = any>(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer<T>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // nginx's own error pages are HTML
  }
  return { status: response.status, data: data as T, upstream: response.headers.get('x-upstream') ?? '' };
}

describe.skipIf(SKIP)(`three platform processes on one PostgreSQL behind nginx${SKIP ? ` — ${SKIP}` : ''}`, () => {
  const root = mkdtempSync(join(tmpdir(), 'craft-cluster-'));
  let database: { url: string; drop(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  const processes: PlatformProcess[] = [];
  let nginx: Nginx;
  let lb: string;
  let admin: string;

  const api = <T = any>(method: string, path: string, options: { token?: string; body?: unknown } = {}) => call<T>(lb, method, path, { token: admin, ...options });
  const start = (index: number, port = 0) =>
    startPlatformProcess({ args: ['--port', String(port), '--data-dir', join(root, `p${index}`)], env });

  beforeAll(async () => {
    database = await freshPostgresDatabase(POSTGRES_URL!);
    const lbPort = await freePort();
    lb = `http://127.0.0.1:${lbPort}`;
    // What the processes share: the database, the master key, where users reach them, whom to trust for X-Forwarded-For.
    env = {
      DATABASE_URL: database.url,
      CRAFT_MASTER_KEY: randomBytes(32).toString('base64'),
      CRAFT_ADMIN_EMAIL: ADMIN.email,
      CRAFT_ADMIN_PASSWORD: ADMIN.password,
      PUBLIC_URL: lb,
      TRUST_PROXY: '127.0.0.1',
    };
    processes.push(...(await Promise.all([0, 1, 2].map((i) => start(i)))));
    nginx = await startNginx({ binary: NGINX!, dir: join(root, 'nginx'), port: lbPort, upstreams: processes.map((p) => p.port) });
    const login = await call(lb, 'POST', platformContract.login.path, { body: ADMIN });
    expect(login.status).toBe(200);
    admin = login.data.access_token;
  }, 180_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(processes.map((p) => p.stop()));
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('balances requests over the three processes, each ready on the same database', async () => {
    const upstreams = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const ready = await api('GET', '/readyz');
      expect(ready.status).toBe(200);
      upstreams.add(ready.upstream);
    }
    expect([...upstreams].sort()).toEqual(processes.map((p) => `127.0.0.1:${p.port}`).sort());
  });

  it('honours a session opened on one process on every other, and its sign-out on all', async () => {
    const login = await call(lb, 'POST', platformContract.login.path, { body: ADMIN });
    expect(login.status).toBe(200);
    const token = login.data.access_token as string;
    const used = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const me = await call(lb, 'GET', platformContract.me.path, { token });
      expect(me.status).toBe(200);
      expect(me.data.email).toBe(ADMIN.email);
      used.add(me.upstream);
    }
    expect(used.size).toBe(3);
    expect([...used]).toContain(login.upstream);

    const logout = await call(lb, 'POST', platformContract.logout.path, { token, body: {} });
    expect(logout.status).toBe(200);
    const refusedBy = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const me = await call(lb, 'GET', platformContract.me.path, { token });
      expect(me.status).toBe(401);
      refusedBy.add(me.upstream);
    }
    expect(refusedBy.size).toBe(3);
  });

  it('onboards a user without a mail server across processes, and counts their failed sign-ins together', async () => {
    const created = await api('POST', platformContract.createUser.path, { body: { name: 'Grace Hopper', email: 'grace@team.test' } });
    expect(created.status).toBe(201);
    const { code } = created.data.invitation as { code: string };
    // The code was issued by one process; another accepts it (codes live in the database).
    const reset = await call(lb, 'POST', platformContract.resetPassword.path, { body: { code, new_password: 'grace chose this one' } });
    expect(reset.status).toBe(200);
    expect(reset.upstream).not.toBe(created.upstream);

    // Every guess is counted in the database before it is checked, whichever process gets it: after the
    // free guesses spread over the processes, the next one must wait, on all of them, even with the right password.
    const failedOn = new Set<string>();
    for (let i = 0; i < DEFAULT_POLICY.accountGuesses.free; i++) {
      const wrong = await call(lb, 'POST', platformContract.login.path, { body: { email: 'grace@team.test', password: `not the password ${i}` } });
      expect(wrong.status).toBe(401);
      failedOn.add(wrong.upstream);
    }
    expect(failedOn.size).toBeGreaterThanOrEqual(2);
    const refusedOn = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const waiting = await call(lb, 'POST', platformContract.login.path, { body: { email: 'grace@team.test', password: 'grace chose this one' } });
      expect(waiting.status).toBe(429);
      refusedOn.add(waiting.upstream);
    }
    expect(refusedOn.size).toBe(3);
  }, 60_000);

  it('keeps the change feeds and the desktop’s sync exact while every process writes', async () => {
    expect((await api('POST', platformContract.createProject.path, { body: { name: 'fraud', python_version: '3.12', repository_url: 'git@github.com:acme/fraud.git', deploy_key: deployKey() } })).status).toBe(201);
    const envs: { name: string; slug: string }[] = [];
    for (const name of ['production', 'staging']) {
      const created = await api('POST', endpointPath(platformContract.createEnvironment, { name: 'fraud' }), { body: { name } });
      expect(created.status).toBe(201);
      envs.push(created.data as { name: string; slug: string });
    }
    const sdk = await api('POST', platformContract.regenerateSdkToken.path, { body: {} });
    const client = new PlatformClient({ baseUrl: lb, getSdkToken: async () => sdk.data.sdk_token, timeoutMs: 15_000 });
    const cache = Cache.open(join(root, 'cache.sqlite'));
    try {
      // Four runners in parallel, their calls spread by nginx over the three processes.
      let writing = true;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 15; i++) {
          const env = envs[(w + i) % 2]!;
          const created = await api('POST', endpointPath(platformContract.createExecution, { slug: env.slug }), { body: { pipeline_name: `train-${w}`, steps: [{ name: 'fit', status: 'pending' }] } });
          expect(created.status).toBe(201);
          const moved = await api('PATCH', endpointPath(platformContract.updateExecution, { slug: env.slug, id: created.data.execution_id }), { body: { status: 'running' } });
          expect(moved.status).toBe(200);
          if (i % 5 === 0) {
            const deployment = await api('POST', endpointPath(platformContract.createDeployment, { name: 'fraud', env: env.name }), { body: { name: `score-${w}-${i}`, pipeline_name: `train-${w}`, type: 'endpoint' } });
            expect(deployment.status).toBe(201);
          }
        }
      });
      const done = Promise.all(writers).finally(() => (writing = false));
      // Meanwhile the desktop syncs, small pages, again and again: each pass from the cursors of the last.
      let passes = 0;
      while (writing) {
        const report = await syncConnection(cache, client, 'team', { pageSize: 7 });
        expect(report.error).toBeUndefined();
        passes++;
      }
      await done;
      expect((await syncConnection(cache, client, 'team', { pageSize: 7 })).error).toBeUndefined();
      expect(passes).toBeGreaterThan(1);

      for (const env of envs) {
        const all = [];
        for (let cursor: string | null = null; ; ) {
          const page: Answer = await api('GET', `${endpointPath(platformContract.listExecutions, { slug: env.slug })}?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
          all.push(...page.data.items);
          cursor = page.data.next_cursor;
          if (!cursor) break;
        }
        expect(all).toHaveLength(30);
        expect(cache.listExecutions('team', { project: 'fraud', environment: env.name, limit: 1000 }).total).toBe(all.length);
        for (const execution of all) expect(cache.getExecution('team', execution.execution_id)?.item).toEqual(execution);
        const deployments = (await api('GET', endpointPath(platformContract.listDeployments, { name: 'fraud', env: env.name }))).data.items.map((d: { name: string }) => d.name).sort();
        expect(cache.listDeployments('team', 'fraud', env.name).map((d) => d.item.name).sort()).toEqual(deployments);
      }
    } finally {
      cache.close();
    }
  }, 120_000);

  it('never serves a page older than a write made through another process', async () => {
    const env = (await api('GET', endpointPath(platformContract.getEnvironment, { name: 'fraud', env: 'production' }))).data as { slug: string };
    const page = endpointPath(platformContract.listExecutions, { slug: env.slug });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) expect((await api('GET', `${page}?limit=5&sort=-created_at`)).status).toBe(200); // every process has read it
      const created = await api('POST', endpointPath(platformContract.createExecution, { slug: env.slug }), { body: { pipeline_name: `fresh-${round}` } });
      expect(created.status).toBe(201);
      for (let i = 0; i < 3; i++) {
        const read = await api('GET', `${page}?limit=5&sort=-created_at`);
        expect(read.data.items.map((e: { execution_id: string }) => e.execution_id), `read on ${read.upstream} after a write on ${created.upstream}`).toContain(created.data.execution_id);
      }
    }
  });

  it('keeps serving reads when a process is killed under load, loses no acknowledged write, and the process serves again at once when restarted', async () => {
    const env = (await api('GET', endpointPath(platformContract.getEnvironment, { name: 'fraud', env: 'staging' }))).data as { slug: string };
    const acknowledged = new Map<string, string>(); // execution id → last acknowledged status
    const reads: Answer[] = [];
    const refusedWrites: number[] = [];
    let loading = true;
    const writer = async () => {
      while (loading) {
        const created = await api('POST', endpointPath(platformContract.createExecution, { slug: env.slug }), {
          body: { pipeline_name: 'under-load', steps: [{ name: 'a', status: 'pending' }, { name: 'b', status: 'pending' }], inputs: [{ pipeline_input_name: 'seed', data_type: 'number', value: Math.random() }] },
        });
        if (created.status !== 201) {
          refusedWrites.push(created.status);
          continue;
        }
        acknowledged.set(created.data.execution_id, 'pending');
        const moved = await api('PATCH', endpointPath(platformContract.updateExecution, { slug: env.slug, id: created.data.execution_id }), { body: { status: 'running', steps: [{ name: 'a', status: 'running' }, { name: 'b', status: 'pending' }] } });
        if (moved.status === 200) acknowledged.set(created.data.execution_id, 'running');
        else refusedWrites.push(moved.status);
      }
    };
    const reader = async () => {
      while (loading) {
        reads.push(await api('GET', `${endpointPath(platformContract.listExecutions, { slug: env.slug })}?limit=50&sort=-created_at`));
        reads.push(await api('GET', platformContract.me.path));
      }
    };
    const load = [writer(), writer(), reader(), reader(), reader()];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const victim = processes[1]!;
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    loading = false;
    await Promise.all(load);

    // Reads never failed: nginx retried them on another process.
    expect(reads.length).toBeGreaterThan(20);
    expect(reads.filter((r) => r.status !== 200).map((r) => `${r.status} via ${r.upstream}`)).toEqual([]);
    expect(reads.some((r) => r.upstream.includes(`:${victim.port}`) && r.upstream.includes(','))).toBe(true); // some were retried away from it
    expect(refusedWrites.every((status) => status === 502)).toBe(true); // a write in flight on the killed process is refused, never half-done
    expect(acknowledged.size).toBeGreaterThan(5);

    // Every acknowledged write is there, as acknowledged; every execution in the database is whole.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const rows = (await db.query(`SELECT e.execution_id, e.status, ${executionDocSqlText('postgres', 'e')} AS doc, e.change_seq FROM executions e WHERE e.pipeline_name = 'under-load'`)).rows;
      // Each write drew its own change id, committed with it: the newest execution change (the one kept) is
      // the last write's, and every execution's change is within the cursor.
      const newest = (await db.query(`SELECT c.id, c.key, (SELECT max(change_seq) FROM executions) AS last_write FROM changes c WHERE c.resource = 'execution' ORDER BY c.id DESC LIMIT 1`)).rows[0];
      expect(Number(newest.id)).toBe(Number(newest.last_write));
      expect(newest.key).toBe((await db.query('SELECT execution_id FROM executions WHERE change_seq = $1', [newest.id])).rows[0].execution_id);
      expect(new Set(rows.map((row) => Number(row.change_seq))).size).toBe(rows.length);
      const byId = new Map(rows.map((row) => [row.execution_id as string, row]));
      for (const [id, status] of acknowledged) {
        const row = byId.get(id);
        expect(row, id).toBeDefined();
        if (status === 'running') expect(row!.status).toBe('running');
      }
      for (const row of rows) {
        expect(Number(row.change_seq), `${row.execution_id}'s change is within the cursor`).toBeLessThanOrEqual(Number(newest.id));
        const doc = JSON.parse(row.doc);
        expect(doc).toMatchObject({ execution_id: row.execution_id, status: row.status });
        // Its steps were written in the same transaction as its status (the document is the one stored form).
        expect(doc.steps.map((s: { status: string }) => s.status)).toEqual(row.status === 'running' ? ['running', 'pending'] : ['pending', 'pending']);
      }
    } finally {
      await db.end();
    }

    // Restarted on its port: ready at once, and the sessions opened elsewhere work on it directly.
    const restarted = await start(1, victim.port);
    processes[1] = restarted;
    expect((await call(restarted.url, 'GET', '/readyz')).status).toBe(200);
    expect((await call(restarted.url, 'GET', platformContract.me.path, { token: admin })).status).toBe(200);
    // …and nginx sends it requests again.
    await expect
      .poll(async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 6; i++) seen.add((await api('GET', '/readyz')).upstream);
        return seen.has(`127.0.0.1:${victim.port}`);
      }, { timeout: 15_000 })
      .toBe(true);
  }, 120_000);
});

describe('two platforms on one SQLite file', () => {
  it('never serve a page from their page cache older than a write made through the other', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-sqlite-pair-'));
    const one = await buildPlatform({ dataDir });
    const two = await buildPlatform({ dataDir });
    try {
      const token = await one.issueLocalAdminToken();
      const access = (await one.app.inject({ method: 'POST', url: platformContract.refresh.path, payload: { refresh_token: token } })).json().access_token as string;
      const headers = { authorization: `Bearer ${access}` };
      await one.app.inject({ method: 'POST', url: platformContract.createProject.path, headers, payload: { name: 'fraud', python_version: '3.12', repository_url: 'git@github.com:acme/fraud.git', deploy_key: deployKey() } });
      const env = (await one.app.inject({ method: 'POST', url: endpointPath(platformContract.createEnvironment, { name: 'fraud' }), headers, payload: { name: 'production' } })).json() as { slug: string };
      const page = `${endpointPath(platformContract.listExecutions, { slug: env.slug })}?limit=5&sort=-created_at`;
      const ids = (platform: typeof one) => platform.app.inject({ method: 'GET', url: page, headers }).then((r) => r.json().items.map((e: { execution_id: string }) => e.execution_id) as string[]);
      for (let round = 0; round < 3; round++) {
        await ids(one);
        await ids(one); // asked again: one's page cache keeps it (and answers it from the next round on)
        const writer = round % 2 === 0 ? two : one;
        const created = (await writer.app.inject({ method: 'POST', url: endpointPath(platformContract.createExecution, { slug: env.slug }), headers, payload: { pipeline_name: `p${round}` } })).json();
        expect(await ids(one)).toContain(created.execution_id);
        expect(await ids(two)).toContain(created.execution_id);
      }
    } finally {
      await one.close();
      await two.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
