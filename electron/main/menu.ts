// The native menu with the usual shortcuts; app-specific items navigate the renderer by hash.
import { app, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

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
