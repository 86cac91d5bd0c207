// A stand-in for the few Electron objects the main process touches, to drive the real
// main-process.ts under Node (no Electron binary can be had here). It satisfies the same
// ShellElectron surface the real module satisfies in index.ts, both typed by Electron's own
// .d.ts. It models only what the shell relies on: the app's lifecycle (ready, will-quit held
// until released, window-all-closed), windows and their WebContents, a main frame whose URL
// follows loads, hash routes and navigations, IPC invoke, the system browser, the session's
// handlers, the menu, dialogs, the clipboard and the displays.
import { EventEmitter } from 'node:events';
import vm from 'node:vm';
import type * as Electron from 'electron';
import type { Permission } from '../../shell/permissions.js';
import type { FrameNavigation, ShellElectron, ShellFrame, ShellInvokeEvent, ShellSession, ShellWebContents, ShellWindow } from '../shell-electron.js';

let frameTreeNodeIds = 0;

export class StandInFrame implements ShellFrame {
  readonly frameTreeNodeId = ++frameTreeNodeIds;
  constructor(
    public url: string,
    readonly parent: StandInFrame | null = null,
  ) {}
}

type WindowOpenHandler = Parameters<ShellWebContents['setWindowOpenHandler']>[0];
type InvokeListener = Parameters<ShellElectron['ipcMain']['handle']>[1];

export class StandInWebContents extends EventEmitter implements ShellWebContents {
  readonly mainFrame = new StandInFrame('about:blank');
  private windowOpenHandler: WindowOpenHandler | null = null;

  constructor(private readonly ipc: StandInIpcMain) {
    super();
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }

  /** Runs the script against the page's `location`, the only thing the shell's scripts touch. */
  async executeJavaScript(code: string): Promise<unknown> {
    const frame = this.mainFrame;
    const location = {
      get href() {
        return frame.url;
      },
      get hash() {
        return new URL(frame.url).hash;
      },
      set hash(value: string) {
        const url = new URL(frame.url);
        url.hash = value;
        frame.url = url.href;
      },
    };
    return vm.runInNewContext(code, { location });
  }

  /** A programmatic load (loadURL): Electron emits no will-frame-navigate for it. */
  load(url: string): void {
    this.mainFrame.url = url;
  }

  /** The renderer changes its hash route (a link, history.back): same document, no will-frame-navigate. */
  routeTo(hash: string): void {
    const url = new URL(this.mainFrame.url);
    url.hash = hash;
    this.mainFrame.url = url.href;
  }

  /** The page starts a navigation (a link, location.href = …): it goes unless will-frame-navigate prevents it. */
  navigate(url: string, frame: StandInFrame = this.mainFrame): { went: boolean } {
    let prevented = false;
    const details: FrameNavigation = { url, preventDefault: () => (prevented = true) };
    this.emit('will-frame-navigate', details);
    if (!prevented) frame.url = url;
    return { went: !prevented };
  }

  /** window.open or a target=_blank link. */
  openWindow(url: string): Electron.WindowOpenHandlerResponse {
    return this.windowOpenHandler ? this.windowOpenHandler({ url }) : { action: 'allow' };
  }

  /** An <webview> the page tries to attach. */
  attachWebview(): { attached: boolean } {
    let prevented = false;
    this.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    return { attached: !prevented };
  }

  addSubframe(url: string): StandInFrame {
    return new StandInFrame(url, this.mainFrame);
  }

  /** The preload's craftHost.call(method, input), sent from one of this page's frames (null: a frame that has gone). */
  call(method: unknown, input: unknown, frame: StandInFrame | null = this.mainFrame): Promise<unknown> {
    return this.ipc.invoke('craft:call', { sender: this, senderFrame: frame }, method, input);
  }
}

export class StandInIpcMain {
  private readonly handlers = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  async invoke(channel: string, event: ShellInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

export class StandInApp extends EventEmitter {
  readonly name = 'Craft MLOps Desktop';
  readonly version = '0.1.0';
  /** Set once will-quit went through: the process would exit here. */
  exited = false;
  private readonly exitedListeners: (() => void)[] = [];
  private quitting = false;

  constructor(
    private readonly gotLock: boolean,
    private readonly windows: () => StandInWindow[],
  ) {
    super();
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }

  getName(): string {
    return this.name;
  }

  getVersion(): string {
    return this.version;
  }

  /** As Electron: close every window (without window-all-closed), then will-quit; the app exits unless it is prevented. */
  quit(): void {
    this.quitting = true;
    for (const window of this.windows()) window.close();
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.exited = true;
    for (const listener of this.exitedListeners.splice(0)) listener();
  }

  /** Resolves when the app has exited (will-quit let through). */
  whenExited(): Promise<void> {
    return this.exited ? Promise.resolve() : new Promise((resolve) => this.exitedListeners.push(resolve));
  }

  lastWindowClosed(): void {
    if (!this.quitting) this.emit('window-all-closed');
  }
}

export class StandInWindow extends EventEmitter implements ShellWindow {
  readonly webContents: StandInWebContents;
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  bounds: Electron.Rectangle;

  constructor(
    readonly options: Electron.BrowserWindowConstructorOptions,
    private readonly electron: StandInWorld,
  ) {
    super();
    this.webContents = new StandInWebContents(electron.ipcMain);
    const area = electron.displays[0]!.workArea;
    const width = options.width ?? 800;
    const height = options.height ?? 600;
    this.bounds = { x: options.x ?? area.x + Math.round((area.width - width) / 2), y: options.y ?? area.y + Math.round((area.height - height) / 2), width, height };
    electron.windows.push(this);
    electron.app.emit('web-contents-created', { preventDefault() {} }, this.webContents);
  }

  async loadURL(url: string): Promise<void> {
    this.webContents.load(url);
    setImmediate(() => this.emit('ready-to-show'));
  }

  show(): void {
    this.visible = true;
    this.minimized = false;
  }

  focus(): void {
    this.focused = true;
  }

  restore(): void {
    this.minimized = false;
  }

  minimize(): void {
    this.minimized = true;
    this.focused = false;
  }

  maximize(): void {
    this.maximized = true;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  getNormalBounds(): Electron.Rectangle {
    return { ...this.bounds };
  }

  /** The user moves or resizes the window. */
  setBounds(bounds: Electron.Rectangle): void {
    this.bounds = { ...bounds };
  }

  close(): void {
    if (this.destroyed) return;
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.destroyed = true;
    const windows = this.electron.windows;
    windows.splice(windows.indexOf(this), 1);
    this.emit('closed');
    if (windows.length === 0) this.electron.app.lastWindowClosed();
  }
}

type RequestHandler = Parameters<ShellSession['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<ShellSession['setPermissionCheckHandler']>[0];
type HeadersListener = Parameters<ShellSession['webRequest']['onHeadersReceived']>[0];

export class StandInSession implements ShellSession {
  private headersListener: HeadersListener | null = null;
  private requestHandler: RequestHandler | null = null;
  private checkHandler: CheckHandler | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener) => {
      this.headersListener = listener;
    },
  };

  setPermissionRequestHandler(handler: RequestHandler): void {
    this.requestHandler = handler;
  }

  setPermissionCheckHandler(handler: CheckHandler): void {
    this.checkHandler = handler;
  }

  /** A response over http(s): the headers it arrives with, once the listener has had its say. */
  receiveHeaders(responseHeaders: Record<string, string[]>): Promise<Record<string, string | string[]>> {
    const listener = this.headersListener;
    if (!listener) return Promise.resolve(responseHeaders);
    return new Promise((resolve) => listener({ responseHeaders }, (response) => resolve(response.responseHeaders ?? responseHeaders)));
  }

  /** With no handler set, Electron grants every permission. */
  requestPermission(contents: StandInWebContents, permission: Permission, requestingUrl: string): Promise<boolean> {
    const handler = this.requestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => handler(contents, permission, resolve, { requestingUrl }));
  }

  checkPermission(contents: StandInWebContents, permission: Permission, requestingUrl: string): boolean {
    return this.checkHandler ? this.checkHandler(contents, permission, new URL(requestingUrl).origin, { requestingUrl }) : true;
  }
}

export class StandInMenu {
  constructor(readonly template: Electron.MenuItemConstructorOptions[]) {}

  /** The item at a path of labels, e.g. ['Help', 'About Craft MLOps Desktop']. */
  item(...labels: string[]): Electron.MenuItemConstructorOptions {
    let items = this.template;
    let found: Electron.MenuItemConstructorOptions | undefined;
    for (const label of labels) {
      found = items.find((item) => item.label === label || item.role?.toLowerCase() === label.toLowerCase());
      if (!found) throw new Error(`No menu item "${label}" in ${labels.join(' → ')}`);
      items = Array.isArray(found.submenu) ? (found.submenu as Electron.MenuItemConstructorOptions[]) : [];
    }
    return found!;
  }

  /** Clicks it as Electron would; the shell's items read none of the click's arguments. */
  click(...labels: string[]): void {
    const click = this.item(...labels).click as (() => void) | undefined;
    if (!click) throw new Error(`Menu item ${labels.join(' → ')} does nothing when clicked`);
    click();
  }
}

export interface StandInOptions {
  /** false: another instance already runs (requestSingleInstanceLock). */
  gotLock?: boolean;
  displays?: Pick<Electron.Display, 'workArea'>[];
  /** Which button each message box answers with. */
  messageBoxResponse?: number;
}

export type StandInElectron = ReturnType<typeof electronStandIn>;

/** What a window needs to know of the rest. */
interface StandInWorld {
  app: StandInApp;
  ipcMain: StandInIpcMain;
  windows: StandInWindow[];
  displays: Pick<Electron.Display, 'workArea'>[];
}

export function electronStandIn(options: StandInOptions = {}) {
  const windows: StandInWindow[] = [];
  const ipcMain = new StandInIpcMain();
  const app = new StandInApp(options.gotLock ?? true, () => [...windows]);
  const defaultSession = new StandInSession();
  const opened: string[] = [];
  const messageBoxes: Electron.MessageBoxOptions[] = [];
  const errorBoxes: { title: string; content: string }[] = [];
  const menus = { application: null as StandInMenu | null };
  let clipboardText = '';
  const world: StandInWorld = { app, ipcMain, windows, displays: options.displays ?? [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] };

  const electron = {
    ...world,
    /** URLs handed to the system browser. */
    opened,
    messageBoxes,
    errorBoxes,
    menus,
    BrowserWindow: class extends StandInWindow {
      constructor(windowOptions: Electron.BrowserWindowConstructorOptions) {
        super(windowOptions, world);
      }
      static getAllWindows(): StandInWindow[] {
        return [...windows];
      }
    },
    session: { defaultSession },
    shell: {
      async openExternal(url: string): Promise<void> {
        opened.push(url);
      },
    },
    Menu: {
      buildFromTemplate: (template: Electron.MenuItemConstructorOptions[]) => new StandInMenu(template),
      setApplicationMenu: (menu: object | null) => {
        menus.application = menu instanceof StandInMenu ? menu : null;
      },
    },
    dialog: {
      async showMessageBox(messageOptions: Electron.MessageBoxOptions): Promise<Pick<Electron.MessageBoxReturnValue, 'response'>> {
        messageBoxes.push(messageOptions);
        return { response: options.messageBoxResponse ?? 0 };
      },
      showErrorBox(title: string, content: string): void {
        errorBoxes.push({ title, content });
      },
    },
    clipboard: {
      readText: async () => clipboardText,
      writeText: async (text: string) => {
        clipboardText = text;
      },
    },
    /** The first display is the primary one. */
    screen: { getAllDisplays: () => world.displays, getPrimaryDisplay: () => world.displays[0]! },
  } satisfies ShellElectron & Record<string, unknown>;
  return electron;
}
