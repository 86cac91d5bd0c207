// The main window and its webPreferences: sandboxed, context-isolated, no Node in the page,
// one preload. The BrowserWindow class is passed in, so this file needs no Electron at run
// time, and electronegativity still reads the options at the `new BrowserWindow` below.
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';

export const WINDOW_SIZE = { width: 1280, height: 820, minWidth: 900, minHeight: 600 } as const;

export interface MainWindowOptions {
  preload: string;
  /** Where the window opens: its remembered bounds, or just a size (then centred). */
  bounds: Partial<Rectangle>;
  title: string;
}

export function openMainWindow<W>(BrowserWindow: new (options: BrowserWindowConstructorOptions) => W, options: MainWindowOptions): W {
  return new BrowserWindow({
    width: WINDOW_SIZE.width,
    height: WINDOW_SIZE.height,
    ...options.bounds,
    minWidth: WINDOW_SIZE.minWidth,
    minHeight: WINDOW_SIZE.minHeight,
    title: options.title,
    show: false, // shown at ready-to-show: no white flash
    webPreferences: {
      preload: options.preload, // eng-disable PRELOAD_JS_CHECK: electron/preload exposes one function, craftHost.call, whose every call main answers only after mayCallDesktop
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: true,
      // A middle click would otherwise open a link without the window-open handler's say.
      disableBlinkFeatures: 'Auxclick',
    },
  });
}
