// Issue 10, item 4: opening the app in the system browser puts the connection token on no
// command line (any local user can read /proc/*/cmdline). A stand-in `xdg-open` on the PATH
// stays alive long enough for every process's command line to be read while it runs.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every process's command line, as any local user reads it. */
function commandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}

async function until<T>(what: string, probe: () => T | null | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(process.platform !== 'linux')('npm run web, opening the system browser', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('puts the connection token on no command line: the browser is given an owner-only launcher file that leads to the app', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'craft-opener-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-web-cli-'));
    dirs.push(bin, dataDir);
    const opened = join(bin, 'opened');
    // The stand-in for the desktop's opener: records what it was asked to open, then stays a while.
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'\nsleep 20\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/web-host/cli.ts', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const appUrl = await until('the App line', () => /^App: (\S+)$/m.exec(output)?.[1]);
      const token = new URL(appUrl).searchParams.get('token')!;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const target = await until('the opener', () => (existsSync(opened) ? readFileSync(opened, 'utf8') : null));
      const leaks = commandLines().filter((line) => line.includes(token));
      expect(leaks).toEqual([]);
      // What the browser opens: a file only its owner reads, which leads to the app.
      expect(target).not.toContain(token);
      const launcher = target.replace(/^file:\/\//, '');
      expect(statSync(launcher).mode & 0o777).toBe(0o600);
      expect(readFileSync(launcher, 'utf8')).toContain(appUrl);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  });
});
