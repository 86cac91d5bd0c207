// Benchmark: one page of 100 executions from the filtered list, out of 1,000,000, against a bare
// Fastify route serving the same bytes, measured in the same run with the same load generator.
// Targets: ≥ 50% of the bare route's requests per second, p99 under 10 ms. Prints the ratio.
// The server runs in a child process so the load generator does not share its event loop.
// Usage: npx tsx bench/platform.ts [--executions 1000000] [--seconds 9 (rounds of 1 s per side)] [--connections 4] [--data-dir DIR (kept, reused)]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { buildPlatform, issueLocalAdminToken } from '../platform/index.js';
import { seed } from '../platform/seed.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

export interface PlatformBenchResult {
  executions: number;
  seconds: number;
  connections: number;
  platform: { rps: number; p50_ms: number; p99_ms: number };
  bare: { rps: number; p50_ms: number; p99_ms: number };
  ratio: number;
}

// ——— child process: serve either the platform or the bare route ———
async function serve(mode: string, dataDir: string, bodyFile: string | undefined) {
  process.on('SIGTERM', () => process.exit(0));
  if (mode === 'bare') {
    const { readFileSync } = await import('node:fs');
    const body = readFileSync(bodyFile!, 'utf8');
    const app = Fastify();
    app.get('/bare', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));
    await app.listen({ host: '127.0.0.1', port: 0 });
    process.stdout.write(`URL ${(app.server.address() as { port: number }).port}\n`);
  } else {
    const platform = await buildPlatform({ dataDir });
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    process.stdout.write(`URL ${(platform.app.server.address() as { port: number }).port}\n`);
  }
}

function startServer(mode: 'platform' | 'bare', dataDir: string, bodyFile?: string): Promise<{ child: ChildProcess; port: number }> {
  const profile = process.env.CRAFT_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CRAFT_BENCH_PROFILE}/${mode}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve', mode, '--data-dir', dataDir, ...(bodyFile ? ['--body', bodyFile] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /URL (\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `connections` keep-alive loops hammering one URL for `seconds`; every answer must be 200. */
async function load(port: number, path: string, headers: Record<string, string>, seconds: number, connections: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const request = http.get({ host: '127.0.0.1', port, path, headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`${path} answered ${response.statusCode}`));
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      request.on('error', reject);
    });
  // Warm-up, then measure.
  const until = async (deadline: number) => {
    while (performance.now() < deadline) await get();
  };
  await Promise.all(Array.from({ length: connections }, () => until(performance.now() + 250)));
  latencies.length = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => until(started + seconds * 1000)));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return { rps: Math.round(sorted.length / elapsed), p50_ms: +percentile(sorted, 50).toFixed(2), p99_ms: +percentile(sorted, 99).toFixed(2) };
}

export async function runPlatformBench(options: { executions: number; seconds: number; connections: number; dataDir?: string }): Promise<PlatformBenchResult> {
  const keep = !!options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'craft-bench-platform-'));
  const children: ChildProcess[] = [];
  try {
    // Seed once (a kept --data-dir is reused), then take the admin's token and the environment.
    const platform = await buildPlatform({ dataDir });
    let env = await platform.context.db.selectFrom('environments').select(['slug']).executeTakeFirst();
    const existing = Number((await platform.context.db.selectFrom('executions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    if (!env || existing < options.executions) {
      const started = Date.now();
      const result = await seed(platform.context, { projects: 1, environments: 1, executions: options.executions - existing, log: (line) => process.stderr.write(`  seed: ${line}\n`) });
      env = { slug: result.environments[0]!.slug };
      process.stderr.write(`  seeded ${options.executions} executions in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    const sdkToken = await issueLocalAdminToken(platform.context);
    const refreshed = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: sdkToken } });
    const headers = { authorization: `Bearer ${refreshed.json().access_token as string}` };
    const path = `/environments/${env.slug}/api/v1/executions?status=succeeded&pipeline_name=train&limit=100`;
    const sample = await platform.app.inject({ method: 'GET', url: path, headers });
    if (sample.statusCode !== 200 || sample.json().items.length !== 100) throw new Error(`the filtered list did not give a page of 100: ${sample.statusCode} ${sample.body.slice(0, 200)}`);
    const bodyFile = join(dataDir, 'bench-page.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bodyFile, sample.body);
    await platform.close();

    // Both servers up at once; alternate short rounds so both see the same machine (this one is shared
    // and noisy); each side's figure is the median of its rounds.
    const server = await startServer('platform', dataDir);
    children.push(server.child);
    const bare = await startServer('bare', dataDir, bodyFile);
    children.push(bare.child);
    const rounds = Math.max(1, options.seconds);
    const ours: Awaited<ReturnType<typeof load>>[] = [];
    const baseline: Awaited<ReturnType<typeof load>>[] = [];
    for (let round = 0; round < rounds; round++) {
      ours.push(await load(server.port, path, headers, 1, options.connections));
      baseline.push(await load(bare.port, '/bare', {}, 1, options.connections));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const summary = (runs: typeof ours) => ({ rps: med(runs.map((r) => r.rps)), p50_ms: med(runs.map((r) => r.p50_ms)), p99_ms: med(runs.map((r) => r.p99_ms)) });
    const a = summary(ours);
    const b = summary(baseline);
    const ratio = +med(ours.map((r, i) => r.rps / baseline[i]!.rps)).toFixed(3);
    return { executions: options.executions, seconds: options.seconds, connections: options.connections, platform: a, bare: b, ratio };
  } finally {
    for (const child of children) child.kill();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

const isEntry = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isEntry) {
  if (process.argv.includes('--serve')) {
    serve(arg('serve', 'platform'), arg('data-dir', ''), process.argv.includes('--body') ? arg('body', '') : undefined).catch((error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    });
  } else {
    const dataDir = process.argv.includes('--data-dir') ? arg('data-dir', '') : undefined;
    if (dataDir && !existsSync(dataDir)) (await import('node:fs')).mkdirSync(dataDir, { recursive: true });
    runPlatformBench({ executions: Number(arg('executions', '1000000')), seconds: Number(arg('seconds', '9')), connections: Number(arg('connections', '4')), dataDir })
      .then((r) => {
        process.stdout.write(
          `platform: executions page of 100 (filtered) out of ${r.executions.toLocaleString('en')}, ${r.connections} connections, ${r.seconds} alternating 1 s rounds per side (medians)\n` +
            `  platform route: ${r.platform.rps} req/s, p50 ${r.platform.p50_ms} ms, p99 ${r.platform.p99_ms} ms\n` +
            `  bare Fastify route (same bytes): ${r.bare.rps} req/s, p50 ${r.bare.p50_ms} ms, p99 ${r.bare.p99_ms} ms\n` +
            `  ratio ${r.ratio} (target ≥ 0.5) ${r.ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}; p99 ${r.platform.p99_ms} ms (target < 10 ms) ${r.platform.p99_ms < 10 ? 'OK' : 'ABOVE TARGET'}\n`,
        );
        process.exit(0);
      })
      .catch((error) => {
        process.stderr.write(`bench/platform: ${(error as Error).stack}\n`);
        process.exit(1);
      });
  }
}
