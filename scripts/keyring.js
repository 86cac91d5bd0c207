// The Secret Service `npm test` needs (the vault's tests and the end-to-end tests keep SDK tokens in the
// OS keychain, as users do). When none is reachable, `npm test` runs itself inside a private D-Bus session
// with its own gnome-keyring (as .ci/run does) if the two programs are installed; otherwise it names the
// Debian packages that bring them.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Debian packages of a private Secret Service: dbus-run-session (dbus) and gnome-keyring-daemon. */
export const KEYRING_PACKAGES = ['dbus', 'gnome-keyring'];
export const KEYRING_INSTALL = `sudo apt-get install ${KEYRING_PACKAGES.join(' ')}`;
/** Set in the private session, so that the run inside never starts another one. */
export const PRIVATE_KEYRING_ENV = 'CRAFT_TEST_PRIVATE_KEYRING';

const TOOLS = { 'dbus-run-session': 'dbus', 'gnome-keyring-daemon': 'gnome-keyring' };

// What the vault does at start (electron/services/vault.ts): write, read back and delete a random entry.
const PROBE = `
const keytar = require('keytar');
const account = 'probe:' + require('node:crypto').randomBytes(8).toString('hex');
const value = require('node:crypto').randomBytes(16).toString('hex');
(async () => {
  await keytar.setPassword('craft-mlops-desktop-test-probe', account, value);
  const read = await keytar.getPassword('craft-mlops-desktop-test-probe', account);
  await keytar.deletePassword('craft-mlops-desktop-test-probe', account);
  if (read !== value) throw new Error('the keychain did not give back what was stored');
})().then(() => process.exit(0), (error) => { console.error(error && error.message ? error.message : String(error)); process.exit(1); });
`;

/**
 * Null when a Secret Service answers in this environment (a keychain entry can be written, read and
 * deleted); otherwise why not, in a few words.
 */
export function secretServiceProblem(env = process.env, cwd = process.cwd()) {
  const probe = spawnSync(process.execPath, ['-e', PROBE], { cwd, env, encoding: 'utf8', timeout: 10_000 });
  if (probe.status === 0) return null;
  if (probe.error?.code === 'ETIMEDOUT' || probe.signal) return 'the keychain did not answer within 10 s';
  const reason = (probe.stderr || '').trim().split('\n').pop() || `the probe exited with ${probe.status}`;
  return env.DBUS_SESSION_BUS_ADDRESS ? reason : `no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): ${reason}`;
}

function onPath(program, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** The programs of a private Secret Service that are not installed, with the Debian package of each. */
export function missingKeyringTools(env = process.env) {
  return Object.entries(TOOLS)
    .filter(([program]) => !onPath(program, env))
    .map(([program, pkg]) => ({ program, package: pkg }));
}

/** What to tell a newcomer whose machine lacks them: one line to copy. */
export function missingToolsMessage(missing) {
  const programs = missing.map((m) => m.program).join(' and ');
  const packages = [...new Set(missing.map((m) => m.package))].join(' ');
  return `No Secret Service is reachable, and ${programs} ${missing.length > 1 ? 'are' : 'is'} not installed to start a private one: the tests that keep a token in the OS keychain will fail. Install: sudo apt-get install ${packages}`;
}

/**
 * Runs `command args` inside a private D-Bus session with a gnome-keyring of its own (a fresh keyring
 * folder: a keyring left by another run with another password would stay locked). Returns the exit status.
 */
export function runInPrivateKeyring(command, args, env = process.env) {
  const dataHome = mkdtempSync(join(tmpdir(), 'craft-test-keyring-'));
  const password = randomBytes(12).toString('hex');
  const script = 'printf %s "$CRAFT_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && unset CRAFT_TEST_KEYRING_PASSWORD && exec "$@"';
  try {
    const result = spawnSync('dbus-run-session', ['--', 'sh', '-c', script, 'sh', command, ...args], {
      stdio: 'inherit',
      env: { ...env, XDG_DATA_HOME: dataHome, CRAFT_TEST_KEYRING_PASSWORD: password, [PRIVATE_KEYRING_ENV]: '1' },
    });
    return result.status ?? 1;
  } finally {
    rmSync(dataHome, { recursive: true, force: true });
  }
}
