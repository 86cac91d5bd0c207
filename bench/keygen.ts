// Benchmark: deploy-key generation (RSA 4096) against `ssh-keygen -m PEM -t rsa -b 4096`
// measured in the same run, alternating the two. Prints both medians, the ratio
// (target ≤ 0.3, DESIGN.md's budget) and the longest stall of the main event loop while keys were generated
// (target < 50 ms), next to the same measure while this process only waited for
// ssh-keygen — the machine's own noise, for comparison.
// Then, as a user meets it: click → key shown in the New project page, in Chromium through
// browser mode (the page pre-generates a key when it opens; the click waits a user's
// form-filling time after the page opened). Prints p50/p95 (target p95 ≤ 100 ms) next to the
// same page's click → "Paste an existing private key" shown, a click with no host call at all:
// this machine's click-to-paint floor, measured in the same run.
// Usage: npx tsx bench/keygen.ts [--runs 20] [--workers N] [--clicks 20] [--think-ms 6000] [--no-browser]
// (the click bench serves dist/renderer: `npm run build:renderer` first.)
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { DeployKeys } from '../electron/services/deploy-keys/index.js';
import { startBrowserMode } from '../tests/e2e/browser-mode.js';

const run = promisify(execFile);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface KeygenBenchResult {
  runs: number;
  workers: number;
  ours_median_ms: number;
  ssh_keygen_median_ms: number;
  ratio: number;
  longest_stall_ms: number;
  /** The same measure while ssh-keygen runs and this process only waits: the machine's own noise. */
  idle_stall_ms: number;
}

/** Samples the event loop every 2 ms while `work` runs; returns the longest extra delay. */
async function sampled<T>(work: () => Promise<T>): Promise<{ value: T; stall: number }> {
  let stall = 0;
  let last = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last - 2);
    last = now;
  }, 2);
  try {
    return { value: await work(), stall };
  } finally {
    clearInterval(sampler);
  }
}

export async function benchKeygen(runs = 20, workers?: number): Promise<KeygenBenchResult> {
  const keys = new DeployKeys(workers ? { workers } : {});
  const dir = mkdtempSync(join(tmpdir(), 'craft-bench-keygen-'));
  const ours: number[] = [];
  const baseline: number[] = [];
  let longestStall = 0;
  let idleStall = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const { value: job, stall } = await sampled(() => keys.wait(keys.start().job_id));
      ours.push(performance.now() - t0);
      longestStall = Math.max(longestStall, stall);
      if (job.status !== 'done') throw new Error(`generation ${job.status}: ${job.error?.message ?? ''}`);
      keys.forget(job.key!.key_id);

      const file = join(dir, `k${i}`);
      const t1 = performance.now();
      const idle = await sampled(() => run('ssh-keygen', ['-q', '-m', 'PEM', '-t', 'rsa', '-b', '4096', '-N', '', '-f', file]));
      baseline.push(performance.now() - t1);
      idleStall = Math.max(idleStall, idle.stall);
      process.stderr.write(`run ${i + 1}/${runs}: ours ${ours[i]!.toFixed(0)} ms, ssh-keygen ${baseline[i]!.toFixed(0)} ms\n`);
    }
  } finally {
    await keys.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  const oursMedian = median(ours);
  const baseMedian = median(baseline);
  return {
    runs,
    workers: keys.workerCount,
    ours_median_ms: Math.round(oursMedian),
    ssh_keygen_median_ms: Math.round(baseMedian),
    ratio: Number((oursMedian / baseMedian).toFixed(2)),
    longest_stall_ms: Number(longestStall.toFixed(1)),
    idle_stall_ms: Number(idleStall.toFixed(1)),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface ClickBenchResult {
  clicks: number;
  think_ms: number;
  key_p50_ms: number;
  key_p95_ms: number;
  key_max_ms: number;
  /** Click → the paste form shown: no host call, the machine's click-to-paint floor. */
  floor_p50_ms: number;
  floor_p95_ms: number;
}

/**
 * Clicks `buttonName` in the page and resolves, in the page's clock, when `shown()` is true and
 * the next frame has been painted (two animation frames: the one that renders, the one after).
 */
function clickToPaint(page: Page, buttonName: string, shownScript: string): Promise<number> {
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  return page.evaluate(`new Promise((resolve, reject) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === ${JSON.stringify(buttonName)});
    if (!button) return reject(new Error('no button ' + ${JSON.stringify(buttonName)}));
    const t0 = performance.now();
    const check = () => {
      if (${shownScript}) requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      else if (performance.now() - t0 > 60000) reject(new Error('nothing shown 60 s after the click'));
      else requestAnimationFrame(check);
    };
    button.click();
    check();
  })`) as Promise<number>;
}

/** Click → key shown on the New project page, in Chromium through browser mode. */
export async function benchClickToKey(clicks = 20, thinkMs = 6000): Promise<ClickBenchResult> {
  if (!existsSync('dist/renderer/index.html')) throw new Error('dist/renderer/index.html is missing: run `npm run build:renderer` first (browser mode serves the built renderer)');
  const app = await startBrowserMode();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const key: number[] = [];
  const floor: number[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(app.appUrl);
    const base = app.appUrl.replace(/#.*$/, '');
    await page.locator('a[href="#/projects/new"], button:has-text("New project")').first().waitFor({ timeout: 60_000 });
    const open = async () => {
      await page.goto(`${base}#/`);
      await page.goto(`${base}#/projects/new`);
      await page.getByRole('button', { name: 'Generate deploy key' }).waitFor();
    };
    for (let i = 0; i < clicks; i++) {
      // The floor first (it cancels that page's background key), then a fresh page, a user's pause, the click.
      await open();
      floor.push(await clickToPaint(page, 'Paste an existing private key', `document.getElementById('deploy-private-key') !== null`));
      await open();
      await page.waitForTimeout(thinkMs);
      key.push(await clickToPaint(page, 'Generate deploy key', `(document.getElementById('deploy-public-key')?.value ?? '').startsWith('ssh-rsa ')`));
      process.stderr.write(`click ${i + 1}/${clicks}: key shown ${key[i]!.toFixed(0)} ms, paste form shown ${floor[i]!.toFixed(0)} ms\n`);
    }
  } finally {
    await browser.close();
    await app.stop();
  }
  const r = (ms: number) => Number(ms.toFixed(1));
  return {
    clicks,
    think_ms: thinkMs,
    key_p50_ms: r(percentile(key, 50)),
    key_p95_ms: r(percentile(key, 95)),
    key_max_ms: r(Math.max(...key)),
    floor_p50_ms: r(percentile(floor, 50)),
    floor_p95_ms: r(percentile(floor, 95)),
  };
}

if (process.argv[1]?.endsWith('keygen.ts')) {
  const workersArg = arg('workers', 0);
  const result = await benchKeygen(arg('runs', 20), workersArg || undefined);
  console.log(
    `keygen RSA 4096: ours median ${result.ours_median_ms} ms (${result.workers} workers) vs ssh-keygen median ${result.ssh_keygen_median_ms} ms — ratio ${result.ratio} (target ≤ 0.3); ` +
      `longest event-loop stall ${result.longest_stall_ms} ms (target < 50; ${result.idle_stall_ms} ms while merely waiting for ssh-keygen = this machine's own noise)`,
  );
  console.log(JSON.stringify(result));
  if (!process.argv.includes('--no-browser')) {
    const clicks = await benchClickToKey(arg('clicks', 20), arg('think-ms', 6000));
    console.log(
      `New project page, click → key shown (key pre-generated when the page opened, click ${clicks.think_ms} ms later), Chromium through browser mode: ` +
        `p50 ${clicks.key_p50_ms} ms, p95 ${clicks.key_p95_ms} ms, max ${clicks.key_max_ms} ms (target p95 ≤ 100 ms) — ` +
        `the same page's click → paste form shown (no host call, same run): p50 ${clicks.floor_p50_ms} ms, p95 ${clicks.floor_p95_ms} ms; ratio of p95s ${(clicks.key_p95_ms / clicks.floor_p95_ms).toFixed(2)}`,
    );
    console.log(JSON.stringify(clicks));
  }
}
