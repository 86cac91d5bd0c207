// Issue 10, item 2: the platform's data folder is its owner's only (0700, files 0600), also when
// the folder already existed with wider modes or an older version left wider files in it.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlatform } from './index.js';
import { modesUnder } from './test-helpers.js';

describe('the platform data folder', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is owner-only — folder 0700, platform.sqlite, its -wal and -shm and master.key 0600 — when the folder already existed as 0755', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-modes-'));
    dirs.push(dataDir);
    chmodSync(dataDir, 0o755);
    const platform = await buildPlatform({ dataDir });
    try {
      await platform.issueLocalAdminToken(); // a write, so the WAL files exist
      expect(modesUnder(dataDir)).toEqual({ '.': '700', 'platform.sqlite': '600', 'platform.sqlite-wal': '600', 'platform.sqlite-shm': '600', 'master.key': '600' });
    } finally {
      await platform.close();
    }
  });

  it('narrows the files an older version left readable by everyone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-modes-'));
    dirs.push(dataDir);
    const old = await buildPlatform({ dataDir });
    await old.issueLocalAdminToken();
    // An older version's modes, as they were left (the WAL files stay while another process holds the database).
    for (const name of readdirSync(dataDir)) chmodSync(join(dataDir, name), 0o644);
    chmodSync(dataDir, 0o755);
    const platform = await buildPlatform({ dataDir });
    try {
      await old.close();
      await platform.issueLocalAdminToken();
      const modes = modesUnder(dataDir);
      expect(modes['.']).toBe('700');
      for (const [name, mode] of Object.entries(modes)) if (name !== '.') expect(`${name} ${mode}`).toBe(`${name} 600`);
    } finally {
      await platform.close();
    }
  });
});
