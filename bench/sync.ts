// Benchmark: sync of 100,000 executions from a running platform into an empty cache,
// against a bare better-sqlite3 bulk insert of the same rows (same tables and page size, values read
// back from the synced cache beforehand, one transaction, one statement call per row), each timed
// until its rows are in the database file (WAL checkpointed).
// Target: the sync reaches ≥ 80% of the bare insert's rows per second (ratio ≥ 0.8).
// The platform runs in its own process: the real one, seeded by platform/seed.ts. It shares the machine's
// cores with the sync, as a team platform on another host does not (the CPU ratio without the
// platform's says what that user meets on a busy machine); the embedded platform runs in the app's own
// main process, where its CPU competes with the sync's decoding on one thread (worse than here).
// Each round's pages are one row smaller than the round's before (1000, 999, …): the platform's page cache
// keeps a page from its second ask on, so rounds asking the same URLs had some of their pages from memory.
// Each round pairs a sync with a bare insert (the ratio of a round compares two things measured
// moments apart); the result is the median round after one warm-up round, with the spread.
// It also says where the sync's time goes: writing to SQLite (on the cache writer's thread), the CPU
// of the sync's process (its main thread, the writer's thread, the rest: V8's and libuv's helpers) and
// of the platform's, and what decoding the answers costs (JSON.parse, the zod schema, the row JSON),
// measured apart on the same pages. The CPU ratio (the bare insert's CPU over the sync's and the
// platform's) is what the ratio falls to when the machine is busy: there the sync's threads and the
// platform (one session, one scheduling group) share what the other sessions leave, and overlapping
// the writer with the decoding gains nothing.
// Then the same rounds from a stand-in for a platform on another host (bench/replayed-platform-main.ts):
// it keeps the real platform's answers to a warm-up round and sends them again from memory, so the
// platform's CPU leaves the two cores and what is left is the sync's own work.
// Usage: npx tsx bench/sync.ts [--executions 100000] [--page 1000] [--reps 3]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import { executionPageSchema } from '../domain/execution.js';
import { endpointPath, platformContract } from '../domain/platform-contract.js';
import { Cache, MIGRATIONS } from '../electron/services/cache.js';
import type { ExecutionPageWriter } from '../electron/services/cache-writer.js';
import { jsonShapeCheck } from '../electron/services/json-shape.js';
import { PlatformClient } from '../electron/services/platform-client.js';
import { syncConnection } from '../electron/services/sync.js';

// A full collection before each timed side, so that neither pays for the garbage of what ran before it
// (the bare insert came right after the sync and the rows read back: its CPU swung from 0.9 to 1.5 s).
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export interface SyncRound {
  sync_ms: number;
  bare_insert_ms: number;
  ratio: number;
  /** Inside the cache's transactions (the page's upserts and its cursor), on the writer's thread. */
  write_ms: number;
  /** CPU used meanwhile by the sync's process and by the platform's, and by the bare insert. */
  sync_cpu_ms: number;
  /** Of the sync's: its main thread (HTTP, JSON.parse, the schema, the rows) and the writer's thread (Linux; NaN elsewhere). */
  main_thread_cpu_ms: number;
  writer_thread_cpu_ms: number;
  platform_cpu_ms: number;
  bare_cpu_ms: number;
  /** bare_cpu_ms / (sync_cpu_ms + platform_cpu_ms). */
  cpu_ratio: number;
  /** bare_cpu_ms / sync_cpu_ms: the same without the platform's CPU, as a busy machine syncing from a team platform on another host meets it. */
  sync_cpu_ratio: number;
}

export interface SyncSummary {
  /** The median round (by ratio). */
  sync_ms: number;
  bare_insert_ms: number;
  /** Sync throughput as a share of the bare insert's (target ≥ 0.8), and its spread over the rounds. */
  ratio: number;
  ratio_min: number;
  ratio_max: number;
  median: SyncRound;
  rounds: SyncRound[];
}

export interface SyncBenchResult extends SyncSummary {
  executions: number;
  /** The first round's page size (each later round's is one row smaller). */
  page: number;
  /** The same rounds from a stand-in sending the platform's answers from memory (a platform on another host). */
  replayed: SyncSummary;
  /** What decoding every page costs, measured apart on the same answers. */
  decode: { json_parse_ms: number; schema_parse_ms: number; shape_check_ms: number; row_json_ms: number };
}

/** CPU time (user + system) of a process, from /proc (Linux), in ms. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return Number.NaN;
  }
}

/** CPU time of the calling thread (Linux), in ms. */
function threadCpuMs(): number {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Every page of the environment's execution list as the platform sends it (raw text), for the decoding measures. */
async function rawPages(url: string, token: string, pageSize: number): Promise<string[]> {
  const refreshed = await fetch(`${url}${endpointPath(platformContract.refresh)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: token }) });
  const { access_token } = (await refreshed.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${access_token}` };
  const projects = (await (await fetch(`${url}${endpointPath(platformContract.listProjects)}`, { headers })).json()) as { items: { name: string }[] };
  const envs = (await (await fetch(`${url}${endpointPath(platformContract.listEnvironments, { name: projects.items[0]!.name })}`, { headers })).json()) as { items: { slug: string }[] };
  const pages: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`;
    const text = await (await fetch(`${url}${endpointPath(platformContract.listExecutions, { slug: envs.items[0]!.slug })}${query}`, { headers })).text();
    pages.push(text);
    cursor = (JSON.parse(text) as { next_cursor: string | null }).next_cursor;
  } while (cursor);
  return pages;
}

function decodeCosts(pages: string[]): SyncBenchResult['decode'] {
  let t = performance.now();
  const parsed = pages.map((text) => JSON.parse(text) as unknown);
  const jsonParseMs = performance.now() - t;
  t = performance.now();
  const pagesOut = parsed.map((page) => executionPageSchema.parse(page));
  const schemaParseMs = performance.now() - t;
  // What the client runs instead while the answers fit (platform-client.ts, json-shape.ts).
  const check = jsonShapeCheck(executionPageSchema);
  t = performance.now();
  if (!check || !parsed.every((page) => check(page))) throw new Error('the compiled check refuses a page zod takes');
  const shapeCheckMs = performance.now() - t;
  t = performance.now();
  let bytes = 0;
  for (const page of pagesOut) for (const execution of page.items) bytes += JSON.stringify(execution).length;
  const rowJsonMs = performance.now() - t;
  if (bytes === 0) throw new Error('no executions to decode');
  return { json_parse_ms: Math.round(jsonParseMs), schema_parse_ms: Math.round(schemaParseMs), shape_check_ms: Math.round(shapeCheckMs), row_json_ms: Math.round(rowJsonMs) };
}

/**
 * Rounds of a sync from `client` into an empty cache, each paired with a bare insert of the same rows.
 * Round 0 warms both sides up (a running platform is a warm one) and is not counted; `afterWarmUp`
 * runs once it is over. `serverPid` is the process answering the sync (for its CPU).
 */
async function syncRounds(
  client: PlatformClient,
  options: { executions: number; reps: number; serverPid: number; pageSizeOf: (round: number) => number; label: string; afterWarmUp?: () => Promise<void> },
): Promise<SyncRound[]> {
  const { executions, reps, serverPid, pageSizeOf, label } = options;
  const dir = mkdtempSync(join(tmpdir(), 'craft-bench-sync-'));
  const counted: SyncRound[] = [];
  try {
    for (let round = 0; round <= reps; round++) {
      if (round === 1) await options.afterWarmUp?.();
      // The sync, into an empty cache.
      const cache = Cache.open(join(dir, `cache-${round}.sqlite`));
      let writer: ExecutionPageWriter | undefined;
      collectGarbage();
      const cpu0 = ownCpuMs();
      const mainCpu0 = threadCpuMs();
      const platformCpu0 = processCpuMs(serverPid);
      const t0 = performance.now();
      const report = await syncConnection(cache, client, 'bench', { pageSize: pageSizeOf(round), feeds: { users: false, deployments: false }, onWriter: (w) => (writer = w) });
      // Both sides are timed until their rows are in the database file: the checkpoint the cache's
      // larger WAL defers counts here, as the bare insert's counts in its commit.
      cache.database.pragma('wal_checkpoint(PASSIVE)');
      const syncMs = performance.now() - t0;
      const syncCpuMs = ownCpuMs() - cpu0;
      const mainCpuMs = threadCpuMs() - mainCpu0;
      const platformCpuMs = processCpuMs(serverPid) - platformCpu0;
      if (!report.ok || report.received.executions !== executions) throw new Error(`sync incomplete: ${JSON.stringify(report)}`);

      // The same rows, read back (not timed), then a bare bulk insert into the same tables.
      const executionRows = cache.database.prepare('SELECT * FROM executions').raw().all() as unknown[][];
      const pageBytes = cache.database.pragma('page_size', { simple: true }) as number;
      cache.close();
      const bare = new Database(join(dir, `bare-${round}.sqlite`));
      // The same file format as the cache's (its page size): the ratio measures the sync, not the format.
      bare.pragma(`page_size = ${pageBytes}`);
      bare.pragma('journal_mode = WAL');
      bare.pragma('synchronous = NORMAL');
      for (const migration of MIGRATIONS) bare.exec(migration);
      const insertExecution = bare.prepare(`INSERT INTO executions VALUES (${executionRows[0]!.map(() => '?').join(', ')})`);
      collectGarbage();
      const t1 = performance.now();
      const bareCpu0 = ownCpuMs();
      bare.transaction(() => {
        for (const row of executionRows) insertExecution.run(row);
      })();
      bare.pragma('wal_checkpoint(PASSIVE)');
      const bareCpuMs = ownCpuMs() - bareCpu0;
      const bareMs = performance.now() - t1;
      bare.close();
      const r: SyncRound = {
        sync_ms: Math.round(syncMs),
        bare_insert_ms: Math.round(bareMs),
        ratio: Number((bareMs / syncMs).toFixed(2)),
        write_ms: Math.round(writer?.writeMs ?? 0),
        sync_cpu_ms: Math.round(syncCpuMs),
        main_thread_cpu_ms: Math.round(mainCpuMs),
        writer_thread_cpu_ms: Math.round(writer?.threadCpuMs ?? Number.NaN),
        platform_cpu_ms: Math.round(platformCpuMs),
        bare_cpu_ms: Math.round(bareCpuMs),
        cpu_ratio: Number((bareCpuMs / (syncCpuMs + platformCpuMs)).toFixed(2)),
        sync_cpu_ratio: Number((bareCpuMs / syncCpuMs).toFixed(2)),
      };
      process.stderr.write(
        `${label} round ${round}${round === 0 ? ' (warm-up)' : ''}: sync ${r.sync_ms} ms (writing ${r.write_ms} ms; CPU: sync ${r.sync_cpu_ms} ms = main thread ${r.main_thread_cpu_ms} + writer thread ${r.writer_thread_cpu_ms} + other threads ${r.sync_cpu_ms - r.main_thread_cpu_ms - r.writer_thread_cpu_ms}, platform ${r.platform_cpu_ms} ms), ` +
          `bare insert ${r.bare_insert_ms} ms (CPU ${r.bare_cpu_ms} ms) — ratio ${r.ratio}, CPU ratio ${r.cpu_ratio} (${r.sync_cpu_ratio} without the platform's)\n`,
      );
      if (round > 0) counted.push(r);
      rmSync(join(dir, `cache-${round}.sqlite`), { force: true });
      rmSync(join(dir, `bare-${round}.sqlite`), { force: true });
    }
    return counted;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first line a child process prints (where it listens). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    child.once('exit', (code) => fail(new Error(`a benchmark process exited (${code})`)));
  });
}

/** The median round (by ratio) and the spread of the ratios. */
function summary(rounds: SyncRound[]): SyncSummary {
  const byRatio = [...rounds].sort((a, b) => a.ratio - b.ratio);
  const median = byRatio[byRatio.length >> 1]!;
  return { sync_ms: median.sync_ms, bare_insert_ms: median.bare_insert_ms, ratio: median.ratio, ratio_min: byRatio[0]!.ratio, ratio_max: byRatio[byRatio.length - 1]!.ratio, median, rounds };
}

export async function benchSync(executions = 100_000, pageSize = 1000, reps = 3): Promise<SyncBenchResult> {
  const root = resolve(import.meta.dirname, '..');
  // Node itself (not the tsx launcher) so that the pid is the platform's, for its CPU time.
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'electron/services/testing/seeded-platform-main.ts'), String(executions)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const { url, token } = JSON.parse(await firstLine(child)) as { url: string; token: string };
    const client = new PlatformClient({ baseUrl: url, getSdkToken: async () => token, timeoutMs: 60_000 });
    // Each round asks pages one row smaller than the last: never a URL a round before asked, so the
    // platform's page cache (which keeps a page from its second ask on) answers none of them.
    const fromPlatform = await syncRounds(client, { executions, reps, serverPid: child.pid!, pageSizeOf: (round) => pageSize - round, label: 'platform' });

    // The same from a stand-in for a platform on another host: it keeps the platform's answers to the
    // warm-up round, then sends them again from memory, so that the platform's CPU leaves the two cores.
    const stand = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'bench/replayed-platform-main.ts'), url], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let replayed: SyncRound[];
    try {
      const standUrl = (JSON.parse(await firstLine(stand)) as { url: string }).url;
      const standClient = new PlatformClient({ baseUrl: standUrl, getSdkToken: async () => token, timeoutMs: 60_000 });
      replayed = await syncRounds(standClient, {
        executions,
        reps,
        serverPid: stand.pid!,
        pageSizeOf: () => pageSize,
        label: 'replayed',
        afterWarmUp: async () => void (await fetch(`${standUrl}/__replay`, { method: 'POST' })),
      });
    } finally {
      stand.kill('SIGTERM');
    }
    return { executions, page: pageSize, ...summary(fromPlatform), replayed: summary(replayed), decode: decodeCosts(await rawPages(url, token, pageSize)) };
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv[1]?.endsWith('sync.ts')) {
  const result = await benchSync(arg('executions', 100_000), arg('page', 1000), arg('reps', 3));
  console.log(
    `cache sync of ${result.executions} executions from the platform (pages of ${result.page} rows, then one fewer each round, so that no URL is asked twice): ${result.sync_ms} ms vs bare better-sqlite3 bulk insert of the same rows ${result.bare_insert_ms} ms — ratio ${result.ratio} of the bare throughput (rounds ${result.ratio_min}–${result.ratio_max}; target ≥ 0.8); that round's CPU ratio ${result.median.cpu_ratio}, ${result.median.sync_cpu_ratio} without the platform's`,
  );
  console.log(
    `the same from a stand-in sending the platform's answers from memory (its CPU off the two cores, as a platform on another host): ${result.replayed.sync_ms} ms vs ${result.replayed.bare_insert_ms} ms — ratio ${result.replayed.ratio} (rounds ${result.replayed.ratio_min}–${result.replayed.ratio_max}; the stand-in's CPU ${result.replayed.median.platform_cpu_ms} ms)`,
  );
  console.log(
    `decoding every page apart: JSON.parse ${result.decode.json_parse_ms} ms, zod schema (executionPageSchema) ${result.decode.schema_parse_ms} ms, the compiled check the client runs instead (json-shape.ts) ${result.decode.shape_check_ms} ms; encoding each row's JSON again (which the sync no longer does: it stores each execution's text as sent) ${result.decode.row_json_ms} ms`,
  );
  console.log(JSON.stringify(result));
}
