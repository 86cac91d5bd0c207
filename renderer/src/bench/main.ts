// A page for bench/renderer (not part of the app build: vite's entry is index.html only).
// It mounts the real ExecutionsTable over N generated executions and exposes
// `window.craftBench`, which drives the table through its DOM like a user and times it.
import { mount, tick } from 'svelte';
import ExecutionsBench from './ExecutionsBench.svelte';
import { generateExecutions } from './generate.js';
import '../app.css';

interface Timing {
  p50: number;
  p95: number;
  max: number;
  runs: number;
}

function summary(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]!, runs: sorted.length };
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * Resolves when the next frame is ready to paint: at its animation-frame callbacks, after the style
 * and layout that frame needs (forced here, so they are counted rather than left to after the timer).
 */
const nextPaintedFrame = () =>
  new Promise<number>((resolve) =>
    requestAnimationFrame(() => {
      const start = performance.now();
      void document.body.offsetHeight;
      resolve(performance.now() - start);
    }),
  );

const params = new URLSearchParams(location.search);
const count = Number(params.get('n') ?? 100_000);
const target = document.getElementById('app')!;

const t0 = performance.now();
const rows = generateExecutions(count);
const generatedMs = performance.now() - t0;
const t1 = performance.now();
mount(ExecutionsBench, { target, props: { rows } });
await tick();
// First rows: until the table's rows are in the DOM (the virtualiser learns its count in an effect).
while (!document.querySelector('.executions tbody tr[aria-rowindex]')) await nextFrame();
const firstRowsMs = performance.now() - t1;
await nextFrame();
const firstPaintMs = performance.now() - t1;

function controls() {
  const table = document.querySelector('.executions')!;
  const selects = [...table.querySelectorAll<HTMLSelectElement>('.toolbar select')];
  const search = table.querySelector<HTMLInputElement>('input[type="search"]')!;
  const headers = [...table.querySelectorAll<HTMLButtonElement>('th button.sort')];
  return { selects, search, headers };
}

/**
 * Times one change: `update` until the DOM holds the new rows, `frame` until the next frame is laid
 * out to paint, `layout` the style and layout that frame spent on it.
 */
async function time(name: string, change: () => void): Promise<{ update: number; frame: number; layout: number }> {
  // Start right after a frame, as an input event arrives between frames; let the last change's
  // deferred work (the charts' recount) run first, as it would while the user moves to the next input.
  await nextFrame();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const start = performance.now();
  change();
  await tick();
  const update = performance.now() - start;
  const layout = await nextPaintedFrame();
  const end = performance.now();
  // Named in a performance trace (CRAFT_BENCH_TRACE): each timed input's span.
  performance.measure(name, { start, end });
  return { update, frame: end - start, layout };
}

/** The baseline in the same page and run: an input that changes nothing, to the next frame laid out. */
async function idle(rounds: number): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) samples.push((await time('idle', () => {})).frame);
  return summary(samples);
}

async function run(rounds = 40) {
  // The charts open: the demanding case (they recount over every shown execution after each change).
  const charts = document.querySelector<HTMLDetailsElement>('.executions details.charts');
  if (charts && !charts.open) {
    charts.open = true;
    await tick();
    await nextFrame();
  }
  const baseline = await idle(Math.max(20, rounds));
  const { selects, search, headers } = controls();
  type Samples = { update: number[]; frame: number[]; layout: number[] };
  const filter: Samples = { update: [], frame: [], layout: [] };
  const sort: Samples = { update: [], frame: [], layout: [] };
  const text: Samples = { update: [], frame: [], layout: [] };
  const record = (samples: Samples, t: { update: number; frame: number; layout: number }) => {
    samples.update.push(t.update);
    samples.frame.push(t.frame);
    samples.layout.push(t.layout);
  };
  const needles = ['fail', 'train', 'deploy-3', 'exec-01', ''];
  for (let i = 0; i < rounds; i++) {
    const select = selects[i % selects.length]!;
    const options = [...select.options].map((o) => o.value);
    let t = await time('filter', () => {
      select.value = options[(i % (options.length - 1)) + 1] ?? '';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    record(filter, t);
    t = await time('filter', () => {
      select.value = '';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    record(filter, t);
    t = await time('sort', () => headers[i % headers.length]!.click());
    record(sort, t);
    t = await time('search', () => {
      search.value = needles[i % needles.length]!;
      search.dispatchEvent(new Event('input', { bubbles: true }));
    });
    record(text, t);
  }
  search.value = '';
  search.dispatchEvent(new Event('input', { bubbles: true }));
  await tick();
  return {
    rows: count,
    baseline,
    chartsOpen: Boolean(charts?.open && document.querySelector('.executions .charts svg')),
    generatedMs,
    firstRowsMs,
    firstPaintMs,
    filter: { update: summary(filter.update), frame: summary(filter.frame), layout: summary(filter.layout) },
    sort: { update: summary(sort.update), frame: summary(sort.frame), layout: summary(sort.layout) },
    search: { update: summary(text.update), frame: summary(text.frame), layout: summary(text.layout) },
    renderedRows: document.querySelectorAll('.executions tbody tr[aria-rowindex]').length,
  };
}

declare global {
  interface Window {
    craftBench?: { ready: true; run: typeof run };
  }
}

window.craftBench = { ready: true, run };
