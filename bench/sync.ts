// Benchmark: sync of 100,000 executions from a running platform into an empty cache,
// against a bare better-sqlite3 bulk insert of the same rows (same tables, values read
// back from the synced cache beforehand, one transaction, one statement call per row).
// Target: the sync reaches ≥ 50% of the bare insert's rows per second (ratio ≥ 0.5).
// The platform runs in its own process: the real one, seeded by platform/seed.ts.
// Medians of --reps rounds after one warm-up round.
// Usage: npx tsx bench/sync.ts [--executions 100000] [--page 1000] [--reps 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Cache, MIGRATIONS } from '../electron/services/cache.js';
import { PlatformClient } from '../electron/services/platform-client.js';
import { syncConnection } from '../electron/services/sync.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export interface SyncBenchResult {
  executions: number;
  /** Medians. */
  sync_ms: number;
  bare_insert_ms: number;
  /** Sync throughput as a share of the bare insert's (target ≥ 0.5). */
  ratio: number;
}

export async function benchSync(executions = 100_000, pageSize = 1000, reps = 3): Promise<SyncBenchResult> {
  const root = resolve(import.meta.dirname, '..');
  const script = 'electron/services/testing/seeded-platform-main.ts';
  const child = spawn(resolve(root, 'node_modules/.bin/tsx'), [resolve(root, script), String(executions)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = mkdtempSync(join(tmpdir(), 'craft-bench-sync-'));
  try {
    const first = await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout! }).once('line', done);
      child.once('exit', (code) => fail(new Error(`the platform process exited (${code})`)));
    });
    const { url, token } = JSON.parse(first) as { url: string; token: string };
    const client = new PlatformClient({ baseUrl: url, getSdkToken: async () => token, timeoutMs: 60_000 });

    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const syncTimes: number[] = [];
    const bareTimes: number[] = [];
    // Round 0 warms both sides up (a running platform is a warm one) and is not counted.
    for (let round = 0; round <= reps; round++) {
      // The sync, into an empty cache.
      const cache = Cache.open(join(dir, `cache-${round}.sqlite`));
      const t0 = performance.now();
      const report = await syncConnection(cache, client, 'bench', { pageSize, feeds: { users: false, deployments: false } });
      const syncMs = performance.now() - t0;
      if (!report.ok || report.received.executions !== executions) throw new Error(`sync incomplete: ${JSON.stringify(report)}`);

      // The same rows, read back (not timed), then a bare bulk insert into the same tables.
      const db = cache.database;
      const executionRows = db.prepare('SELECT * FROM executions').raw().all() as unknown[][];
      cache.close();
      const bare = new Database(join(dir, `bare-${round}.sqlite`));
      bare.pragma('journal_mode = WAL');
      bare.pragma('synchronous = NORMAL');
      for (const migration of MIGRATIONS) bare.exec(migration);
      const insertExecution = bare.prepare(`INSERT INTO executions VALUES (${executionRows[0]!.map(() => '?').join(', ')})`);
      const t1 = performance.now();
      bare.transaction(() => {
        for (const row of executionRows) insertExecution.run(row);
      })();
      const bareMs = performance.now() - t1;
      bare.close();
      process.stderr.write(`round ${round}${round === 0 ? ' (warm-up)' : ''}: sync ${syncMs.toFixed(0)} ms, bare insert ${bareMs.toFixed(0)} ms\n`);
      if (round > 0) {
        syncTimes.push(syncMs);
        bareTimes.push(bareMs);
      }
    }
    const syncMs = median(syncTimes);
    const bareMs = median(bareTimes);
    return {
      executions,
      sync_ms: Math.round(syncMs),
      bare_insert_ms: Math.round(bareMs),
      ratio: Number((bareMs / syncMs).toFixed(2)),
    };
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('sync.ts')) {
  const result = await benchSync(arg('executions', 100_000), arg('page', 1000), arg('reps', 3));
  console.log(
    `cache sync of ${result.executions} executions from the platform: ${result.sync_ms} ms vs bare better-sqlite3 bulk insert of the same rows ${result.bare_insert_ms} ms — ratio ${result.ratio} of the bare throughput (target ≥ 0.5)`,
  );
  console.log(JSON.stringify(result));
}
