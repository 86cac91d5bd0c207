// The one test that drives the real Electron shell. These machines install with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1, so it reports itself skipped here and runs where a binary
// exists. Under Node, electron/main/main-process.test.ts drives the same main process
// through a stand-in; this checks that Electron itself behaves as the stand-in says.
import { test, expect, _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronBinary } from '../../scripts/electron-binary.js';

const binary = electronBinary();
const NO_BINARY = 'No Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1): the Electron smoke test runs where one exists';

type Bridged = typeof globalThis & { craftHost?: { call(method: string, input: unknown): Promise<unknown> } };

/** A call through the preload's bridge from the page as it is now (its URL carries the hash route). */
async function expectAnswered(page: Page, method: string): Promise<void> {
  const envelope = await page.evaluate((m) => (globalThis as Bridged).craftHost!.call(m, {}), method);
  expect(envelope, `${method} from ${page.url()}`).toMatchObject({ ok: true });
}

test.describe('the desktop app', () => {
  test.skip(!binary, NO_BINARY);
  let app: ElectronApplication;

  test.beforeAll(async () => {
    const build = spawnSync('npm', ['run', '--silent', 'build:electron'], { stdio: 'inherit' });
    expect(build.status).toBe(0);
    app = await electron.launch({ executablePath: binary!, args: ['.'], env: { ...process.env, CRAFT_DATA_DIR: mkdtempSync(join(tmpdir(), 'craft-electron-')) } });
  });
  test.afterAll(async () => app?.close());

  test('opens sandboxed and context-isolated, without Node in the page', async () => {
    const window = await app.firstWindow();
    const facts = await app.evaluate(({ app: electronApp, BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]!.webContents;
      const pid = contents.getOSProcessId();
      // Undocumented but long kept (Electron's own tests read it): the preferences the renderer was given.
      const preferences = (contents as unknown as { getLastWebPreferences?(): unknown }).getLastWebPreferences?.() ?? 'getLastWebPreferences is gone';
      // Documented, on macOS and Windows only: whether the renderer's process is sandboxed.
      const sandboxed = electronApp.getAppMetrics().find((metric) => metric.pid === pid)?.sandboxed ?? null;
      return { preferences, sandboxed };
    });
    expect(facts.preferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false });
    if (facts.sandboxed !== null) expect(facts.sandboxed).toBe(true);
    expect(await window.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    expect(await window.evaluate(() => Object.keys((globalThis as Bridged).craftHost ?? {}))).toEqual(['call']);
  });

  test('walks Homepage → New project → Parameters and back, the desktop API answering on every page', async () => {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
    await expect(window.getByText('No projects yet')).toBeVisible();
    await expectAnswered(window, 'listProjects');

    await window.getByRole('button', { name: 'New project' }).first().click();
    await expect(window.getByRole('heading', { name: 'New project' })).toBeVisible();
    expect(window.url()).toMatch(/index\.html#\/projects\/new$/);
    await expectAnswered(window, 'getSession');

    await window.getByRole('link', { name: 'Parameters' }).click();
    await expect(window.getByRole('heading', { name: 'Parameters' })).toBeVisible();
    expect(window.url()).toMatch(/#\/parameters$/);
    await expectAnswered(window, 'listConnections');

    await window.goBack();
    await expect(window.getByRole('heading', { name: 'New project' })).toBeVisible();
    await expectAnswered(window, 'getSession');
    await window.goBack();
    await expect(window.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
    await expectAnswered(window, 'listProjects');
  });
});
