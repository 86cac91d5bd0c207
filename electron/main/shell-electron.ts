// The part of Electron the main process uses, member by member, typed from Electron's own
// .d.ts. The real module satisfies it (index.ts) and so does the stand-in that drives the
// main process under Node (testing/electron-stand-in.ts): a change in Electron's types breaks
// one or the other at type-check, never silently.
import type * as Electron from 'electron';
import type { Permission } from '../shell/permissions.js';

type PreventableEvent = Pick<Electron.Event, 'preventDefault'>;

export interface ShellFrame {
  readonly url: string;
  readonly frameTreeNodeId: number;
}

export type FrameNavigation = Pick<Electron.Event<Electron.WebContentsWillFrameNavigateEventParams>, 'url' | 'preventDefault'>;

export interface ShellWebContents {
  readonly mainFrame: ShellFrame;
  on(event: 'will-frame-navigate', listener: (details: FrameNavigation) => void): this;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): this;
  setWindowOpenHandler(handler: (details: Pick<Electron.HandlerDetails, 'url'>) => Electron.WindowOpenHandlerResponse): void;
  executeJavaScript(code: string): Promise<unknown>;
}

export interface ShellWindow {
  readonly webContents: ShellWebContents;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): this;
  on(event: 'close', listener: (event: PreventableEvent) => void): this;
  on(event: 'closed', listener: () => void): this;
  show(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  getNormalBounds(): Electron.Rectangle;
}

export interface ShellInvokeEvent {
  readonly sender: ShellWebContents;
  readonly senderFrame: ShellFrame | null;
}

export interface ShellApp {
  on(event: 'second-instance', listener: () => void): this;
  on(event: 'window-all-closed', listener: () => void): this;
  on(event: 'activate', listener: () => void): this;
  on(event: 'will-quit', listener: (event: PreventableEvent) => void): this;
  on(event: 'web-contents-created', listener: (event: PreventableEvent, contents: ShellWebContents) => void): this;
  whenReady(): Promise<void>;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  getName(): string;
  getVersion(): string;
}

export interface ShellSession {
  readonly webRequest: {
    onHeadersReceived(
      listener: (details: Pick<Electron.OnHeadersReceivedListenerDetails, 'responseHeaders'>, callback: (response: Electron.HeadersReceivedResponse) => void) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (contents: ShellWebContents, permission: Permission, callback: (granted: boolean) => void, details: Pick<Electron.PermissionRequest, 'requestingUrl'>) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (contents: ShellWebContents | null, permission: Permission, requestingOrigin: string, details: Pick<Electron.PermissionCheckHandlerHandlerDetails, 'requestingUrl'>) => boolean,
  ): void;
}

/** What Menu.buildFromTemplate returns; the main process only hands it back to setApplicationMenu. */
export type ShellMenu = object;

export interface ShellElectron {
  readonly app: ShellApp;
  readonly BrowserWindow: {
    new (options: Electron.BrowserWindowConstructorOptions): ShellWindow;
    getAllWindows(): ShellWindow[];
  };
  readonly ipcMain: {
    handle(channel: string, listener: (event: ShellInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  };
  readonly session: { readonly defaultSession: ShellSession };
  readonly shell: Pick<Electron.Shell, 'openExternal'>;
  readonly Menu: {
    buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): ShellMenu;
    setApplicationMenu(menu: ShellMenu | null): void;
  };
  readonly dialog: {
    showMessageBox(options: Electron.MessageBoxOptions): Promise<Pick<Electron.MessageBoxReturnValue, 'response'>>;
    showErrorBox(title: string, content: string): void;
  };
  readonly clipboard: Pick<Electron.Clipboard, 'readText' | 'writeText'>;
  readonly screen: { getAllDisplays(): Pick<Electron.Display, 'workArea'>[]; getPrimaryDisplay(): Pick<Electron.Display, 'workArea'> };
}
