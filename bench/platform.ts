// Benchmark: the executions list as users meet it. Cursor chains walk every filter combination the list
// accepts (each subset of status / pipeline / deployment / creator × a date range or not × both sorts),
// following next_cursor, never asking the same URL twice (page-cache misses: cold pages); then the same
// with a writer creating an execution and appending log lines every 50 ms; then one URL asked again and
// again (page-cache hits, SQLite only). Compared in the same run, alternating rounds (cursor walks: the same
// number of requests a side, so both walk the same URLs; hits: 1 s), with
//   - a bare-SQL route: a minimal Fastify route running the equivalent keyset-paginated SELECT on the
//     driver directly (better-sqlite3 or pg), and for writes the bare INSERTs, of the same rows as the
//     platform's writes (its stored document with the writer's input, the admin as creator, the older
//     execution change dropped): until then they stored a smaller row with no creator and kept every change
//     row, so they wrote less than the platform had to;
//   - a bare Fastify route sending the same bytes (no database: the ceiling).
// Targets (ratios): cold throughput ≥ 0.9 of bare SQL, p99 ≤ 1.2× its p99, also with the writer running;
// writes' p99 ≤ 1.2× the bare inserts'; storage ≤ 1 KB per execution.
// Each server's CPU time per request (from /proc, over the measured part of each round) is printed beside
// its rates: on a machine shared with other work, req/s swings from run to run far more than CPU per request.
// On SQLite by default; on PostgreSQL with DATABASE_URL (or --database-url): a database of its own, seeded
// on first use and kept.
// Usage: node --import tsx bench/platform.ts [--executions 1000000] [--rounds 6] [--requests 300 (a side's walk each round)]
//        [--connections 4] [--data-dir DIR (kept, reused)] [--database-url postgres://…]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { endpointPath, platformContract } from '../domain/platform-contract.js';
import { buildPlatform, issueLocalAdminToken } from '../platform/index.js';
import { seed } from '../platform/seed.js';
import { environmentSeq, executionsPageBody } from '../platform/executions-store.js';
import { executionDocSqlText, expandFragments, storedExecutionDoc } from '../platform/execution-doc.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

// ——— what is walked: every filter combination ———

const EQUALITY = ['status', 'pipeline_name', 'deployment_name', 'created_by'] as const;
type Filters = Partial<Record<(typeof EQUALITY)[number] | 'created_after' | 'created_before', string>>;
interface Combination {
  label: string;
  filters: Filters;
  sort: 'created_at' | '-created_at';
}

function combinations(values: Required<Filters>): Combination[] {
  const all: Combination[] = [];
  for (let mask = 0; mask < 1 << EQUALITY.length; mask++) {
    for (const range of [false, true]) {
      const filters: Filters = {};
      for (const [i, column] of EQUALITY.entries()) if (mask & (1 << i)) filters[column] = values[column];
      if (range) Object.assign(filters, { created_after: values.created_after, created_before: values.created_before });
      const label = Object.keys(filters).filter((k) => k !== 'created_before').map((k) => (k === 'created_after' ? 'dates' : k.replace('_name', ''))).join('+') || 'none';
      for (const sort of ['-created_at', 'created_at'] as const) all.push({ label, filters, sort });
    }
  }
  return all;
}

const query = (c: Combination, limit: number, cursor: string | null) =>
  new URLSearchParams({ ...c.filters, sort: c.sort, limit: String(limit), ...(cursor ? { cursor } : {}) }).toString();

// ——— the servers, each in a child process so the load generator does not share their event loop ———

interface ServeOptions {
  mode: 'platform' | 'bare-bytes' | 'bare-sql';
  dataDir: string;
  databaseUrl?: string | undefined;
  environmentId: string;
  /** The signed-in admin: the platform's writes record it as their creator, so the bare inserts do too. */
  userId: string;
  bodyFile: string;
}

async function serve(o: ServeOptions) {
  process.on('SIGTERM', () => process.exit(0));
  let port: number;
  if (o.mode === 'platform') {
    const platform = await buildPlatform({ dataDir: o.dataDir, databaseUrl: o.databaseUrl });
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    port = (platform.app.server.address() as { port: number }).port;
  } else {
    const app = Fastify();
    if (o.mode === 'bare-bytes') {
      const body = readFileSync(o.bodyFile);
      app.get('/bare', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));
    } else {
      const sql = await bareSql(o);
      app.get('/bare-sql/executions', async (request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(await sql.page(request.query as Record<string, string>)));
      app.post('/bare-sql/executions', async (request) => sql.insert(request.body as { execution_id: string }));
      app.post('/bare-sql/log-lines', async (request) => sql.logs(request.body as { execution_id: string; lines: { message: string }[] }));
    }
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  }
  process.stdout.write(`URL ${port}\n`);
}

/** The input every execution the writer creates has (both sides store it). */
const WRITER_INPUTS = [{ pipeline_input_name: 'dataset', data_type: 'string', value: 's3://acme/bench/data.parquet' }];

/** The same keyset-paginated SELECT as the store's (filters, id order, limit + 1), and the same INSERTs, straight on the driver. */
async function bareSql(o: ServeOptions) {
  const where = (q: Record<string, string>, descending: boolean, placeholder: (i: number) => string) => {
    const params: unknown[] = [o.environmentId];
    const terms = [`environment_seq = (SELECT seq FROM environments WHERE id = ${placeholder(1)})`];
    const add = (term: string, value: unknown) => {
      params.push(value);
      terms.push(`${term} ${placeholder(params.length)}`);
    };
    for (const column of EQUALITY) if (column !== 'created_by' && q[column] !== undefined) add(`${column} =`, q[column]);
    if (q.created_by !== undefined) {
      params.push(q.created_by);
      terms.push(`creator_seq = (SELECT seq FROM users WHERE id = ${placeholder(params.length)})`);
    }
    if (q.created_after) add('created_ms >=', Date.parse(q.created_after));
    if (q.created_before) add('created_ms <', Date.parse(q.created_before));
    if (q.cursor) {
      params.push(Number(q.cursor));
      const row = placeholder(params.length);
      params.push(Number(q.cursor));
      terms.push(`(created_ms, id) ${descending ? '<' : '>'} ((SELECT c.created_ms FROM executions c WHERE c.id = ${row}), ${placeholder(params.length)})`);
    }
    return { terms, params };
  };
  // The stored layout's document, put back together as the store's SELECT does (platform/execution-doc.ts).
  const DOC = `${executionDocSqlText(o.databaseUrl ? 'postgres' : 'sqlite', 'executions', { fragments: 'left' })} AS doc`;
  const order = (descending: boolean) => (descending ? 'ORDER BY created_ms DESC, id DESC' : 'ORDER BY created_ms ASC, id ASC');
  // The platform's layout (one item a line), so both send the same bytes, made the platform's way
  // (executionsPageBody): the ratio measures the platform's route, not how a page's bytes are put together.
  const body = (rows: { id: number | string; doc: string }[], limit: number, changes: number | string | null) =>
    executionsPageBody(expandFragments(rows.slice(0, limit).map((r) => r.doc).join(',\n')), rows.length > limit ? String(rows[limit - 1]!.id) : null, String(changes ?? 0));
  const now = () => new Date().toISOString();
  // The same row as the platform's write stores (its stored document, with the input the writer sends, its
  // creator a users row): the same bytes in the table and the same index entries. It stored a text head,
  // no input and no creator before, and did not drop the older execution change the platform drops.
  // The inputs as the platform stores them (the contract's defaults filled in).
  const inputs = platformContract.createExecution.body.parse({ pipeline_name: 'train', inputs: WRITER_INPUTS }).inputs;
  const row = (id: string, at: string) =>
    storedExecutionDoc(
      { execution_id: id, status: 'pending', created_at: at, created_by: o.userId, end_date: null, pipeline_name: 'train', deployment_name: null, steps: [], inputs, outputs: [] },
      true,
    );
  if (o.databaseUrl) {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 10 });
    return {
      async page(q: Record<string, string>) {
        const descending = q.sort !== 'created_at';
        const limit = Number(q.limit ?? 100);
        const { terms, params } = where(q, descending, (i) => `$${i}`);
        params.push(limit + 1);
        const result = await pool.query(`SELECT id, ${DOC} FROM executions WHERE ${terms.join(' AND ')} ${order(descending)} LIMIT $${params.length}`, params);
        const changes = await pool.query('SELECT max(id) AS m FROM changes');
        return body(result.rows, limit, changes.rows[0].m);
      },
      async insert({ execution_id }: { execution_id: string }) {
        const client = await pool.connect();
        try {
          const at = now();
          const r = row(execution_id, at);
          await client.query('BEGIN');
          const change = await client.query(`INSERT INTO changes (resource, key, environment_id, op, at) VALUES ('execution', $1, $2, 'upsert', $3) RETURNING id`, [execution_id, o.environmentId, at]);
          await client.query(`DELETE FROM changes WHERE resource = 'execution' AND id < $1`, [change.rows[0].id]);
          await client.query(
            `INSERT INTO executions (execution_id, environment_seq, status, created_ms, creator_seq, pipeline_name, change_seq, head, doc) VALUES ($1, (SELECT seq FROM environments WHERE id = $2), 'pending', $3, (SELECT seq FROM users WHERE id = $7), 'train', $4, $5, $6)`,
            [execution_id, o.environmentId, Date.parse(at), change.rows[0].id, r.head, r.doc, o.userId],
          );
          await client.query('COMMIT');
          return { execution_id };
        } finally {
          client.release();
        }
      },
      async logs({ execution_id, lines }: { execution_id: string; lines: { message: string }[] }) {
        const found = await pool.query('SELECT id FROM executions WHERE environment_seq = (SELECT seq FROM environments WHERE id = $1) AND execution_id = $2', [o.environmentId, execution_id]);
        const at = now();
        const values = lines.map((_, i) => `($1, $2, $${i + 3})`).join(', ');
        await pool.query(`INSERT INTO execution_logs (execution_seq, timestamp, message) VALUES ${values}`, [found.rows[0].id, at, ...lines.map((l) => l.message)]);
        return { appended: lines.length };
      },
    };
  }
  const SQLite = (await import('better-sqlite3')).default;
  const db = new SQLite(join(o.dataDir, 'platform.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, import('better-sqlite3').Statement>();
  const prepare = (text: string) => {
    let statement = statements.get(text);
    if (!statement) statements.set(text, (statement = db.prepare(text)));
    return statement;
  };
  const changesCursor = db.prepare('SELECT max(id) AS m FROM changes').pluck();
  const insertChange = db.prepare(`INSERT INTO changes (resource, key, environment_id, op, at) VALUES ('execution', ?, ?, 'upsert', ?)`);
  const dropOlderChanges = db.prepare(`DELETE FROM changes WHERE resource = 'execution' AND id < ?`);
  const insertExecution = db.prepare(
    `INSERT INTO executions (execution_id, environment_seq, status, created_ms, creator_seq, pipeline_name, change_seq, head, doc) VALUES (?, (SELECT seq FROM environments WHERE id = ?), 'pending', ?, (SELECT seq FROM users WHERE id = ?), 'train', ?, ?, ?)`,
  );
  const findExecution = db.prepare('SELECT id FROM executions WHERE environment_seq = (SELECT seq FROM environments WHERE id = ?) AND execution_id = ?').pluck();
  const insertLog = db.prepare('INSERT INTO execution_logs (execution_seq, timestamp, message) VALUES (?, ?, ?)');
  return {
    page(q: Record<string, string>) {
      const descending = q.sort !== 'created_at';
      const limit = Number(q.limit ?? 100);
      const { terms, params } = where(q, descending, () => '?');
      const rows = prepare(`SELECT id, ${DOC} FROM executions WHERE ${terms.join(' AND ')} ${order(descending)} LIMIT ?`).all(...params, limit + 1) as { id: number; doc: string }[];
      return body(rows, limit, changesCursor.get() as number);
    },
    insert: db.transaction(({ execution_id }: { execution_id: string }) => {
      const at = now();
      const change = insertChange.run(execution_id, o.environmentId, at).lastInsertRowid;
      dropOlderChanges.run(change);
      const r = row(execution_id, at);
      insertExecution.run(execution_id, o.environmentId, Date.parse(at), o.userId, change, r.head, r.doc);
      return { execution_id };
    }),
    logs: db.transaction(({ execution_id, lines }: { execution_id: string; lines: { message: string }[] }) => {
      const id = findExecution.get(o.environmentId, execution_id);
      const at = now();
      for (const line of lines) insertLog.run(id, at, line.message);
      return { appended: lines.length };
    }),
  };
}

function startServer(o: ServeOptions): Promise<{ child: ChildProcess; port: number }> {
  const profile = process.env.CRAFT_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CRAFT_BENCH_PROFILE}/${o.mode}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve', JSON.stringify(o)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL: '' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /URL (\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${o.mode} server exited with ${code}`)));
  });
}

// ——— the load generator ———

const agentFor = (connections: number) => new http.Agent({ keepAlive: true, maxSockets: connections });

function request(agent: http.Agent, port: number, method: 'GET' | 'POST', path: string, headers: Record<string, string>, payload?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const data = payload === undefined ? undefined : JSON.stringify(payload);
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode! >= 300) reject(new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 200)}`));
        else resolve(text);
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Side {
  name: string;
  port: number;
  pid: number | undefined;
  /** The list's path, to which the query string is appended. */
  list: string;
  headers: Record<string, string>;
  write?: (agent: http.Agent, n: number) => Promise<number[]>;
}

/** One side's cursor chains: each combination walked page by page; an ended chain starts again with another page size (so no URL repeats). */
class Walker {
  private readonly chains: { c: Combination; cursor: string | null; limit: number; busy: boolean }[];
  private next = 0;
  readonly seen = new Set<string>();
  readonly byLabel = new Map<string, number[]>();
  constructor(combos: Combination[]) {
    this.chains = combos.map((c) => ({ c, cursor: null, limit: 100, busy: false }));
  }

  take() {
    for (let tries = 0; tries < this.chains.length; tries++) {
      const chain = this.chains[this.next++ % this.chains.length]!;
      if (!chain.busy && chain.limit > 1) {
        chain.busy = true;
        return chain;
      }
    }
    throw new Error('more connections than chains left to walk');
  }

  done(chain: ReturnType<Walker['take']>, body: string, ms: number) {
    const cursor = /"next_cursor":(?:"(\d+)"|null)/.exec(body.slice(body.lastIndexOf('"next_cursor"')));
    chain.cursor = cursor?.[1] ?? null;
    // An ended chain starts again with another page size; a combination with no rows is walked no more.
    const limit = chain.limit;
    if (chain.cursor === null) chain.limit = body.startsWith('{"items":[]') ? 0 : chain.limit - 1;
    chain.busy = false;
    // The cost of a combination compares like with like: full pages only (a next one follows), per 100 rows.
    if (chain.cursor === null) return;
    const list = this.byLabel.get(chain.c.label) ?? [];
    list.push((ms * 100) / limit);
    this.byLabel.set(chain.c.label, list);
  }
}

interface Round {
  rps: number;
  latencies: number[];
  writes: number[];
  /** The server process's CPU time over the measured part of the round (ms; Linux, else NaN). */
  cpuMs: number;
}

/** CPU time (user + system) a process has used so far, in ms: less sensitive to a shared machine's load than wall-clock rates. */
function cpuMsOf(pid: number | undefined): number {
  try {
    // /proc/<pid>/stat: fields after the command's closing parenthesis; utime and stime are the 12th and 13th, in clock ticks (100 a second).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * `connections` loops walking chains for `requests` requests (after a short warm-up); a writer every 50 ms
 * when asked. A count, not a time: both sides then walk the same URLs in the same order. Timed rounds let
 * the faster side walk further, and a chain that ends starts again with a smaller page, so its pages got
 * cheaper the more it had walked (the bare route's CPU per request fell by a third in the writer's rounds).
 */
async function walk(side: Side, walker: Walker, requests: number, connections: number, writer: boolean): Promise<Round> {
  const agent = agentFor(connections + 1);
  const latencies: number[] = [];
  const writes: number[] = [];
  let left = 0;
  const loop = async (record: boolean) => {
    while (left-- > 0) {
      const chain = walker.take();
      const path = `${side.list}?${query(chain.c, chain.limit, chain.cursor)}`;
      if (walker.seen.has(path)) throw new Error(`${side.name} would ask ${path} twice`);
      walker.seen.add(path);
      const started = performance.now();
      const body = await request(agent, side.port, 'GET', path, side.headers);
      const ms = performance.now() - started;
      walker.done(chain, body, ms);
      if (record) latencies.push(ms);
    }
  };
  left = 5 * connections;
  await Promise.all(Array.from({ length: connections }, () => loop(false)));
  const started = performance.now();
  const cpuBefore = cpuMsOf(side.pid);
  let writing: Promise<void> = Promise.resolve();
  let n = 0;
  const timer = writer && side.write ? setInterval(() => (writing = writing.then(async () => void writes.push(...(await side.write!(agent, n++))))), 50) : null;
  left = requests;
  await Promise.all(Array.from({ length: connections }, () => loop(true)));
  if (timer) clearInterval(timer);
  await writing;
  const elapsed = (performance.now() - started) / 1000;
  const cpuMs = cpuMsOf(side.pid) - cpuBefore;
  agent.destroy();
  return { rps: latencies.length / elapsed, latencies, writes, cpuMs };
}

/** One URL again and again (the page cache answers all but the first). */
async function repeat(side: Side, path: string, seconds: number, connections: number): Promise<Round> {
  const agent = agentFor(connections);
  const latencies: number[] = [];
  const loop = async (until: number, record: boolean) => {
    while (performance.now() < until) {
      const started = performance.now();
      await request(agent, side.port, 'GET', path, side.headers);
      if (record) latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: connections }, () => loop(performance.now() + 200, false)));
  const started = performance.now();
  const cpuBefore = cpuMsOf(side.pid);
  await Promise.all(Array.from({ length: connections }, () => loop(started + seconds * 1000, true)));
  const cpuMs = cpuMsOf(side.pid) - cpuBefore;
  agent.destroy();
  return { rps: latencies.length / ((performance.now() - started) / 1000), latencies, writes: [], cpuMs };
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  writesP99: number;
  requests: number;
  /** Server CPU per request (ms), the writer's requests included. */
  cpuPerRequest: number;
}

function summarise(rounds: Round[]): Summary {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const all = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const writes = rounds.flatMap((r) => r.writes).sort((a, b) => a - b);
  const cpuMs = rounds.reduce((sum, r) => sum + r.cpuMs, 0);
  return {
    rps: Math.round(med(rounds.map((r) => r.rps))),
    p50: +percentile(all, 50).toFixed(2),
    p99: +percentile(all, 99).toFixed(2),
    writesP99: +percentile(writes, 99).toFixed(2),
    requests: all.length,
    cpuPerRequest: +(cpuMs / (all.length + writes.length)).toFixed(3),
  };
}

/** Alternating rounds of each side (the order swapped every round: this machine is shared and noisy). */
async function alternate(sides: { side: Side; run: (side: Side) => Promise<Round> }[], rounds: number): Promise<Summary[]> {
  const results: Round[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    for (const i of order) results[i]!.push(await sides[i]!.run(sides[i]!.side));
  }
  return results.map(summarise);
}

// ——— storage ———

async function storage(dataDir: string, databaseUrl: string | undefined): Promise<{ total: number; parts: [string, number][] }> {
  if (databaseUrl) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query('VACUUM ANALYZE');
      const { rows } = await client.query(
        `SELECT c.relname AS name, CASE WHEN c.relkind = 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') ORDER BY 2 DESC`,
      );
      const parts = rows.map((r): [string, number] => [r.name, Number(r.bytes)]);
      return { total: parts.reduce((s, [, b]) => s + b, 0), parts };
    } finally {
      await client.end();
    }
  }
  const SQLite = (await import('better-sqlite3')).default;
  const db = new SQLite(join(dataDir, 'platform.sqlite'));
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const parts = (db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[]).map((r): [string, number] => [r.name, r.bytes]);
    return { total: (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number), parts };
  } finally {
    db.close();
  }
}

// ——— the run ———

export interface PlatformBenchResult {
  dialect: 'sqlite' | 'postgres';
  executions: number;
  connections: number;
  rounds: number;
  /** Requests of one side's cursor walk each round. */
  requests: number;
  combinations: number;
  cold: { platform: Summary; bareSql: Summary; bareBytes: Summary };
  writer: { platform: Summary; bareSql: Summary };
  hits: { platform: Summary; bareBytes: Summary } | null;
  /** Mean time of a page per filter combination (platform, cold), slowest over fastest. */
  /** Per 100 rows of full pages; null when fewer than two combinations gave 5 full pages. */
  spread: { slowest: [string, number]; fastest: [string, number] } | null;
  bytesPerExecution: number;
  storage: [string, number][];
}

export async function runPlatformBench(options: { executions: number; rounds: number; requests: number; connections: number; dataDir?: string; databaseUrl?: string }): Promise<PlatformBenchResult> {
  const keep = !!options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'craft-bench-platform-'));
  const databaseUrl = options.databaseUrl;
  const children: ChildProcess[] = [];
  try {
    // Seed once (a kept --data-dir or a PostgreSQL database is reused), then the admin's token and the environment.
    const platform = await buildPlatform({ dataDir, databaseUrl });
    const db = platform.context.db;
    let env = await db.selectFrom('environments').select(['id', 'slug']).orderBy('created_at').executeTakeFirst();
    const existing = env ? Number((await db.selectFrom('executions').select((eb) => eb.fn.countAll().as('n')).where('environment_seq', '=', environmentSeq(env.id)).executeTakeFirstOrThrow()).n) : 0;
    if (!env || existing < options.executions) {
      const started = Date.now();
      const result = await seed(platform.context, { projects: 1, environments: 1, executions: options.executions - existing, log: (line) => process.stderr.write(`  seed: ${line}\n`) });
      env ??= { id: result.environments[0]!.id, slug: result.environments[0]!.slug };
      process.stderr.write(`  seeded ${options.executions - existing} executions in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    const executions = Number((await db.selectFrom('executions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const sdkToken = await issueLocalAdminToken(platform.context);
    const refreshed = await platform.app.inject({ method: 'POST', url: platformContract.refresh.path, payload: { refresh_token: sdkToken } });
    const headers = { authorization: `Bearer ${refreshed.json().access_token as string}` };
    const list = endpointPath(platformContract.listExecutions, { slug: env.slug });

    // Filter values that select real rows: a status, a pipeline with its deployment, a creator, the middle half of the dates.
    const sample = await db
      .selectFrom('executions')
      .innerJoin('users', 'users.seq', 'executions.creator_seq')
      .select(['users.id as created_by'])
      .where('environment_seq', '=', environmentSeq(env.id))
      .where('deployment_name', '=', 'nightly-train')
      .executeTakeFirstOrThrow();
    const bounds = await db.selectFrom('executions').select((eb) => [eb.fn.min('created_ms').as('first'), eb.fn.max('created_ms').as('last')]).where('environment_seq', '=', environmentSeq(env.id)).executeTakeFirstOrThrow();
    const span = Number(bounds.last) - Number(bounds.first);
    const at = (f: number) => new Date(Number(bounds.first) + f * span).toISOString();
    const combos = combinations({ status: 'failed', pipeline_name: 'train', deployment_name: 'nightly-train', created_by: sample.created_by, created_after: at(0.25), created_before: at(0.75) });

    const page = await platform.app.inject({ method: 'GET', url: `${list}?status=succeeded&pipeline_name=train&limit=100`, headers });
    if (page.statusCode !== 200 || page.json().items.length !== 100) throw new Error(`the filtered list did not give a page of 100: ${page.statusCode} ${page.body.slice(0, 200)}`);
    const bodyFile = join(dataDir, 'bench-page.json');
    writeFileSync(bodyFile, page.body);
    const create = endpointPath(platformContract.createExecution, { slug: env.slug });
    const userId = (await platform.app.inject({ method: 'GET', url: platformContract.me.path, headers })).json().id as string;
    await platform.close();
    const { total, parts } = await storage(dataDir, databaseUrl);

    const common = { dataDir, databaseUrl, environmentId: env.id, userId, bodyFile };
    const servers = await Promise.all((['platform', 'bare-sql', 'bare-bytes'] as const).map((mode) => startServer({ mode, ...common })));
    children.push(...servers.map((s) => s.child));
    const [ours, bareSqlServer, bareBytesServer] = servers as [(typeof servers)[0], (typeof servers)[0], (typeof servers)[0]];
    const lines = Array.from({ length: 5 }, (_, i) => ({ message: `epoch ${i} loss=0.${40 - i}` }));
    const inputs = WRITER_INPUTS;
    const timed = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const platformSide: Side = {
      name: 'platform',
      port: ours.port,
      pid: ours.child.pid,
      list,
      headers,
      async write(agent) {
        let id = '';
        const created = await timed(async () => (id = JSON.parse(await request(agent, ours.port, 'POST', create, headers, { pipeline_name: 'train', inputs })).execution_id));
        const logged = await timed(() => request(agent, ours.port, 'POST', endpointPath(platformContract.appendExecutionLogs, { slug: env.slug, id }), headers, { lines }));
        return [created, logged];
      },
    };
    const bareSqlSide: Side = {
      name: 'bare SQL',
      port: bareSqlServer.port,
      pid: bareSqlServer.child.pid,
      list: '/bare-sql/executions',
      headers: {},
      async write(agent, n) {
        const id = `bench-${process.pid}-${Date.now().toString(36)}-${n}`;
        const created = await timed(() => request(agent, bareSqlServer.port, 'POST', '/bare-sql/executions', {}, { execution_id: id }));
        const logged = await timed(() => request(agent, bareSqlServer.port, 'POST', '/bare-sql/log-lines', {}, { execution_id: id, lines }));
        return [created, logged];
      },
    };
    const bareBytesSide: Side = { name: 'bare bytes', port: bareBytesServer.port, pid: bareBytesServer.child.pid, list: '/bare', headers: {} };
    const walkers = new Map<Side, Walker>([platformSide, bareSqlSide].map((s) => [s, new Walker(combos)]));
    const cold = (writer: boolean) => (side: Side) => walk(side, walkers.get(side)!, options.requests, options.connections, writer);
    const bytes = (side: Side) => repeat(side, '/bare', 1, options.connections);
    // CRAFT_BENCH_ONLY=cold|writer|hits: only that part is measured (the others get no rounds), for a CPU profile of one part.
    const only = process.env.CRAFT_BENCH_ONLY;
    const roundsOf = (part: 'cold' | 'writer' | 'hits') => (!only || only === part ? options.rounds : 0);

    process.stderr.write(`  cold pages: ${combos.length} cursor chains, ${options.rounds} rounds…\n`);
    const [coldPlatform, coldBareSql, coldBareBytes] = await alternate(
      [
        { side: platformSide, run: cold(false) },
        { side: bareSqlSide, run: cold(false) },
        { side: bareBytesSide, run: bytes },
      ],
      roundsOf('cold'),
    );
    const spreadOf = (walker: Walker) => {
      const means = [...walker.byLabel].filter(([, ms]) => ms.length >= 5).map(([label, ms]): [string, number] => [label, +(ms.reduce((s, x) => s + x, 0) / ms.length).toFixed(2)]).sort((a, b) => a[1] - b[1]);
      // A run too starved to give 5 full pages of two combinations says so instead of crashing.
      return means.length < 2 ? null : { fastest: means[0]!, slowest: means[means.length - 1]! };
    };
    const spread = spreadOf(walkers.get(platformSide)!);
    process.stderr.write('  cold pages with a writer every 50 ms…\n');
    const [writerPlatform, writerBareSql] = await alternate(
      [
        { side: platformSide, run: cold(true) },
        { side: bareSqlSide, run: cold(true) },
      ],
      roundsOf('writer'),
    );
    let hits: PlatformBenchResult['hits'] = null;
    if (!databaseUrl) {
      process.stderr.write('  page-cache hits (one URL again and again)…\n');
      const hitPath = `${list}?status=succeeded&pipeline_name=train&limit=100`;
      const [hitPlatform, hitBytes] = await alternate(
        [
          { side: platformSide, run: (side) => repeat(side, hitPath, 1, options.connections) },
          { side: bareBytesSide, run: bytes },
        ],
        roundsOf('hits'),
      );
      hits = { platform: hitPlatform!, bareBytes: hitBytes! };
    }
    return {
      dialect: databaseUrl ? 'postgres' : 'sqlite',
      executions,
      connections: options.connections,
      rounds: options.rounds,
      requests: options.requests,
      combinations: combos.length,
      cold: { platform: coldPlatform!, bareSql: coldBareSql!, bareBytes: coldBareBytes! },
      writer: { platform: writerPlatform!, bareSql: writerBareSql! },
      hits,
      spread,
      bytesPerExecution: Math.round(total / executions),
      storage: parts.slice(0, 12).map(([name, b]) => [name, Math.round(b / executions)]),
    };
  } finally {
    for (const child of children) child.kill();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(r: PlatformBenchResult): string {
  const ratio = (a: number, b: number) => +(a / b).toFixed(3);
  const verdict = (ok: boolean) => (ok ? 'OK' : 'MISSED');
  const line = (name: string, s: Summary) => `    ${name.padEnd(34)} ${String(s.rps).padStart(6)} req/s  p50 ${s.p50} ms  p99 ${s.p99} ms  server CPU ${s.cpuPerRequest} ms/request  (${s.requests} requests)\n`;
  const coldRps = ratio(r.cold.platform.rps, r.cold.bareSql.rps);
  const coldP99 = ratio(r.cold.platform.p99, r.cold.bareSql.p99);
  const writerRps = ratio(r.writer.platform.rps, r.writer.bareSql.rps);
  const writerP99 = ratio(r.writer.platform.p99, r.writer.bareSql.p99);
  const writesP99 = ratio(r.writer.platform.writesP99, r.writer.bareSql.writesP99);
  const spread = r.spread ? ratio(r.spread.slowest[1], r.spread.fastest[1]) : NaN;
  return (
    `platform (${r.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}): executions list, ${r.executions.toLocaleString('en')} executions, ${r.combinations} cursor chains (every filter combination, both sorts), no URL asked twice, ${r.connections} connections, ${r.rounds} alternating rounds per side (walks: ${r.requests} requests each; hits: 1 s)\n` +
    `  cold pages (page-cache misses):\n` +
    line('platform route', r.cold.platform) +
    line('bare-SQL route (same SELECT)', r.cold.bareSql) +
    line('bare Fastify route (same bytes)', r.cold.bareBytes) +
    `    vs bare SQL: throughput ${coldRps} (target ≥ 0.9) ${verdict(coldRps >= 0.9)}; p99 ${coldP99}× (target ≤ 1.2) ${verdict(coldP99 <= 1.2)}; vs bare bytes ${ratio(r.cold.platform.rps, r.cold.bareBytes.rps)}; server CPU per request ${ratio(r.cold.platform.cpuPerRequest, r.cold.bareSql.cpuPerRequest)}×\n` +
    (r.spread
      ? `    cost per filter combination (full pages, per 100 rows): slowest ${r.spread.slowest[0]} ${r.spread.slowest[1]} ms, fastest ${r.spread.fastest[0]} ${r.spread.fastest[1]} ms: ${spread}× (target ≤ 2) ${verdict(spread <= 2)}\n`
      : `    cost per filter combination: fewer than two combinations gave 5 full pages (a starved run): not measured\n`) +
    `  cold pages, a writer creating an execution and appending 5 log lines every 50 ms:\n` +
    line('platform route', r.writer.platform) +
    line('bare-SQL route', r.writer.bareSql) +
    `    vs bare SQL: throughput ${writerRps} (target ≥ 0.9) ${verdict(writerRps >= 0.9)}; p99 ${writerP99}× (target ≤ 1.2) ${verdict(writerP99 <= 1.2)}; server CPU per request ${ratio(r.writer.platform.cpuPerRequest, r.writer.bareSql.cpuPerRequest)}×\n` +
    `    writes p99: platform ${r.writer.platform.writesP99} ms, bare inserts ${r.writer.bareSql.writesP99} ms: ${writesP99}× (target ≤ 1.2) ${verdict(writesP99 <= 1.2)}\n` +
    (r.hits
      ? `  page-cache hits (one URL again and again):\n` + line('platform route', r.hits.platform) + line('bare Fastify route (same bytes)', r.hits.bareBytes) + `    vs bare bytes: ${ratio(r.hits.platform.rps, r.hits.bareBytes.rps)}\n`
      : `  page-cache hits: none on PostgreSQL (no page cache: its sequences may commit out of order)\n`) +
    `  storage: ${r.bytesPerExecution} bytes per execution (target ≤ 1024) ${verdict(r.bytesPerExecution <= 1024)}; per execution: ${r.storage.map(([n, b]) => `${n} ${b}`).join(', ')}\n`
  );
}

const isEntry = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isEntry) {
  if (process.argv.includes('--serve')) {
    serve(JSON.parse(arg('serve', '{}')) as ServeOptions).catch((error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    });
  } else {
    const dataDir = process.argv.includes('--data-dir') ? arg('data-dir', '') : undefined;
    if (dataDir && !existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
    const databaseUrl = arg('database-url', process.env.DATABASE_URL ?? '') || undefined;
    runPlatformBench({ executions: Number(arg('executions', '1000000')), rounds: Number(arg('rounds', '6')), requests: Number(arg('requests', '300')), connections: Number(arg('connections', '4')), ...(dataDir ? { dataDir } : {}), ...(databaseUrl ? { databaseUrl } : {}) })
      .then((r) => {
        process.stdout.write(report(r));
        process.exit(0);
      })
      .catch((error) => {
        process.stderr.write(`bench/platform: ${(error as Error).stack}\n`);
        process.exit(1);
      });
  }
}
