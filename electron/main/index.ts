// Electron's main process: the real Electron modules, handed to the wiring in main-process.ts.
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, screen, session, shell } from 'electron';
import { join } from 'node:path';
import { defaultDataDir } from '../services/connections.js';
import { startMainProcess } from './main-process.js';
import type { ShellElectron } from './shell-electron.js';

const electron = {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  // Read when first used: the screen module exists only once the app is ready.
  get screen() {
    return screen;
  },
  session,
  shell,
} satisfies ShellElectron;

startMainProcess(electron, {
  rendererIndex: join(__dirname, '../dist/renderer/index.html'),
  preload: join(__dirname, 'preload.cjs'),
  craftScript: join(__dirname, 'craft.cjs'),
  dataDir: process.env.CRAFT_DATA_DIR ?? defaultDataDir(),
});
