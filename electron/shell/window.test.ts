import { describe, expect, it } from 'vitest';
import { electronStandIn } from '../main/testing/electron-stand-in.js';
import { openMainWindow, WINDOW_SIZE } from './window.js';

describe('the main window', () => {
  const { BrowserWindow } = electronStandIn();

  it('runs the renderer sandboxed and context-isolated, with no Node anywhere in the page, and only our preload', () => {
    const window = openMainWindow(BrowserWindow, { preload: '/app/dist-electron/preload.cjs', bounds: {}, title: 'Craft MLOps Desktop' });
    expect(window.options.webPreferences).toEqual({
      preload: '/app/dist-electron/preload.cjs',
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
      disableBlinkFeatures: 'Auxclick',
    });
  });

  it('opens hidden (shown when ready), at the remembered place or the default size, never below the minimum', () => {
    const remembered = openMainWindow(BrowserWindow, { preload: 'p', bounds: { x: 10, y: 20, width: 1000, height: 700 }, title: 'T' });
    expect(remembered.options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, minWidth: WINDOW_SIZE.minWidth, minHeight: WINDOW_SIZE.minHeight, show: false, title: 'T' });
    const fresh = openMainWindow(BrowserWindow, { preload: 'p', bounds: {}, title: 'T' });
    expect(fresh.options).toMatchObject({ width: WINDOW_SIZE.width, height: WINDOW_SIZE.height });
    expect(fresh.options.x).toBeUndefined();
  });
});
