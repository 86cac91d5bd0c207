// Issue 10, item 2: everything the desktop writes in its data folder is its owner's only (0700,
// files 0600) — connections, known hosts, the cache and the embedded platform — whatever existed before.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDesktop } from './desktop.js';
import { memoryStore } from './services/vault.js';
import { modesUnder } from '../platform/test-helpers.js';

describe('the desktop data folder', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is owner-only, every file and folder in it, when it already existed as 0755 with a 0644 connections.json', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-desktop-modes-'));
    dirs.push(dataDir);
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'connections.json'), '{"version":1,"active":null,"connections":[]}\n', { mode: 0o644 });
    mkdirSync(join(dataDir, 'platform'), { mode: 0o755 });
    chmodSync(join(dataDir, 'platform'), 0o755);
    const desktop = await startDesktop({ dataDir, secretStore: memoryStore() });
    try {
      desktop.connections.add({ name: 'team', url: 'https://mlops.example.com', kind: 'team' });
      desktop.knownHosts.trust('git.example.com', 22, 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
      desktop.cache.putUser(desktop.connection().id, { id: 'u', name: 'U', email: 'u@example.com', role: 'admin', created_at: new Date().toISOString() }, new Date().toISOString());
      const modes = modesUnder(dataDir);
      expect(Object.keys(modes)).toEqual(expect.arrayContaining(['connections.json', 'known_hosts.json', 'cache.sqlite', 'cache.sqlite-wal', 'platform', 'platform/platform.sqlite', 'platform/master.key']));
      for (const [name, mode] of Object.entries(modes)) {
        const folder = name === '.' || name === 'platform';
        expect(`${name} ${mode}`).toBe(`${name} ${folder ? '700' : '600'}`);
      }
    } finally {
      await desktop.close();
    }
  });
});
