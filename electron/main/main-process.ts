// Electron wiring only: binds the shell's decisions (electron/shell) and the desktop API
// (electron/app-api.ts) to the Electron objects it is given. index.ts passes the real ones;
// the tests pass a stand-in, so this file runs under Node too.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAppApi, createHandlers } from '../app-api.js';
import { RENDERER_CSP } from '../content-security-policy.js';
import { startDesktop, type DesktopOptions, type DesktopServices } from '../desktop.js';
import { installCliShim } from '../services/cli-shim.js';
import { aboutDialog, ABOUT_COPY_BUTTON } from '../shell/about.js';
import { CRAFT_CHANNEL, mayCallDesktop, REFUSED_SENDER, type IpcSender } from '../shell/ipc-sender.js';
import { menuTemplate } from '../shell/menu.js';
import { decideNavigation, decideWindowOpen, opensInSystemBrowser } from '../shell/navigation.js';
import { mayGrantPermission } from '../shell/permissions.js';
import { guardQuit } from '../shell/quit.js';
import { openMainWindow, WINDOW_SIZE } from '../shell/window.js';
import { readWindowState, restoreBounds, WINDOW_STATE_FILE, writeWindowState } from '../shell/window-state.js';
import type { ShellElectron, ShellFrame, ShellInvokeEvent, ShellWindow } from './shell-electron.js';

export const APP_TITLE = 'Craft MLOps Desktop';

export interface MainProcessOptions {
  /** The built renderer's index.html. */
  rendererIndex: string;
  preload: string;
  /** The bundled craft command, which the PATH launcher runs with this app's runtime. */
  craftScript: string;
  dataDir: string;
  /** Passed on to the desktop's services (tests: an in-memory secret store, smaller keys). */
  desktop?: Omit<DesktopOptions, 'dataDir' | 'log'>;
  log?: (message: string) => void;
}

export interface MainProcess {
  /** Settles once the window has loaded the renderer (or the app gave up starting, and said why). */
  ready: Promise<void>;
}

export function startMainProcess(electron: ShellElectron, options: MainProcessOptions): MainProcess {
  const { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, screen, session, shell } = electron;
  const rendererUrl = pathToFileURL(options.rendererIndex).href;
  const windowStateFile = join(options.dataDir, WINDOW_STATE_FILE);
  const log = options.log ?? ((message: string) => console.error(message));

  // A second launch only brings the first one's window forward.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { ready: Promise.resolve() };
  }

  let mainWindow: ShellWindow | null = null;
  let desktop: Promise<DesktopServices> | null = null;

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });

  const openInSystemBrowser = (url: string) => {
    if (opensInSystemBrowser(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK: only https URLs on the allowlisted hosts of shell/navigation.ts reach the system browser
  };

  // Every WebContents, whatever created it: no navigation away, no webview, no new window.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-frame-navigate', (details) => {
      const decision = decideNavigation(details.url, rendererUrl);
      if (decision === 'stay') return;
      details.preventDefault();
      if (decision === 'open-in-browser') openInSystemBrowser(details.url);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (decideWindowOpen(url) === 'open-in-browser') openInSystemBrowser(url);
      return { action: 'deny' };
    });
  });

  /** What the sender check needs, read safely: a frame that has gone throws on access. */
  function ipcSender(event: ShellInvokeEvent): IpcSender {
    const fromOurWindow = mainWindow !== null && event.sender === mainWindow.webContents;
    let frame: IpcSender['frame'] = null;
    try {
      const sending: ShellFrame | null = event.senderFrame;
      if (sending) frame = { url: sending.url, isMainFrame: fromOurWindow && sending.frameTreeNodeId === event.sender.mainFrame.frameTreeNodeId };
    } catch {
      frame = null;
    }
    return { fromOurWindow, frame };
  }

  function saveWindowState(window: ShellWindow): void {
    try {
      writeWindowState(windowStateFile, { ...window.getNormalBounds(), maximized: window.isMaximized() });
    } catch (error) {
      log(`The window's size and position could not be saved: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function createWindow(): Promise<void> {
    const saved = readWindowState(windowStateFile);
    const displays = { all: screen.getAllDisplays().map((display) => display.workArea), primary: screen.getPrimaryDisplay().workArea };
    const bounds = restoreBounds(saved, displays, WINDOW_SIZE);
    const window = openMainWindow(BrowserWindow, { preload: options.preload, bounds, title: APP_TITLE });
    mainWindow = window;
    window.once('ready-to-show', () => {
      if (saved?.maximized) window.maximize();
      window.show();
    });
    window.on('close', () => saveWindowState(window));
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    await window.loadURL(rendererUrl);
  }

  function navigate(hash: string): void {
    void mainWindow?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`);
  }

  async function showMessage(messageOptions: Parameters<typeof dialog.showMessageBox>[0]) {
    return dialog.showMessageBox(messageOptions);
  }

  function installCraftCommand(): void {
    let message: string;
    let type: 'info' | 'error' = 'info';
    try {
      message = installCliShim({ executable: process.execPath, script: options.craftScript }).message;
    } catch (error) {
      type = 'error';
      message = `The craft command could not be installed: ${error instanceof Error ? error.message : String(error)}`;
    }
    void showMessage({ type, title: 'craft command', message });
  }

  async function showAbout(): Promise<void> {
    const about = aboutDialog({
      appName: app.getName(),
      appVersion: app.getVersion(),
      versions: process.versions,
      dataDir: options.dataDir,
      platform: process.platform,
      arch: process.arch,
    });
    const { response } = await showMessage(about);
    if (response === ABOUT_COPY_BUTTON) await clipboard.writeText(about.detail);
  }

  async function start(): Promise<void> {
    const { defaultSession } = session;
    // file:// pages get no headers (the CSP also travels in index.html); anything served over http gets it here.
    defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
    });
    defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => callback(mayGrantPermission(permission, details.requestingUrl, rendererUrl)));
    defaultSession.setPermissionCheckHandler((_contents, permission, _origin, details) => mayGrantPermission(permission, details.requestingUrl, rendererUrl));

    desktop = startDesktop({ ...options.desktop, dataDir: options.dataDir, log });
    const api = createAppApi(createHandlers(await desktop, { clipboard }), log);
    ipcMain.handle(CRAFT_CHANNEL, async (event, method, input) => {
      if (!mayCallDesktop(ipcSender(event), rendererUrl)) return REFUSED_SENDER;
      return api.call(typeof method === 'string' ? method : '', input);
    });

    Menu.setApplicationMenu(
      Menu.buildFromTemplate(menuTemplate({ platform: process.platform, appName: app.getName() }, { navigate, installCraftCommand, showAbout: () => void showAbout() })),
    );
    await createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) void createWindow();
    });
  }

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on(
    'will-quit',
    guardQuit({
      close: async () => {
        const starting = desktop;
        desktop = null;
        const services = await starting?.catch(() => null);
        await services?.close();
      },
      quit: () => app.quit(),
      log,
    }),
  );

  const ready = app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      log(`${APP_TITLE} could not start: ${reason}`);
      dialog.showErrorBox(`${APP_TITLE} could not start`, `${reason}\n\nData folder: ${options.dataDir}`);
      app.quit();
    });
  return { ready };
}
