// Benchmark: sync of 100,000 executions (3 steps each) from a running platform stand-in
// (its own process, real HTTP) into an empty cache, against a bare better-sqlite3 bulk
// insert of the same rows (same tables, values prepared beforehand, one transaction).
// Target: the sync reaches ≥ 50% of the bare insert's rows per second.
// Usage: npx tsx bench/sync.ts [--executions 100000] [--page 1000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Cache, MIGRATIONS, type ExecutionRecord } from '../electron/services/cache.js';
import { PlatformClient } from '../electron/services/platform-client.js';
import { clientTransport, syncConnection } from '../electron/services/sync.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export interface SyncBenchResult {
  executions: number;
  sync_ms: number;
  bare_insert_ms: number;
  /** Sync throughput as a share of the bare insert's (target ≥ 0.5). */
  ratio: number;
}

export async function benchSync(executions = 100_000, pageSize = 1000): Promise<SyncBenchResult> {
  const root = resolve(import.meta.dirname, '..');
  const child = spawn(resolve(root, 'node_modules/.bin/tsx'), [resolve(root, 'electron/services/testing/feed-server-main.ts'), String(executions)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'craft-bench-sync-'));
  try {
    const first = await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout! }).once('line', done);
      child.once('exit', (code) => fail(new Error(`feed server exited (${code})`)));
    });
    const { url, token } = JSON.parse(first) as { url: string; token: string };
    const client = new PlatformClient({ baseUrl: url, getSdkToken: async () => token, timeoutMs: 60_000 });

    // The sync, into an empty cache.
    const cache = Cache.open(join(dir, 'cache.sqlite'));
    const t0 = performance.now();
    const report = await syncConnection(cache, clientTransport(client), 'bench', { baseUrl: url, pageSize, feeds: { users: false } });
    const syncMs = performance.now() - t0;
    if (!report.ok || report.received.executions !== executions) throw new Error(`sync incomplete: ${JSON.stringify(report)}`);
    cache.close();

    // The same rows, fetched beforehand (not timed), then a bare bulk insert into the same tables.
    const items: ExecutionRecord[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: ExecutionRecord[]; next_cursor: string | null } = await client.request(
        'GET',
        `/environments/bench-prod/api/v1/executions?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    const syncedAt = new Date().toISOString();
    const rows = items.map((e) => {
      const { steps, ...rest } = e;
      return { e, steps, data: JSON.stringify(rest) };
    });
    const db = new Database(join(dir, 'bare.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    for (const migration of MIGRATIONS) db.exec(migration);
    const insertExecution = db.prepare(
      'INSERT INTO executions (connection_id, execution_id, project, environment, status, pipeline_name, deployment_name, created_at, end_date, data, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertStep = db.prepare('INSERT INTO execution_steps (connection_id, execution_id, position, name, status, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const t1 = performance.now();
    db.transaction(() => {
      for (const { e, steps, data } of rows) {
        insertExecution.run('bench', e.execution_id, 'bench', 'prod', e.status, e.pipeline_name, e.deployment_name, e.created_at, e.end_date, data, syncedAt);
        steps.forEach((s, i) => insertStep.run('bench', e.execution_id, i, s.name, s.status, s.start_date, s.end_date));
      }
    })();
    const bareMs = performance.now() - t1;
    db.close();
    return { executions, sync_ms: Math.round(syncMs), bare_insert_ms: Math.round(bareMs), ratio: Number((bareMs / syncMs).toFixed(2)) };
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('sync.ts')) {
  const result = await benchSync(arg('executions', 100_000), arg('page', 1000));
  console.log(
    `cache sync of ${result.executions} executions: ${result.sync_ms} ms vs bare better-sqlite3 bulk insert of the same rows ${result.bare_insert_ms} ms — ratio ${result.ratio} of the bare throughput (target ≥ 0.5)`,
  );
  console.log(JSON.stringify(result));
}
