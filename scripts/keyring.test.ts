import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KEYRING_INSTALL, missingKeyringTools, missingToolsMessage, secretServiceProblem } from './keyring.js';

const projectDir = resolve(import.meta.dirname, '..');
const toolsMissingHere = missingKeyringTools();

/** The environment of a newcomer's terminal without a desktop session: no D-Bus session bus anywhere. */
function withoutSessionBus(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'craft-no-bus-')), ...extra };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  delete env.CRAFT_TEST_PRIVATE_KEYRING;
  return env;
}

function keyringCheck(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['scripts/test.js', '--keyring-check'], { cwd: projectDir, env, encoding: 'utf8', timeout: 60_000 });
}

describe('npm test and the Secret Service', () => {
  it('finds no Secret Service where no D-Bus session bus is reachable, and says so', () => {
    const problem = secretServiceProblem(withoutSessionBus(), projectDir);
    expect(problem).toMatch(/DBUS_SESSION_BUS_ADDRESS is not set/);
  });

  // Skipped where dbus-run-session or gnome-keyring-daemon is not installed (the next test covers that machine).
  it.skipIf(toolsMissingHere.length > 0)(
    'starts its own private D-Bus session with gnome-keyring when none is reachable, and the keychain works inside it',
    () => {
      const run = keyringCheck(withoutSessionBus());
      expect(run.stdout).toContain('running inside a private D-Bus session with its own gnome-keyring');
      expect(run.stdout).toContain('Secret Service: reachable (a private D-Bus session with gnome-keyring, started for this run)');
      expect(run.status).toBe(0);
    },
  );

  it('names the Debian packages to install when the programs of a private session are missing', () => {
    // A PATH holding only node: neither dbus-run-session nor gnome-keyring-daemon can be found.
    const bin = mkdtempSync(join(tmpdir(), 'craft-only-node-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = withoutSessionBus({ PATH: bin });
    expect(missingKeyringTools(env).map((m) => m.package)).toEqual(['dbus', 'gnome-keyring']);
    const run = keyringCheck(env);
    expect(run.stderr).toContain('Install: sudo apt-get install dbus gnome-keyring');
    expect(run.stdout).toContain('Secret Service: not reachable');
    expect(run.status).toBe(1);
    expect(missingToolsMessage([{ program: 'gnome-keyring-daemon', package: 'gnome-keyring' }])).toMatch(/gnome-keyring-daemon is not installed.*Install: sudo apt-get install gnome-keyring$/);
    expect(KEYRING_INSTALL).toBe('sudo apt-get install dbus gnome-keyring');
  });
});
