// The Electron shell cannot run on these machines (no binary), but its bundle can be built
// and its parts that need no Electron API checked: the preload stays self-contained and the
// craft command the PATH launcher starts runs under a plain Node runtime.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRAFT_CHANNEL } from './shell/ipc-sender.js';

describe('the Electron bundle', () => {
  // Inside the project, so the bundle resolves its external dependencies as the app does.
  mkdirSync('test-results', { recursive: true });
  const outDir = mkdtempSync(join('test-results', 'electron-bundle-'));
  execFileSync('npx', ['vite', 'build', '--config', 'vite.electron.config.ts', '--outDir', outDir, '--logLevel', 'error'], { stdio: 'inherit' });

  it('has a sandbox-ready preload that requires nothing but electron', () => {
    const preload = readFileSync(join(outDir, 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
    expect(preload).toContain('craftHost');
    expect(preload).toContain(`ipcRenderer.invoke(${JSON.stringify(CRAFT_CHANNEL)}`);
  });

  it('runs the craft command under a plain Node runtime', () => {
    const help = execFileSync(process.execPath, [join(outDir, 'craft.cjs'), '--help'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    expect(help).toContain('Usage: craft');
  });
});
