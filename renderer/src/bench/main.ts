// A page for bench/renderer (not part of the app build: vite's entry is index.html only).
// It mounts the real ExecutionsTable over N generated executions and exposes
// `window.craftBench`, which drives the table through its DOM like a user and times it.
import { mount, tick } from 'svelte';
import ExecutionsBench from './ExecutionsBench.svelte';
import { generateExecutions, random } from './generate.js';
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
mount(ExecutionsBench, { target, props: { rows, opens: params.get('opens') === '1' } });
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

/** One input as a user meets it (see `atPhase`). */
interface UserSample {
  /** Frames between the first frame that began after the input and the frame that showed its change (0: it made the next frame). */
  late: number;
  /** Main-thread time the input costs before its frame can be shown: `work` + `queued` + `render`. */
  cost: number;
  /** The input's task: the change and the update of the DOM. */
  work: number;
  /** Tasks the input's task queued that ran before its frame (Chromium's autofill forces a style and layout after a form control's change). */
  queued: number;
  /** Its frame's main-thread rendering: animation-frame callbacks, style, layout, paint, up to the first task after it. */
  render: number;
}

const frameTime = () => new Promise<number>((resolve) => requestAnimationFrame((ts) => resolve(ts)));

/** A message's round trip: resolves at the first task that runs after those already queued. */
const afterQueued = () =>
  new Promise<number>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(performance.now());
    channel.port2.postMessage(0);
  });

/** The display's frame interval, from consecutive animation-frame timestamps (their median). */
async function frameInterval(): Promise<number> {
  const stamps: number[] = [await frameTime()];
  for (let i = 0; i < 30; i++) stamps.push(await frameTime());
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!).sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}

/**
 * Times one change as a user meets it: the input arrives at `phase` (0–1) of a frame, not just after
 * one; nothing is forced. Whether its change made the first frame that began after it is read from
 * the frames' timestamps (one vsync grid from the frame before the input) and from when that frame's
 * main-thread part ended (before the next vsync, or the frame is shown late); its cost is the main
 * thread's time before that frame can be shown, without the idle wait for the vsync.
 */
async function atPhase(name: string, change: () => void, phase: number, interval: number): Promise<UserSample> {
  await nextFrame();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const origin = await frameTime();
  // Timers have a millisecond's grain: the phase used is the one measured at the input.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, origin + phase * interval - performance.now())));
  const start = performance.now();
  // Registered before the change only so that its message after the frame is queued before the
  // app's own after-frame work (the charts' recount): its frame is the one the change is shown in.
  const shown = new Promise<{ ts: number; at: number; after: number }>((resolve) =>
    requestAnimationFrame((ts) => {
      const at = performance.now();
      void afterQueued().then((after) => resolve({ ts, at, after }));
    }),
  );
  change();
  await tick();
  const workEnd = performance.now();
  const [queuedEnd, frame] = await Promise.all([afterQueued(), shown]);
  // If the frame came first, what the input queued ran after it and costs this frame nothing.
  const queued = queuedEnd <= frame.at ? queuedEnd - workEnd : 0;
  const render = frame.after - frame.at;
  performance.measure(`user ${name}`, { start, end: frame.after });
  // Late if its frame is not the first to begin after the input, or if that frame's main-thread part
  // ends past the next vsync (a long task delays a frame without changing its timestamp).
  const skipped = Math.max(0, Math.round((frame.ts - origin) / interval) - Math.ceil((start - origin) / interval));
  const overran = Math.max(0, Math.ceil((frame.after - frame.ts) / interval) - 1);
  return { late: skipped + overran, cost: workEnd - start + queued + render, work: workEnd - start, queued, render };
}

interface UserTiming {
  cost: Timing;
  work: Timing;
  queued: Timing;
  render: Timing;
  /** Inputs whose change made the first frame that began after them. */
  madeNext: number;
  runs: number;
  /** The most frames an input's change was late by. */
  worstLate: number;
}

function userSummary(samples: UserSample[]): UserTiming {
  return {
    cost: summary(samples.map((s) => s.cost)),
    work: summary(samples.map((s) => s.work)),
    queued: summary(samples.map((s) => s.queued)),
    render: summary(samples.map((s) => s.render)),
    madeNext: samples.filter((s) => s.late === 0).length,
    runs: samples.length,
    worstLate: Math.max(...samples.map((s) => s.late)),
  };
}

/** The inputs a bench pass makes, in the same order each pass: filters set and cleared, a sort, a search. */
function inputs(rounds: number): { name: 'filter' | 'sort' | 'search'; change: () => void }[] {
  const { selects, search, headers } = controls();
  const needles = ['fail', 'train', 'deploy-3', 'exec-01', ''];
  const list: { name: 'filter' | 'sort' | 'search'; change: () => void }[] = [];
  for (let i = 0; i < rounds; i++) {
    const select = selects[i % selects.length]!;
    const options = [...select.options].map((o) => o.value);
    list.push({
      name: 'filter',
      change: () => {
        select.value = options[(i % (options.length - 1)) + 1] ?? '';
        select.dispatchEvent(new Event('change', { bubbles: true }));
      },
    });
    list.push({
      name: 'filter',
      change: () => {
        select.value = '';
        select.dispatchEvent(new Event('change', { bubbles: true }));
      },
    });
    list.push({ name: 'sort', change: () => headers[i % headers.length]!.click() });
    list.push({
      name: 'search',
      change: () => {
        search.value = needles[i % needles.length]!;
        search.dispatchEvent(new Event('input', { bubbles: true }));
      },
    });
  }
  return list;
}

/** The same inputs as the first pass, each at a seeded random phase of its frame; and the no-op baseline so. */
async function userPass(rounds: number) {
  const interval = await frameInterval();
  const phase = random(13);
  const idleSamples: UserSample[] = [];
  for (let i = 0; i < Math.max(20, rounds); i++) idleSamples.push(await atPhase('idle', () => {}, phase(), interval));
  const by: Record<'filter' | 'sort' | 'search', UserSample[]> = { filter: [], sort: [], search: [] };
  for (const input of inputs(rounds)) by[input.name].push(await atPhase(input.name, input.change, phase(), interval));
  const { search } = controls();
  search.value = '';
  search.dispatchEvent(new Event('input', { bubbles: true }));
  await tick();
  return { interval, baseline: userSummary(idleSamples), filter: userSummary(by.filter), sort: userSummary(by.sort), search: userSummary(by.search) };
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
  type Samples = { update: number[]; frame: number[]; layout: number[] };
  const filter: Samples = { update: [], frame: [], layout: [] };
  const sort: Samples = { update: [], frame: [], layout: [] };
  const text: Samples = { update: [], frame: [], layout: [] };
  const samples = { filter, sort, search: text };
  for (const input of inputs(rounds)) {
    const t = await time(input.name, input.change);
    samples[input.name].update.push(t.update);
    samples[input.name].frame.push(t.frame);
    samples[input.name].layout.push(t.layout);
  }
  const { search } = controls();
  search.value = '';
  search.dispatchEvent(new Event('input', { bubbles: true }));
  await tick();
  // Then the same inputs as a user meets them (after the first pass, which the lines printed before it are).
  const user = await userPass(rounds);
  return {
    user,
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

/**
 * While the table warms up after its first rows (its index, each column's orders and the search text, built in
 * background tasks): how long an input would have waited. A timer probe every 5 ms queues behind the
 * task running (a warm step) and measures its wait, until 1.5 s pass without a wait over 20 ms (at
 * most 20 s). The longest wait is about the longest step: what a key press or a click met at worst.
 */
async function warmUpWaits(): Promise<{ longestMs: number; over50: number; probedMs: number }> {
  const started = performance.now();
  let longest = 0;
  let over50 = 0;
  let quietSince = started;
  while (performance.now() - quietSince < 1500 && performance.now() - started < 20_000) {
    const asked = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const wait = performance.now() - asked - 5;
    if (wait > longest) longest = wait;
    if (wait > 50) over50++;
    if (wait > 20) quietSince = performance.now();
  }
  return { longestMs: longest, over50, probedMs: quietSince - started };
}

declare global {
  interface Window {
    craftBench?: { ready: true; run: typeof run; warmUp?: Awaited<ReturnType<typeof warmUpWaits>> };
  }
}

// ?warm=1: only the warm-up's waits are measured (bench/renderer.ts loads the page twice), so that the
// timed inputs of the other load still begin as soon as the first rows are shown.
window.craftBench = params.get('warm') === '1' ? { ready: true, run, warmUp: await warmUpWaits() } : { ready: true, run };
