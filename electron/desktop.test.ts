// The desktop's data folder is its owner's only (issue 10, item 2); the embedded platform keeps its address across launches (issue 15, item 2); closing the desktop's services (what quitting the app and stopping browser mode do) while
// work is under way: the real embedded platform, cache, sync and deploy-key workers.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppApi, createHandlers } from './app-api.js';
import { startDesktop } from './desktop.js';
import { Cache } from './services/cache.js';
import { Connections } from './services/connections.js';
import { startTestPlatform } from './services/testing/test-platform.js';
import { memoryStore, openVault } from './services/vault.js';
import { modesUnder } from '../platform/test-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'craft-desktop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('closing the desktop', () => {
  it('cancels a key being generated and stops a running sync at a page boundary before the cache closes', async () => {
    const feed = await startTestPlatform();
    await feed.addProject('alpha', [{ name: 'prod', executions: 20_000 }]);
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

describe('the desktop data folder', () => {
  it('is owner-only, every file and folder in it, when it already existed as 0755 with a 0644 connections.json', async () => {
    const dataDir = mkdtempSync(join(root, 'modes-'));
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

describe('the embedded platform’s address', () => {
  const listeningOn = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  const portOf = (url: string | null) => Number(new URL(url!).port);

  it('stays the same from one launch to the next; another port is chosen and kept only when that one is taken', async () => {
    const dataDir = mkdtempSync(join(root, 'port-'));
    const first = await startDesktop({ dataDir, secretStore: memoryStore() });
    const url = first.embeddedPlatform().url!;
    await first.close();
    expect(statSync(join(dataDir, 'embedded-platform.json')).mode & 0o777).toBe(0o600);

    // Restarted: the same address, and the embedded connection (what environment URLs are built on) says it.
    const second = await startDesktop({ dataDir, secretStore: memoryStore() });
    expect(second.embeddedPlatform().url).toBe(url);
    expect(second.connections.list().find((c) => c.kind === 'embedded')?.url).toBe(url);
    // Stopped and started again from Parameters: the same address too.
    await second.setEmbeddedPlatformRunning(false);
    expect((await second.setEmbeddedPlatformRunning(true)).url).toBe(url);
    await second.close();

    // Another program took the port meanwhile: a new one, recorded, and said in the log.
    const squatter = await listeningOn(portOf(url));
    const logged: string[] = [];
    const third = await startDesktop({ dataDir, secretStore: memoryStore(), log: (line) => logged.push(line) });
    const moved = third.embeddedPlatform().url!;
    await third.close();
    await closeServer(squatter);
    expect(moved).not.toBe(url);
    expect(logged.join('\n')).toContain(`port ${portOf(url)} is taken by another program, so it listens on ${portOf(moved)} from now on`);

    // The next launch keeps the new address, although the old port is free again.
    const fourth = await startDesktop({ dataDir, secretStore: memoryStore() });
    expect(fourth.embeddedPlatform().url).toBe(moved);
    await fourth.close();
  });
});
