import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keytarStore, memoryStore, openVault, type SecretStore } from './vault.js';

const hasSessionBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;
const SERVICE = `craft-mlops-desktop-test-${process.pid}`;

describe('vault over the real Secret Service', () => {
  it.skipIf(!hasSessionBus)('stores, reads and deletes a token in the OS keychain (run under dbus-run-session with gnome-keyring)', async () => {
    const vault = await openVault({ service: SERVICE });
    expect(vault.message).toBeNull();
    expect(vault.storage).toBe('keychain');
    const token = `sdk-${Math.random().toString(36).slice(2)}`;
    await vault.setToken('conn-1', token);
    expect(await vault.getToken('conn-1')).toBe(token);
    // Really in the keychain: a second store on the same service reads it (as the CLI would).
    expect(await keytarStore(SERVICE).get('sdk-token:conn-1')).toBe(token);
    await vault.deleteToken('conn-1');
    expect(await vault.getToken('conn-1')).toBeNull();
    expect(await keytarStore(SERVICE).get('sdk-token:conn-1')).toBeNull();
  });
});

describe('vault without a keychain', () => {
  it('falls back to memory with a clear message when no Secret Service is reachable, and writes no file', () => {
    const home = mkdtempSync(join(tmpdir(), 'craft-vault-home-'));
    try {
      const script = join(home, 'probe.mts');
      const vaultPath = resolve(import.meta.dirname, 'vault.ts');
      writeFileSync(
        script,
        `import { openVault } from ${JSON.stringify(vaultPath)};
const vault = await openVault({ service: 'craft-mlops-desktop-nobus' });
await vault.setToken('c', 'tok-secret-123');
const back = await vault.getToken('c');
console.log(JSON.stringify({ storage: vault.storage, message: vault.message, back }));`,
      );
      const before = readdirSync(home).sort();
      const out = execFileSync(resolve(import.meta.dirname, '../../node_modules/.bin/tsx'), [script], {
        cwd: home,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_DATA_HOME: join(home, 'data'),
          XDG_CONFIG_HOME: join(home, 'config'),
          DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-such-bus')}`,
          NODE_PATH: resolve(import.meta.dirname, '../../node_modules'),
        },
      });
      const result = JSON.parse(out.trim().split('\n').pop()!) as { storage: string; message: string; back: string };
      expect(result.storage).toBe('memory');
      expect(result.back).toBe('tok-secret-123');
      expect(result.message).toMatch(/No OS keychain is reachable/);
      expect(result.message).toMatch(/Secret Service/);
      expect(result.message).toMatch(/gnome-keyring/);
      expect(result.message).toMatch(/this session only/);
      expect(result.message).not.toContain('tok-secret-123');
      // Nothing written anywhere under HOME: never a plaintext fallback.
      expect(readdirSync(home).sort()).toEqual(before);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('uses memory when the injected store fails or hangs, and the keychain when it works', async () => {
    const broken: SecretStore = {
      get: () => Promise.reject(new Error('locked')),
      set: () => Promise.reject(new Error('The name org.freedesktop.secrets was not provided by any .service files')),
      delete: () => Promise.reject(new Error('locked')),
    };
    const vault = await openVault({ store: broken });
    expect(vault.storage).toBe('memory');
    expect(vault.message).toMatch(/org\.freedesktop\.secrets/);
    await vault.setToken('x', 't');
    expect(await vault.getToken('x')).toBe('t');

    const hanging: SecretStore = { get: () => new Promise(() => {}), set: () => new Promise(() => {}), delete: () => new Promise(() => {}) };
    const slow = await openVault({ store: hanging, timeoutMs: 50 });
    expect(slow.storage).toBe('memory');
    expect(slow.message).toMatch(/did not answer/);

    const ok = await openVault({ store: memoryStore() });
    expect(ok.storage).toBe('keychain');
    expect(ok.message).toBeNull();
  });
});
