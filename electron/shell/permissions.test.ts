import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { mayGrantPermission } from './permissions.js';

const renderer = pathToFileURL('/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/index.html').href;

describe('web permissions', () => {
  it('lets our renderer notify a failed execution and copy to the clipboard, on any route', () => {
    expect(mayGrantPermission('notifications', `${renderer}#/projects/churn/environments/prod/executions/e-1`, renderer)).toBe(true);
    expect(mayGrantPermission('clipboard-sanitized-write', `${renderer}#/parameters`, renderer)).toBe(true);
  });

  it('refuses what the app never needs: camera, location, reading the clipboard, opening external apps', () => {
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'hid', 'serial', 'usb', 'fullscreen'] as const) {
      expect(mayGrantPermission(permission, `${renderer}#/`, renderer), permission).toBe(false);
    }
  });

  it('refuses even an allowed permission to any other page, or when the page is unknown', () => {
    expect(mayGrantPermission('notifications', 'https://github.com/', renderer)).toBe(false);
    expect(mayGrantPermission('notifications', undefined, renderer)).toBe(false);
  });
});
