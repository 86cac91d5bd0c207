// The native menu: the usual Edit/View/Window menus and shortcuts, plus the app's own items,
// which navigate the renderer by hash or run an action the main process wires in.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** Takes the window to a hash route of the renderer. */
  navigate(hash: string): void;
  installCraftCommand(): void;
  showAbout(): void;
}

export const MENU_ROUTES = { projects: '#/', newProject: '#/projects/new', parameters: '#/parameters' } as const;

export function menuTemplate(options: { platform: NodeJS.Platform; appName: string }, actions: MenuActions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: `About ${options.appName}`, click: () => actions.showAbout() };
  return [
    ...(isMac
      ? [
          {
            label: options.appName,
            submenu: [about, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Project', accelerator: 'CmdOrCtrl+N', click: () => actions.navigate(MENU_ROUTES.newProject) },
        { label: 'Parameters', accelerator: 'CmdOrCtrl+,', click: () => actions.navigate(MENU_ROUTES.parameters) },
        { type: 'separator' },
        { label: "Install 'craft' Command in PATH", click: () => actions.installCraftCommand() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Projects', accelerator: 'CmdOrCtrl+1', click: () => actions.navigate(MENU_ROUTES.projects) },
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
    { role: 'help', submenu: isMac ? [] : [about] },
  ];
}
