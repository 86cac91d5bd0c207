import { describe, expect, it } from 'vitest';
import { aboutDialog, ABOUT_COPY_BUTTON } from './about.js';

describe('Help → About', () => {
  it('tells the app version, the Electron, Chromium and Node versions, the OS and the data folder, with a Copy button', () => {
    const about = aboutDialog({
      appName: 'Craft MLOps Desktop',
      appVersion: '0.1.0',
      versions: { electron: '45.5.0', chrome: '140.0.7339.249', node: '22.20.0' },
      dataDir: '/home/ada/.config/craft-mlops-desktop',
      platform: 'linux',
      arch: 'x64',
    });
    expect(about.message).toBe('Craft MLOps Desktop');
    expect(about.detail.split('\n')).toEqual([
      'Version: 0.1.0',
      'Electron: 45.5.0',
      'Chromium: 140.0.7339.249',
      'Node.js: 22.20.0',
      'OS: linux x64',
      'Data folder: /home/ada/.config/craft-mlops-desktop',
    ]);
    expect(about.buttons?.[ABOUT_COPY_BUTTON]).toBe('Copy');
    expect(about.cancelId).not.toBe(ABOUT_COPY_BUTTON); // Escape never copies
  });
});
