// The native menu with the usual shortcuts; app-specific items navigate the renderer by hash.
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import { installCliShim } from '../services/cli-shim.js';

/** Puts the `craft` command on the PATH: a launcher running the bundled CLI with this app's runtime. */
function installCraftCommand(window: BrowserWindow | null): void {
  let message: string;
  let type: 'info' | 'error' = 'info';
  try {
    message = installCliShim({ executable: process.execPath, script: join(__dirname, 'craft.cjs') }).message;
  } catch (error) {
    type = 'error';
    message = `The craft command could not be installed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const options = { type, title: 'craft command', message };
  void (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
}

export function buildMenu(window: () => BrowserWindow | null): Menu {
  const go = (hash: string) => () => void window()?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`);
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Project', accelerator: 'CmdOrCtrl+N', click: go('#/projects/new') },
        { label: 'Parameters', accelerator: 'CmdOrCtrl+,', click: go('#/parameters') },
        { type: 'separator' },
        { label: "Install 'craft' Command in PATH", click: () => installCraftCommand(window()) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Projects', accelerator: 'CmdOrCtrl+1', click: go('#/') },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: `About ${app.getName()}`, click: () => app.showAboutPanel() }] },
  ];
  return Menu.buildFromTemplate(template);
}
