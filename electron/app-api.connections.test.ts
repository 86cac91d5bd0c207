// Connections (issue 15, item 7), the desktop's side: a URL is saved only once a platform answers
// there; an SDK token the keychain lost or cannot give back leads to "sign in again", and the
// embedded platform's local admin signs in again by itself.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi, createHandlers, type AppApi } from './app-api.js';
import { startDesktop, type DesktopServices } from './desktop.js';
import { memoryStore, type SecretStore } from './services/vault.js';
import { createTestPlatform, type TestPlatform } from '../platform/test-helpers.js';
import { ensureFirstAdmin } from '../platform/first-admin.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';

let team: TestPlatform;
let teamUrl = '';
let website: Server;
let websiteUrl = '';
let desktop: DesktopServices;
let app: AppApi;
/** The OS keychain as the desktop sees it; `unreadable` makes it fail to give entries back (a locked or damaged keychain). */
const keychain = memoryStore();
let unreadable = false;
const store: SecretStore = {
  get: async (account) => {
    if (unreadable && account.startsWith('sdk-token:')) throw new Error('the collection is locked');
    return keychain.get(account);
  },
  set: (account, secret) => keychain.set(account, secret),
  delete: (account) => keychain.delete(account),
};

beforeAll(async () => {
  team = await createTestPlatform();
  await ensureFirstAdmin(team.context, { CRAFT_ADMIN_EMAIL: EMAIL, CRAFT_ADMIN_PASSWORD: PASSWORD });
  await team.app.listen({ host: '127.0.0.1', port: 0 });
  teamUrl = `http://127.0.0.1:${(team.app.server.address() as AddressInfo).port}`;
  // Some other web server: the company's wiki, a platform's docs page…
  website = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome</h1>'));
  await new Promise<void>((resolve) => website.listen(0, '127.0.0.1', resolve));
  websiteUrl = `http://127.0.0.1:${(website.address() as AddressInfo).port}`;
  desktop = await startDesktop({ dataDir: mkdtempSync(join(tmpdir(), 'craft-connections-')), secretStore: store });
  app = createAppApi(createHandlers(desktop));
});

afterAll(async () => {
  await desktop?.close();
  await team?.dispose();
  await new Promise((resolve) => website?.close(resolve));
});

const names = async () => ((await app.call('listConnections', {})) as { result: { items: { url: string }[] } }).result.items.map((c) => c.url);

describe('adding a connection', () => {
  it('saves nothing when nothing answers at the URL, or something that is not a platform; saves a platform', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`; // nothing listens there any more
    await new Promise((resolve) => gone.close(resolve));
    expect(await app.call('addConnection', { url: closed })).toEqual({
      ok: false,
      error: { error: 'validation', field: 'url', message: 'url: does not answer (connection refused (is it running?)): check the address, and that the platform runs' },
    });
    const notPlatform = await app.call('addConnection', { url: websiteUrl });
    expect(notPlatform).toMatchObject({ ok: false, error: { error: 'validation', field: 'url', message: expect.stringMatching(/^url: answers, but not as a Craft MLOps platform \(GET \/healthz gave something else than the platform.s answer\)/) } });
    expect(await names()).toHaveLength(1);

    expect(await app.call('addConnection', { url: `${teamUrl}/`, name: 'Team' })).toMatchObject({ ok: true, result: { url: teamUrl, name: 'Team', active: true, signed_in: false } });
    expect(await names()).toEqual([desktop.embeddedPlatform().url, teamUrl]);
  });
});

describe('a token the keychain lost or cannot give back', () => {
  it('a team connection: the session asks to sign in again, saying why, and signing in works', async () => {
    expect((await app.call('signIn', { email: EMAIL, password: PASSWORD })).ok).toBe(true);
    unreadable = true;
    const session = await app.call('getSession', {});
    unreadable = false;
    expect(session).toMatchObject({
      ok: true,
      result: { user: null, signed_out_reason: 'The OS keychain failed to read the token: the collection is locked. Sign in again to get a new SDK token.' },
    });
    expect((await app.call('signIn', { email: EMAIL, password: PASSWORD })).ok).toBe(true);
    expect(await app.call('getSession', {})).toMatchObject({ ok: true, result: { user: { email: EMAIL } } });
  });

  it('the embedded connection: its local admin signs in again by itself, whether the entry is gone or holds a token the platform refuses', async () => {
    const embedded = desktop.connections.list().find((c) => c.kind === 'embedded')!;
    expect((await app.call('switchConnection', { id: embedded.id })).ok).toBe(true);
    await keychain.delete(`sdk-token:${embedded.id}`);
    expect(await app.call('getSession', {})).toMatchObject({ ok: true, result: { user: { name: 'Local admin' } } });
    expect((await app.call('listProjects', {})).ok).toBe(true);

    await keychain.set(`sdk-token:${embedded.id}`, 'damaged-entry-0000000000000000000000000');
    desktop.client().reset(); // as when the access token it exchanged expires: the SDK token is asked for again
    expect(await app.call('getSession', {})).toMatchObject({ ok: true, result: { user: { name: 'Local admin' } } });
    expect(await keychain.get(`sdk-token:${embedded.id}`)).not.toBe('damaged-entry-0000000000000000000000000');
  });
});
