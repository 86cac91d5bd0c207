// Closing the desktop's services (what quitting the app and stopping browser mode do) while
// work is under way: the real embedded platform, cache, sync and deploy-key workers.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppApi, createHandlers } from './app-api.js';
import { startDesktop } from './desktop.js';
import { Cache } from './services/cache.js';
import { Connections } from './services/connections.js';
import { startFeedServer } from './services/testing/feed-server.js';
import { memoryStore, openVault } from './services/vault.js';

const root = mkdtempSync(join(tmpdir(), 'craft-desktop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('closing the desktop', () => {
  it('cancels a key being generated and stops a running sync at a page boundary before the cache closes', async () => {
    const feed = await startFeedServer({ projects: [{ name: 'alpha', environments: [{ name: 'prod', executions: 20_000 }] }] });
    try {
      const dataDir = mkdtempSync(join(root, 'data-'));
      const connections = Connections.load(dataDir);
      const team = connections.add({ name: 'Team', url: feed.url, kind: 'team' });
      connections.setActive(team.id);
      const secretStore = memoryStore();
      await (await openVault({ store: secretStore })).setToken(team.id, feed.token);

      const desktop = await startDesktop({ dataDir, secretStore, keyBits: 4096 });
      const api = createAppApi(createHandlers(desktop));
      const { job_id } = desktop.keys.start();
      const sync = api.call('syncNow', {});
      while (feed.requests < 4) await new Promise((resolve) => setTimeout(resolve, 5));

      await desktop.close();
      expect(desktop.keys.status(job_id).status).toBe('cancelled');
      // The sync had settled before close() returned: its answer is already there.
      const answer = await Promise.race([sync, new Promise((resolve) => setImmediate(() => resolve('still running')))]);
      expect(answer).toMatchObject({ ok: true, result: { ok: false, error: { error: 'cancelled' } } });
      // Work started after closing is refused, not run against a closed cache.
      await expect(desktop.runUntilClose(async () => 'late')).rejects.toMatchObject({ code: 'cancelled' });

      const cache = Cache.open(join(dataDir, 'cache.sqlite'));
      expect(cache.integrityCheck()).toBe('ok');
      expect(cache.listExecutions(team.id).total % 1000).toBe(0);
      cache.close();
    } finally {
      await feed.close();
    }
  });
});
