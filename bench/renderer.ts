// Benchmark: the executions table in Chromium, charts open, with 100,000 then 1,000,000 executions
// loaded. Prints the time to first rows, the JS heap, and for filter, sort and search the work in the
// input's task and the time from the input to the next frame laid out to paint (p50, p95), against
// one frame (16.7 ms, the p95 target at 100k; 50 ms at 1M) and against a baseline measured in the
// same page and run (an input that changes nothing, to the next frame).
// That first measure starts each input just after a frame and forces the next frame's layout, so it
// is about a whole frame's idle wait for the vsync plus that layout: even a no-op takes 16.4 ms, and
// any input needing more than ~0.3 ms of layout "fails", whatever its cost. It stays printed; beside it,
// "as a user meets it" replays the same inputs at seeded random moments within a frame (a key press
// lands anywhere in one) with nothing forced, and prints (a) how many changes were shown in the first
// frame that began after their input (read from the frames' timestamps) and (b) the main-thread time
// each input costs before that frame can be shown (its task, the tasks it queued, that frame's
// callbacks, style, layout and paint; not the idle wait): under 16.7 ms, the main thread has room to show it within a frame.
// The target is met on (a) ≥ 95% of each input's changes and (b) p95 ≤ 16.7 ms; at 1M on (b) p95 ≤ 50 ms.
// Usage: npx tsx bench/renderer.ts [--rows 100000] [--rounds 40] [--strict]
// CRAFT_BENCH_PROFILE=dir writes the page's CPU profile over the timed inputs (rows-<n>.cpuprofile);
// CRAFT_BENCH_TRACE=dir writes Chromium's performance trace of them (rows-<n>.trace.json, more categories in
// CRAFT_BENCH_TRACE_CATEGORIES=a,b) and prints the main thread's CPU time in style and layout per input
// (and paint, and each input's busy main-thread CPU time before its frame is shown, for the user pass): on a loaded
// machine wall times say more about the other processes than about the page.
import { createReadStream, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from '@playwright/test';
import { build } from 'vite';

const FRAME_MS = 16.7;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// 100,000 (the frame target) and 1,000,000 (usable: first rows, updates, memory), unless --rows.
const sizes = process.argv.includes('--rows') ? [arg('rows', 100_000)] : [100_000, 1_000_000];
const rounds = arg('rounds', 40);
const outDir = mkdtempSync(join(tmpdir(), 'craft-bench-renderer-'));
await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false, minify: !process.env.CRAFT_BENCH_PROFILE, rollupOptions: { input: 'renderer/bench.html' } } });

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
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--js-flags=--expose-gc'],
});
type Timing = { p50: number; p95: number; max: number; runs: number };
type UserTiming = { cost: Timing; work: Timing; queued: Timing; render: Timing; madeNext: number; runs: number; worstLate: number };
type Result = {
  user: { interval: number; baseline: UserTiming; filter: UserTiming; sort: UserTiming; search: UserTiming };
  rows: number;
  baseline: Timing;
  chartsOpen: boolean;
  generatedMs: number;
  firstRowsMs: number;
  firstPaintMs: number;
  renderedRows: number;
  filter: { update: Timing; frame: Timing; layout: Timing };
  sort: { update: Timing; frame: Timing; layout: Timing };
  search: { update: Timing; frame: Timing; layout: Timing };
};
const f = (ms: number) => `${ms.toFixed(1)} ms`;

/** From a trace: per timed input (the page's performance.measure spans), the median CPU time of style and of layout. */
function traceCpu(json: string): string[] {
  type Event = { name: string; cat?: string; ph: string; pid?: number; tid?: number; ts: number; dur?: number; tdur?: number; id2?: { local?: string }; args?: { name?: string } };
  const events = (JSON.parse(json) as { traceEvents: Event[] }).traceEvents;
  const spans = new Map<string, [number, number][]>();
  const open = new Map<string, Event>();
  for (const e of events) {
    if (!e.cat?.includes('blink.user_timing') || !['idle', 'filter', 'sort', 'search'].includes(e.name.replace(/^user /, ''))) continue;
    const id = e.id2?.local ?? e.name;
    if (e.ph === 'b') open.set(id, e);
    else if (e.ph === 'e' && open.has(id)) spans.set(e.name, [...(spans.get(e.name) ?? []), [open.get(id)!.ts, e.ts]]);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
  // Paint events nest (the document's, then each painted box's inside it): only the outermost count.
  const work: Event[] = [];
  const outerEnd = new Map<string, number>();
  for (const e of events.filter((e) => e.ph === 'X' && ['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize'].includes(e.name)).sort((a, b) => a.ts - b.ts)) {
    if (e.ts < (outerEnd.get(e.name) ?? -Infinity)) continue;
    outerEnd.set(e.name, e.ts + (e.dur ?? 0));
    work.push(e);
  }
  // The page's main thread (the one that lays out) and its outermost recorded events: its busy time.
  const threads = new Map<string, number>();
  for (const e of events) if (e.name === 'Layout') threads.set(`${e.pid}:${e.tid}`, (threads.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...threads].sort((a, b) => b[1] - a[1])[0]?.[0];
  const busy: Event[] = [];
  let end = -Infinity;
  for (const e of events.filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === main).sort((a, b) => a.ts - b.ts)) {
    if (e.ts < end) continue;
    end = e.ts + (e.dur ?? 0);
    busy.push(e);
  }
  const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(0.95 * (values.length - 1) + 0.5))] ?? 0;
  return [...spans].map(([name, list]) => {
    const per = list.map(([from, to]) => {
      const inSpan = work.filter((e) => e.ts >= from && e.ts <= to);
      const cpu = (kind: string) => inSpan.filter((e) => e.name === kind).reduce((sum, e) => sum + (e.tdur ?? e.dur ?? 0) / 1000, 0);
      return { style: cpu('UpdateLayoutTree'), layout: cpu('Layout'), paint: cpu('PrePaint') + cpu('Paint') + cpu('Layerize') };
    });
    // The first pass's spans end at its forced layout, before paint: paint is printed for the user pass.
    // The user pass's spans run from the input to just after its frame: their busy thread time is the input's cost in CPU.
    // An event that began before the input (the timer the input runs in) counts from the input on, in proportion.
    const cost = list.map(([from, to]) =>
      busy.reduce((sum, e) => {
        const [start, stop] = [Math.max(from, e.ts), Math.min(to, e.ts + (e.dur ?? 0))];
        return stop <= start ? sum : sum + ((stop - start) * ((e.tdur ?? e.dur ?? 0) / (e.dur || 1))) / 1000;
      }, 0),
    );
    const paint = name.startsWith('user ') ? `, paint ${f(median(per.map((p) => p.paint)))}; main-thread CPU before its frame is shown p50 ${f(median(cost))}, p95 ${f(p95(cost))}` : '';
    return `  trace, ${name.padEnd(11)} CPU (thread time) per input, median: style ${f(median(per.map((p) => p.style)))}, layout ${f(median(per.map((p) => p.layout)))}${paint} (${list.length} inputs)`;
  });
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
let failed = false;
try {
  for (const n of sizes) {
    // The warm-up after the first rows, on a page of its own: the longest an input waited meanwhile.
    const warmPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await warmPage.goto(`http://127.0.0.1:${port}/bench.html?n=${n}&warm=1`);
    await warmPage.waitForFunction(() => (window as { craftBench?: { ready: boolean } }).craftBench?.ready === true, null, { timeout: 300_000 });
    const warmUp = (await warmPage.evaluate(() => (window as unknown as { craftBench: { warmUp: { longestMs: number; over50: number; probedMs: number } } }).craftBench.warmUp));
    await warmPage.close();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(`http://127.0.0.1:${port}/bench.html?n=${n}`);
    await page.waitForFunction(() => (window as { craftBench?: { ready: boolean } }).craftBench?.ready === true, null, { timeout: 300_000 });
    const profileDir = process.env.CRAFT_BENCH_PROFILE;
    const traceDir = process.env.CRAFT_BENCH_TRACE;
    if (traceDir) {
      mkdirSync(traceDir, { recursive: true });
      const categories = ['devtools.timeline', 'blink.user_timing', 'v8.execute', ...(process.env.CRAFT_BENCH_TRACE_CATEGORIES?.split(',') ?? [])];
      await browser.startTracing(page, { path: join(traceDir, `rows-${n}.trace.json`), categories });
    }
    if (profileDir) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const result = (await page.evaluate((r) => (window as unknown as { craftBench: { run(r: number): Promise<unknown> } }).craftBench.run(r), rounds)) as Result;
    const traceLines = traceDir ? traceCpu((await browser.stopTracing()).toString('utf8')) : [];
    if (profileDir) {
      const { profile } = await cdp.send('Profiler.stop');
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(join(profileDir, `rows-${n}.cpuprofile`), JSON.stringify(profile));
    }
    // After the run: the rows, their index, every sort order and the charts are all in memory.
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    const large = n >= 1_000_000;
    console.log(`Executions table, ${result.rows.toLocaleString('en')} executions in Chromium (${result.renderedRows} rows in the DOM, charts ${result.chartsOpen ? 'open' : 'CLOSED'})`);
    console.log(`  first rows: ${f(result.firstRowsMs)} (target < 1000 ms), first paint: ${f(result.firstPaintMs)}; rows generated in ${f(result.generatedMs)} (not counted)`);
    console.log(
      `  warm-up after the first rows (the index, every column's orders and the search text, in background tasks, ${f(warmUp.probedMs)}): an input waited at most ${f(warmUp.longestMs)} (${warmUp.over50} waits over 50 ms), against one frame ${f(FRAME_MS)} and the 50 ms of a long task`,
    );
    console.log(`  memory: JS heap ${mb(heap.usedSize)} used after GC, rows + index + sort orders + charts (${mb(heap.totalSize)} reserved), ${(heap.usedSize / n).toFixed(0)} bytes per execution`);
    console.log(`  baseline (same page and run): an input that changes nothing → next frame laid out: p50 ${f(result.baseline.p50)}, p95 ${f(result.baseline.p95)}`);
    let worstFrame = 0;
    let worstUpdate = 0;
    for (const [name, timing] of Object.entries({ filter: result.filter, sort: result.sort, search: result.search })) {
      worstFrame = Math.max(worstFrame, timing.frame.p95);
      worstUpdate = Math.max(worstUpdate, timing.update.p95);
      console.log(
        `  ${name.padEnd(6)} work p50 ${f(timing.update.p50)}, p95 ${f(timing.update.p95)} · its frame's style + layout p50 ${f(timing.layout.p50)}, p95 ${f(timing.layout.p95)}` +
          ` · input → next painted frame p50 ${f(timing.frame.p50)}, p95 ${f(timing.frame.p95)}` +
          ` (${(timing.frame.p95 / result.baseline.p95).toFixed(2)} of the baseline's p95)`,
      );
    }
    // As a user meets it: inputs at seeded random phases of a frame, nothing forced (see the header).
    const budget = large ? 50 : FRAME_MS;
    const share = (t: UserTiming) => `${t.madeNext}/${t.runs} made the next frame${t.worstLate > 0 ? ` (worst ${t.worstLate} late)` : ''}`;
    const userLine = (name: string, t: UserTiming) =>
      `  ${name.padEnd(6)} ${share(t)} · main-thread cost before its frame is shown p50 ${f(t.cost.p50)}, p95 ${f(t.cost.p95)} = ${(t.cost.p95 / FRAME_MS).toFixed(2)} of ${FRAME_MS} ms` +
      ` (work p95 ${f(t.work.p95)}, tasks it queued p95 ${f(t.queued.p95)}, its frame's rendering p95 ${f(t.render.p95)})`;
    console.log(`  as a user meets it (inputs at seeded random phases of a ${f(result.user.interval)} frame, nothing forced):`);
    console.log(userLine('no-op', result.user.baseline));
    let worstCost = 0;
    let allMade = true;
    for (const [name, timing] of Object.entries({ filter: result.user.filter, sort: result.user.sort, search: result.user.search })) {
      worstCost = Math.max(worstCost, timing.cost.p95);
      allMade &&= timing.madeNext >= Math.ceil(0.95 * timing.runs);
      console.log(userLine(name, timing));
    }
    // At 1M the target is an update within 50 ms, not within the next frame.
    const userOk = worstCost <= budget && (large || allMade);
    console.log(
      `  as a user meets it: worst p95 cost ${f(worstCost)} = ${(worstCost / budget).toFixed(2)} of ${budget} ms, ≥ 95% of each input's changes in the next frame: ${allMade ? 'yes' : 'no'}${large ? ' (not a target at 1M)' : ''} (target: ${userOk ? 'met' : 'NOT met'})`,
    );
    if (large) {
      const ok = result.firstRowsMs < 1000 && worstFrame <= 50;
      failed ||= !ok || !userOk;
      console.log(`  1M usable: first rows ${f(result.firstRowsMs)} (< 1000), worst update p95 to the painted frame ${f(worstFrame)} (≤ 50 ms): ${ok ? 'met' : 'NOT met'}`);
    } else {
      const ok = worstFrame <= FRAME_MS;
      failed ||= !ok || !userOk;
      console.log(
        `  worst p95 input → next painted frame: ${f(worstFrame)} = ${(worstFrame / FRAME_MS).toFixed(2)} of a ${FRAME_MS} ms frame (target ≤ 1.00: ${ok ? 'met' : 'NOT met'});` +
          ` ${(worstFrame / result.baseline.p95).toFixed(2)} of the baseline; worst work p95 ${f(worstUpdate)}`,
      );
    }
    for (const line of traceLines) console.log(line);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (failed && process.argv.includes('--strict')) process.exit(1);
