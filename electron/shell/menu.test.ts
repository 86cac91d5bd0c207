import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { parseHash } from '../../renderer/src/lib/routes.js';
import { MENU_ROUTES, menuTemplate, type MenuActions } from './menu.js';

const PLATFORMS = ['linux', 'win32', 'darwin'] as const;

function recorder() {
  const calls: string[] = [];
  const actions: MenuActions = {
    navigate: (hash) => calls.push(`navigate ${hash}`),
    installCraftCommand: () => calls.push('install craft'),
    showAbout: () => calls.push('about'),
  };
  return { calls, actions };
}

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu as MenuItemConstructorOptions[]) : [])]);
}

function find(items: MenuItemConstructorOptions[], ...labels: string[]): MenuItemConstructorOptions {
  let level = items;
  let found: MenuItemConstructorOptions | undefined;
  for (const label of labels) {
    found = level.find((item) => item.label === label || item.role === label);
    if (!found) throw new Error(`no "${label}"`);
    level = (found.submenu as MenuItemConstructorOptions[] | undefined) ?? [];
  }
  return found!;
}

const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();

// Electron's accelerator grammar: modifiers, then exactly one key code.
const MODIFIERS = new Set(['command', 'cmd', 'control', 'ctrl', 'commandorcontrol', 'cmdorctrl', 'alt', 'option', 'altgr', 'shift', 'super', 'meta']);
const KEY = /^([a-z0-9]|f([1-9]|1[0-9]|2[0-4])|[)!@#$%^&*(:;+=<,_\->.?/~`{\][|\\}"']|plus|space|tab|backspace|delete|insert|return|enter|up|down|left|right|home|end|pageup|pagedown|escape|esc|printscreen)$/;

/** The accelerator as the keys pressed on that platform, or why Electron would not take it. */
function keysPressed(accelerator: string, platform: NodeJS.Platform): string {
  const parts = accelerator.split(/\+(?!$)/);
  const key = parts.pop()!.toLowerCase();
  if (!KEY.test(key)) throw new Error(`"${accelerator}": "${key}" is not a key Electron knows`);
  const modifiers = new Set<string>();
  for (const part of parts) {
    const modifier = part.toLowerCase();
    if (!MODIFIERS.has(modifier)) throw new Error(`"${accelerator}": "${part}" is not a modifier`);
    const cmdOrCtrl = platform === 'darwin' ? 'cmd' : 'ctrl';
    modifiers.add({ command: 'cmd', control: 'ctrl', commandorcontrol: cmdOrCtrl, cmdorctrl: cmdOrCtrl, option: 'alt' }[modifier] ?? modifier);
  }
  if (modifiers.size === 0 && /^[a-z0-9]$/.test(key)) throw new Error(`"${accelerator}": a letter or digit without a modifier would fire while typing`);
  return [...[...modifiers].sort(), key === '+' ? 'plus' : key].join('+');
}

// The shortcuts the standard roles of this menu bring (Edit, View, Window, quit and close).
const STANDARD = ['CmdOrCtrl+Z', 'Shift+CmdOrCtrl+Z', 'Ctrl+Y', 'CmdOrCtrl+X', 'CmdOrCtrl+C', 'CmdOrCtrl+V', 'Shift+CmdOrCtrl+V', 'CmdOrCtrl+A', 'CmdOrCtrl+R', 'Shift+CmdOrCtrl+R', 'Ctrl+Shift+I', 'Alt+Cmd+I', 'CmdOrCtrl+0', 'CmdOrCtrl+Plus', 'CmdOrCtrl+-', 'F11', 'Ctrl+Cmd+F', 'CmdOrCtrl+M', 'CmdOrCtrl+W', 'CmdOrCtrl+Q', 'Cmd+H', 'Cmd+Alt+H'];

describe('the menu', () => {
  it("gives the app's items shortcuts Electron accepts, none used twice nor taken from the standard Edit/View/Window shortcuts", () => {
    for (const platform of PLATFORMS) {
      const taken = new Set(STANDARD.map((accelerator) => keysPressed(accelerator, platform)));
      const accelerators = flatten(menuTemplate({ platform, appName: 'Craft MLOps Desktop' }, recorder().actions))
        .map((item) => item.accelerator)
        .filter((accelerator): accelerator is string => typeof accelerator === 'string');
      expect(accelerators.length, platform).toBeGreaterThanOrEqual(3);
      for (const accelerator of accelerators) {
        const keys = keysPressed(accelerator, platform);
        expect(taken.has(keys), `${accelerator} on ${platform}`).toBe(false);
        taken.add(keys);
      }
    }
  });

  it('knows a malformed shortcut when it sees one (the check above can fail)', () => {
    expect(() => keysPressed('CmdOrCtrl+Shift', 'linux')).toThrow(/not a key/);
    expect(() => keysPressed('Hyper+N', 'linux')).toThrow(/not a modifier/);
    expect(() => keysPressed('N', 'linux')).toThrow(/while typing/);
    expect(keysPressed('CmdOrCtrl+,', 'darwin')).toBe('cmd+,');
  });

  it('takes the window to New project, Parameters and the projects, routes the renderer knows', () => {
    for (const hash of Object.values(MENU_ROUTES)) expect(parseHash(hash).name, hash).not.toBe('not-found');
    const { calls, actions } = recorder();
    const template = menuTemplate({ platform: 'linux', appName: 'Craft MLOps Desktop' }, actions);
    click(find(template, 'File', 'New Project'));
    click(find(template, 'File', 'Parameters'));
    click(find(template, 'View', 'Projects'));
    click(find(template, 'File', "Install 'craft' Command in PATH"));
    expect(calls).toEqual(['navigate #/projects/new', 'navigate #/parameters', 'navigate #/', 'install craft']);
  });

  it('shows our About from Help on Windows and Linux, and from the app menu on macOS', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const { calls, actions } = recorder();
      click(find(menuTemplate({ platform, appName: 'Craft MLOps Desktop' }, actions), 'help', 'About Craft MLOps Desktop'));
      expect(calls).toEqual(['about']);
    }
    const { calls, actions } = recorder();
    click(find(menuTemplate({ platform: 'darwin', appName: 'Craft MLOps Desktop' }, actions), 'Craft MLOps Desktop', 'About Craft MLOps Desktop'));
    expect(calls).toEqual(['about']);
  });

  it('quits from File on Windows and Linux; on macOS File closes the window and Quit lives in the app menu', () => {
    expect(find(menuTemplate({ platform: 'linux', appName: 'A' }, recorder().actions), 'File', 'quit')).toBeDefined();
    const mac = menuTemplate({ platform: 'darwin', appName: 'A' }, recorder().actions);
    expect(find(mac, 'File', 'close')).toBeDefined();
    expect(find(mac, 'A', 'quit')).toBeDefined();
    expect(() => find(mac, 'File', 'quit')).toThrow();
  });
});
