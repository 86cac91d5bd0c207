// The Electron shell only: lifecycle, the window, the menu, and the app API bound to IPC
// with sender checks. Everything else lives in electron/services and electron/app-api.ts.
import { app, BrowserWindow, clipboard, ipcMain, Menu, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAppApi, createHandlers } from '../app-api.js';
import { RENDERER_CSP } from '../content-security-policy.js';
import { startDesktop, type DesktopServices } from '../desktop.js';
import { defaultDataDir } from '../services/connections.js';
import { buildMenu } from './menu.js';

const CRAFT_CHANNEL = 'craft:call';
const rendererIndex = join(__dirname, '../dist/renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
// Links the app may open in the system browser: the repository hosts' deploy-key pages and the docs.
const EXTERNAL_ALLOWLIST = ['https://github.com/', 'https://gitlab.com/', 'https://mlops-platform-documentation.craft.ai/'];

let mainWindow: BrowserWindow | null = null;
let desktop: DesktopServices | null = null;

function isOurRenderer(contents: WebContents, frameUrl: string | undefined): boolean {
  return mainWindow !== null && contents === mainWindow.webContents && frameUrl === rendererUrl;
}

function openExternalIfAllowed(url: string): void {
  if (EXTERNAL_ALLOWLIST.some((prefix) => url.startsWith(prefix))) void shell.openExternal(url);
}

async function createWindow(): Promise<void> {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Craft MLOps Desktop',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  await mainWindow.loadURL(rendererUrl);
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (url !== rendererUrl && !url.startsWith(`${rendererUrl}#`)) {
      event.preventDefault();
      openExternalIfAllowed(url);
    }
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });

  app.whenReady().then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
    });
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'notifications' || permission === 'clipboard-sanitized-write'));

    const dataDir = process.env.CRAFT_DATA_DIR ?? defaultDataDir();
    const log = (message: string) => console.error(message);
    desktop = await startDesktop({ dataDir, log });
    const api = createAppApi(createHandlers(desktop, { clipboard }), log);

    ipcMain.handle(CRAFT_CHANNEL, async (event, method: unknown, input: unknown) => {
      if (!isOurRenderer(event.sender, event.senderFrame?.url)) {
        return { ok: false, error: { error: 'forbidden', message: 'This window may not call the desktop app' } };
      }
      return api.call(typeof method === 'string' ? method : '', input);
    });

    Menu.setApplicationMenu(buildMenu(() => mainWindow));
    await createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) void createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', (event) => {
    if (!desktop) return;
    event.preventDefault();
    const closing = desktop;
    desktop = null;
    void closing.close().finally(() => app.quit());
  });
}
