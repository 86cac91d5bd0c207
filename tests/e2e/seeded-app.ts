// A browser-mode app over a seeded embedded platform (platform/seed.ts: projects, environments,
// deployments, executions with steps and logs, a small team), plus the checks every view passes:
// screenshots in light and dark, and axe-core with no serious or critical violation.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { startBrowserMode, type BrowserMode } from './browser-mode.js';

export async function startSeededApp(options: { projects?: number; executions?: number; env?: NodeJS.ProcessEnv } = {}): Promise<BrowserMode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'craft-e2e-views-'));
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'platform/seed.ts', '--data-dir', join(dataDir, 'platform'), '--projects', String(options.projects ?? 3), '--executions', String(options.executions ?? 300)],
    { stdio: 'pipe' },
  );
  return startBrowserMode({ dataDir, ...(options.env ? { env: options.env } : {}) });
}

/** Calls the desktop API of browser mode directly, as the page does (the connection token as a bearer). */
export async function callApp<T>(app: BrowserMode, method: string, input: unknown = {}): Promise<T> {
  const url = new URL(app.appUrl);
  const response = await fetch(`${url.origin}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${url.searchParams.get('token')}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; result?: T; error?: unknown };
  if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result as T;
}

/** Serious or critical axe violations, one readable line each. */
async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Screenshots of the view in light and dark, and the accessibility check in both. */
/** `fullPage: false` for a modal dialog: its backdrop covers the viewport only. */
export async function checkView(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`), fullPage: options.fullPage ?? true });
    expect(await axeProblems(page), `axe on ${name} (${scheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
