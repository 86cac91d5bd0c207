// The real main process, driven under Node through the Electron stand-in (no Electron binary
// can be had here): the real desktop services, embedded platform, cache and deploy keys behind
// it; only the keychain is the in-memory store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RENDERER_CSP } from '../content-security-policy.js';
import { Cache } from '../services/cache.js';
import { Connections } from '../services/connections.js';
import { startTestPlatform } from '../services/testing/test-platform.js';
import { memoryStore, openVault, type SecretStore } from '../services/vault.js';
import { WINDOW_STATE_FILE } from '../shell/window-state.js';
import { startMainProcess } from './main-process.js';
import { electronStandIn, type StandInElectron, type StandInOptions, type StandInWindow } from './testing/electron-stand-in.js';

// Where an installed app keeps its renderer (the file itself is never read by the stand-in).
const rendererIndex = '/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/index.html';
const rendererUrl = pathToFileURL(rendererIndex).href;

const root = mkdtempSync(join(tmpdir(), 'craft-main-process-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Launch {
  electron: StandInElectron;
  window: StandInWindow;
  dataDir: string;
  logged: string[];
}

const running: Launch[] = [];
afterEach(async () => {
  for (const launch of running.splice(0)) {
    if (!launch.electron.app.exited) {
      launch.electron.app.quit();
      await launch.electron.app.whenExited();
    }
  }
});

async function launch(options: { dataDir?: string; secretStore?: SecretStore; keyBits?: number; standIn?: StandInOptions } = {}): Promise<Launch> {
  const dataDir = options.dataDir ?? mkdtempSync(join(root, 'data-'));
  const electron = electronStandIn(options.standIn);
  const logged: string[] = [];
  const main = startMainProcess(electron, {
    rendererIndex,
    preload: '/opt/Craft MLOps Desktop/resources/app.asar/dist-electron/preload.cjs',
    craftScript: '/opt/Craft MLOps Desktop/resources/app.asar/dist-electron/craft.cjs',
    dataDir,
    desktop: { secretStore: options.secretStore ?? memoryStore(), keyBits: options.keyBits ?? 2048 },
    log: (message) => logged.push(message),
  });
  await main.ready;
  const window = electron.windows[0];
  if (!window) throw new Error(`No window opened: ${JSON.stringify(electron.errorBoxes)} ${logged.join('\n')}`);
  const result = { electron, window, dataDir, logged };
  running.push(result);
  return result;
}

async function answered(window: StandInWindow, method: string, input: unknown = {}) {
  const envelope = (await window.webContents.call(method, input)) as { ok: boolean; result?: any; error?: any };
  expect(envelope, `${method} from ${window.webContents.mainFrame.url}`).toMatchObject({ ok: true });
  return envelope.result;
}

async function refused(call: Promise<unknown>) {
  expect(await call).toEqual({ ok: false, error: { error: 'forbidden', message: 'This window may not call the desktop app' } });
}

describe('the main process of the installed app', () => {
  let app: Launch;
  beforeAll(async () => {
    app = await launch();
    running.splice(running.indexOf(app), 1); // shared by this block: quit in afterAll
  });
  afterAll(async () => {
    app.electron.app.quit();
    await app.electron.app.whenExited();
  });

  it('loads the renderer in a window shown once ready', async () => {
    expect(app.window.webContents.mainFrame.url).toBe(rendererUrl);
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.window.visible).toBe(true);
  });

  it('answers the renderer on the Homepage, New project and Parameters and back, though the frame URL carries each route', async () => {
    const contents = app.window.webContents;
    expect((await answered(app.window, 'getSession')).user).toMatchObject({ email: 'admin@localhost' });

    contents.routeTo('#/projects/new');
    expect(contents.mainFrame.url).toBe(`${rendererUrl}#/projects/new`);
    expect((await answered(app.window, 'listProjects')).items).toEqual([]);

    contents.routeTo('#/parameters');
    expect(contents.mainFrame.url).toBe(`${rendererUrl}#/parameters`);
    expect((await answered(app.window, 'listConnections')).items[0]).toMatchObject({ kind: 'embedded', active: true });

    contents.routeTo('#/');
    expect((await answered(app.window, 'getSession')).online).toBe(true);
  });

  it('refuses a call from a subframe, from another window, from a frame that has gone, and from a page that is not ours', async () => {
    const contents = app.window.webContents;
    await refused(contents.call('getSession', {}, contents.addSubframe(`${rendererUrl}#/`)));
    await refused(contents.call('getSession', {}, null));

    const other = new app.electron.BrowserWindow({});
    other.webContents.load(`${rendererUrl}#/parameters`);
    await refused(other.webContents.call('listConnections', {}));
    other.close();

    contents.load('https://github.com/acme/churn-model/settings/keys');
    await refused(contents.call('getSession', {}));
    contents.load(`${rendererUrl}#/`);
    await answered(app.window, 'getSession');
  });

  it('still validates what an allowed frame sends: an unknown method or a bad input is an error, not a call', async () => {
    expect(await app.window.webContents.call('dropDatabase', {})).toMatchObject({ ok: false, error: { error: 'not_found' } });
    expect(await app.window.webContents.call(42, {})).toMatchObject({ ok: false, error: { error: 'not_found' } });
    expect(await app.window.webContents.call('getKeyGeneration', { job_id: 7 })).toMatchObject({ ok: false, error: { error: 'validation' } });
  });

  it('keeps the window on the renderer: links elsewhere are stopped, and open in the system browser only when allowed', () => {
    const contents = app.window.webContents;
    const opened = app.electron.opened;
    expect(contents.navigate('https://github.com/acme/churn-model/settings/keys')).toEqual({ went: false });
    expect(opened).toEqual(['https://github.com/acme/churn-model/settings/keys']);
    expect(contents.navigate('https://evil.example/phish')).toEqual({ went: false });
    expect(contents.navigate('file:///etc/passwd')).toEqual({ went: false });
    expect(contents.navigate('https://evil.example/', contents.addSubframe(`${rendererUrl}#/`))).toEqual({ went: false });
    expect(opened).toHaveLength(1);
    expect(contents.mainFrame.url).toBe(`${rendererUrl}#/`);

    expect(contents.navigate(`${rendererUrl}?reload=1#/parameters`)).toEqual({ went: true });
    contents.load(`${rendererUrl}#/`);
  });

  it('opens no second window and attaches no webview; an allowed target=_blank link goes to the system browser', () => {
    const contents = app.window.webContents;
    const before = app.electron.opened.length;
    expect(contents.openWindow('https://gitlab.com/acme/ml/-/settings/repository#js-deploy-keys-settings')).toEqual({ action: 'deny' });
    expect(contents.openWindow(`${rendererUrl}#/parameters`)).toEqual({ action: 'deny' });
    expect(contents.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
    expect(app.electron.opened.slice(before)).toEqual(['https://gitlab.com/acme/ml/-/settings/repository#js-deploy-keys-settings']);
    expect(app.electron.windows).toHaveLength(1);
    expect(contents.attachWebview()).toEqual({ attached: false });
  });

  it('opens its window sandboxed and context-isolated, without Node, with the one preload', () => {
    expect(app.window.options.webPreferences).toMatchObject({
      preload: '/opt/Craft MLOps Desktop/resources/app.asar/dist-electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('puts the CSP on every http response and grants the renderer only notifications and clipboard writes', async () => {
    const session = app.electron.session.defaultSession;
    expect(await session.receiveHeaders({ 'content-type': ['text/html'] })).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [RENDERER_CSP] });
    const contents = app.window.webContents;
    expect(await session.requestPermission(contents, 'notifications', `${rendererUrl}#/projects/p/environments/e/executions/x`)).toBe(true);
    expect(await session.requestPermission(contents, 'media', `${rendererUrl}#/`)).toBe(false);
    expect(await session.requestPermission(contents, 'notifications', 'https://github.com/')).toBe(false);
    expect(session.checkPermission(contents, 'clipboard-sanitized-write', `${rendererUrl}#/parameters`)).toBe(true);
    expect(session.checkPermission(contents, 'geolocation', `${rendererUrl}#/`)).toBe(false);
  });

  it('takes the window to New project and Parameters from the File menu, and the API answers there', async () => {
    const menu = app.electron.menus.application!;
    menu.click('File', 'New Project');
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.window.webContents.mainFrame.url).toBe(`${rendererUrl}#/projects/new`);
    await answered(app.window, 'listProjects');
    menu.click('File', 'Parameters');
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.window.webContents.mainFrame.url).toBe(`${rendererUrl}#/parameters`);
    await answered(app.window, 'getEmbeddedPlatform');
    menu.click('View', 'Projects');
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.window.webContents.mainFrame.url).toBe(`${rendererUrl}#/`);
  });

  it('shows the app, Electron, Chromium and Node versions and the data folder in Help → About', async () => {
    app.electron.menus.application!.click('Help', 'About Craft MLOps Desktop');
    await new Promise((resolve) => setImmediate(resolve));
    const about = app.electron.messageBoxes.at(-1)!;
    expect(about.title).toBe('About Craft MLOps Desktop');
    expect(about.detail).toContain('Version: 0.1.0');
    expect(about.detail).toMatch(/^Electron: /m);
    expect(about.detail).toMatch(/^Chromium: /m);
    expect(about.detail).toContain(`Node.js: ${process.versions.node}`);
    expect(about.detail).toContain(`Data folder: ${app.dataDir}`);
  });
});

describe('a second launch', () => {
  it('brings the running window forward instead of starting again', async () => {
    const first = await launch();
    first.window.minimize();
    const second = electronStandIn({ gotLock: false });
    let quitCalled = false;
    second.app.on('will-quit', () => (quitCalled = true));
    await startMainProcess(second, { rendererIndex, preload: 'preload.cjs', craftScript: 'craft.cjs', dataDir: first.dataDir }).ready;
    expect(quitCalled).toBe(true);
    expect(second.windows).toHaveLength(0);
    // Electron tells the first instance.
    first.electron.app.emit('second-instance');
    expect(first.window).toMatchObject({ minimized: false, visible: true, focused: true });
  });
});

describe("the window's size and position", () => {
  it('are remembered from one launch to the next, maximised included', async () => {
    const first = await launch();
    first.window.setBounds({ x: 140, y: 90, width: 1100, height: 700 });
    first.window.close(); // the last window: the app quits
    await first.electron.app.whenExited();
    expect(existsSync(join(first.dataDir, WINDOW_STATE_FILE))).toBe(true);

    const second = await launch({ dataDir: first.dataDir });
    expect(second.window.options).toMatchObject({ x: 140, y: 90, width: 1100, height: 700 });
    second.window.maximize();
    second.window.close();
    await second.electron.app.whenExited();

    const third = await launch({ dataDir: first.dataDir });
    await new Promise((resolve) => setImmediate(resolve));
    expect(third.window.maximized).toBe(true);
    expect(third.window.options).toMatchObject({ x: 140, y: 90, width: 1100, height: 700 });
  });

  it('are brought back onto the screen when the display they were on is gone', async () => {
    const first = await launch({ standIn: { displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }, { workArea: { x: 1920, y: 0, width: 2560, height: 1400 } }] } });
    first.window.setBounds({ x: 2400, y: 200, width: 1600, height: 1000 });
    first.window.close();
    await first.electron.app.whenExited();

    const laptop = { workArea: { x: 0, y: 0, width: 1366, height: 740 } };
    const second = await launch({ dataDir: first.dataDir, standIn: { displays: [laptop] } });
    const { x, y, width, height } = second.window.options;
    expect(x).toBeUndefined(); // centred by Electron
    expect(y).toBeUndefined();
    expect(width).toBeLessThanOrEqual(1366);
    expect(height).toBeLessThanOrEqual(740);
  });
});

describe('closing the window', () => {
  it('while a key is generated and a sync runs: the app waits for the sync to stop between pages, the cache stays whole and the next launch resumes', async () => {
    const feed = await startTestPlatform();
    await feed.addProject('alpha', [{ name: 'prod', executions: 30_000 }]);
    try {
      const dataDir = mkdtempSync(join(root, 'data-'));
      const connections = Connections.load(dataDir);
      const team = connections.add({ name: 'Team', url: feed.url, kind: 'team' });
      connections.setActive(team.id);
      const keychain = memoryStore(); // stays across launches, as the OS keychain does
      await (await openVault({ store: keychain })).setToken(team.id, feed.token);

      const first = await launch({ dataDir, secretStore: keychain, keyBits: 4096 });
      const job = (await answered(first.window, 'startKeyGeneration')) as { job_id: string };
      expect((await answered(first.window, 'getKeyGeneration', job)).status).toBe('running');
      const sync = first.window.webContents.call('syncNow', {}) as Promise<{ ok: boolean; result: { ok: boolean; error?: { error: string } } }>;
      while (feed.requests < 4) await new Promise((resolve) => setTimeout(resolve, 5));

      first.window.close(); // the last window: the app quits, after closing its services
      await first.electron.app.whenExited();
      const stopped = await sync;
      expect(stopped.result).toMatchObject({ ok: false, error: { error: 'cancelled' } });
      expect(first.logged).toEqual([]);

      const cache = Cache.open(join(dataDir, 'cache.sqlite'));
      expect(cache.report.rebuilt_from).toBeNull();
      expect(cache.integrityCheck()).toBe('ok');
      const kept = cache.listExecutions(team.id).total;
      expect(kept).toBeLessThan(30_000);
      expect(kept % 1000).toBe(0); // whole pages only
      cache.close();

      const next = await launch({ dataDir, secretStore: keychain });
      const resumed = (await answered(next.window, 'syncNow')) as { ok: boolean; received: { executions: number } };
      expect(resumed).toMatchObject({ ok: true, received: { executions: 30_000 - kept } });
    } finally {
      await feed.close();
    }
  });
});
