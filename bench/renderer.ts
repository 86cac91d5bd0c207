// Benchmark: the executions table in Chromium with 100,000 executions loaded. Prints the
// time to first rows, and filter, sort and search latency (p50, p95) against one frame
// (16 ms, the target for p95), next to an idle frame measured in the same page and run.
// Usage: npx tsx bench/renderer.ts [--rows 100000] [--rounds 40]
import { createReadStream, existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from '@playwright/test';
import { build } from 'vite';

const FRAME_MS = 16;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const rows = arg('rows', 100_000);
const rounds = arg('rounds', 40);
const outDir = mkdtempSync(join(tmpdir(), 'craft-bench-renderer-'));
await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false, rollupOptions: { input: 'renderer/bench.html' } } });

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = createServer((request, response) => {
  const path = normalize(join(outDir, new URL(request.url ?? '/', 'http://x').pathname));
  if (!path.startsWith(outDir) || !existsSync(path) || statSync(path).isDirectory()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
  createReadStream(path).pipe(response);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${port}/bench.html?n=${rows}`);
  await page.waitForFunction(() => (window as { craftBench?: { ready: boolean } }).craftBench?.ready === true, null, { timeout: 120_000 });
  // Baseline in the same page and run: frames with no work at all.
  const idle = await page.evaluate(async () => {
    const samples: number[] = [];
    for (let i = 0; i < 60; i++) {
      const start = performance.now();
      await new Promise((resolve) => requestAnimationFrame(resolve));
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    return { p50: samples[30]!, p95: samples[57]! };
  });
  type Timing = { p50: number; p95: number; max: number; runs: number };
  const result = (await page.evaluate((n) => (window as unknown as { craftBench: { run(r: number): Promise<unknown> } }).craftBench.run(n), rounds)) as {
    rows: number;
    firstRowsMs: number;
    firstPaintMs: number;
    renderedRows: number;
    filter: { update: Timing; frame: Timing };
    sort: { update: Timing; frame: Timing };
    search: { update: Timing; frame: Timing };
  };
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`Executions table, ${result.rows.toLocaleString('en')} executions in Chromium (${result.renderedRows} rows in the DOM)`);
  console.log(`  first rows: ${f(result.firstRowsMs)}, first paint: ${f(result.firstPaintMs)}`);
  console.log(`  idle frame (baseline, same run): p50 ${f(idle.p50)}, p95 ${f(idle.p95)}`);
  let worst = 0;
  for (const [name, timing] of Object.entries({ filter: result.filter, sort: result.sort, search: result.search })) {
    worst = Math.max(worst, timing.update.p95);
    console.log(
      `  ${name.padEnd(6)} update p50 ${f(timing.update.p50)}, p95 ${f(timing.update.p95)} (${(timing.update.p95 / FRAME_MS).toFixed(2)} of a ${FRAME_MS} ms frame)` +
        ` · to next frame p50 ${f(timing.frame.p50)}, p95 ${f(timing.frame.p95)}`,
    );
  }
  console.log(`  ratio of the worst p95 update to one frame: ${(worst / FRAME_MS).toFixed(2)} (target ≤ 1.00)`);
} finally {
  await browser.close();
  server.close();
}
