// The token manager against two real platforms (the project's own, on 127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlatform, type BuiltPlatform } from '../../platform/index.js';
import { Accounts, maskToken, sdkExportLines } from './accounts.js';
import { Connections } from './connections.js';
import { PlatformClient } from './platform-client.js';
import { memoryStore, openVault } from './vault.js';
import { AppError } from '../../domain/errors.js';

interface Running {
  platform: BuiltPlatform;
  url: string;
  token: string;
  dir: string;
}

async function start(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'craft-accounts-platform-'));
  const platform = await buildPlatform({ dataDir: dir });
  await platform.app.listen({ host: '127.0.0.1', port: 0 });
  const address = platform.app.server.address() as { port: number };
  return { platform, url: `http://127.0.0.1:${address.port}`, token: await platform.issueLocalAdminToken(), dir };
}

const dataDir = mkdtempSync(join(tmpdir(), 'craft-accounts-data-'));
let a: Running;
let b: Running;

beforeAll(async () => {
  [a, b] = await Promise.all([start(), start()]);
});

afterAll(async () => {
  for (const p of [a, b]) {
    await p?.platform.close();
    if (p) rmSync(p.dir, { recursive: true, force: true });
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an error');
}

describe('Accounts (token manager)', () => {
  it('keeps several connections side by side, each with its own token, and switches offline', async () => {
    const vault = await openVault({ store: memoryStore() });
    const accounts = new Accounts({ connections: Connections.load(dataDir), vault, timeoutMs: 2_000 });
    const embedded = accounts.connections.ensureEmbedded(a.url);
    await accounts.storeToken(embedded.id, a.token);
    const team = accounts.connections.add({ name: 'Team', url: b.url, kind: 'team' });

    const wrong = await caught(accounts.signInWithToken(team.id, a.token));
    expect(wrong.field).toBe('sdk_token');
    expect(wrong.message).not.toContain(a.token);
    expect(await accounts.hasToken(team.id)).toBe(false);
    const user = await accounts.signInWithToken(team.id, b.token);
    expect(user.email).toBe('admin@localhost');

    expect(accounts.connections.active()?.id).toBe(embedded.id);
    expect((await accounts.client().call('me')).id).toBeTruthy();
    accounts.switchTo(team.id);
    expect(accounts.client().baseUrl).toBe(b.url);
    expect(await accounts.token()).toBe(b.token);
    expect(await accounts.token(embedded.id)).toBe(a.token);

    const view = await accounts.viewToken();
    expect(view).toEqual({ masked: maskToken(b.token), storage: 'keychain' });
    expect(view.masked).not.toContain(b.token.slice(4, -4));
    expect((await accounts.viewToken(undefined, true)).token).toBe(b.token);

    // connections.json holds no token.
    const text = readFileSync(join(dataDir, 'connections.json'), 'utf8');
    expect(text).not.toContain(a.token);
    expect(text).not.toContain(b.token);
  });

  it('regenerates: the old token is refused by the platform, the vault holds the new one', async () => {
    const vault = await openVault({ store: memoryStore() });
    const accounts = new Accounts({ connections: Connections.load(mkdtempSync(join(dataDir, 'regen-'))), vault });
    const c = accounts.connections.ensureEmbedded(a.url);
    const old = await a.platform.issueLocalAdminToken();
    await accounts.storeToken(c.id, old);
    await accounts.client().call('me');
    const view = await accounts.regenerate();
    const fresh = await accounts.token();
    expect(fresh).not.toBe(old);
    expect(view.masked).toBe(maskToken(fresh));
    const stale = new PlatformClient({ baseUrl: a.url, getSdkToken: async () => old });
    expect((await caught(stale.call('me'))).code).toBe('unauthorized');
    expect((await accounts.client().call('me')).email).toBe('admin@localhost');
    a.token = fresh;
  });

  it('signing out revokes the session on the platform, then forgets the token; offline it still forgets', async () => {
    const vault = await openVault({ store: memoryStore() });
    const accounts = new Accounts({ connections: Connections.load(mkdtempSync(join(dataDir, 'out-'))), vault, timeoutMs: 2_000 });
    const c = accounts.connections.ensureEmbedded(b.url);
    await accounts.storeToken(c.id, b.token);
    await accounts.client().call('me');
    const before = await b.platform.context.db.selectFrom('sessions').select(['id', 'revoked_at']).execute();
    const result = await accounts.signOut();
    expect(result).toEqual({ revoked: true, message: null });
    const after = await b.platform.context.db.selectFrom('sessions').select(['id', 'revoked_at']).execute();
    const newlyRevoked = after.filter((s) => s.revoked_at && !before.find((x) => x.id === s.id)?.revoked_at);
    expect(newlyRevoked).toHaveLength(1);
    expect(await accounts.hasToken()).toBe(false);

    // The platform went away after the session opened: forgotten locally, and says the platform was not told.
    const team = accounts.connections.add({ name: 'Gone', url: a.url, kind: 'team' });
    await accounts.storeToken(team.id, a.token);
    await accounts.client(team.id).call('me');
    await a.platform.close();
    const gone = await accounts.remove(team.id);
    expect(gone.revoked).toBe(false);
    expect(gone.message).toMatch(/^Gone was removed from this app: the platform could not be told \(The platform at .* is unreachable.*\): its session there expires by itself; the token and what it cached on this computer are deleted\.$/);
    expect(gone.message).not.toContain(a.token);
    expect(await vault.getToken(team.id)).toBeNull();
    expect(accounts.connections.get(team.id)).toBeNull();
  });

  it('removing a connection says what happened on the platform: a token revoked, none held, or one it no longer accepted; and which connection is active now', async () => {
    const vault = await openVault({ store: memoryStore() });
    const accounts = new Accounts({ connections: Connections.load(mkdtempSync(join(dataDir, 'remove-'))), vault, timeoutMs: 2_000 });
    accounts.connections.ensureEmbedded('http://127.0.0.1:9'); // never called here
    // One team connection at a time: a URL is the key of a connection.
    const revokedOne = accounts.connections.add({ name: 'Signed in', url: b.url, kind: 'team' });
    await accounts.storeToken(revokedOne.id, await b.platform.issueLocalAdminToken());
    accounts.switchTo(revokedOne.id);
    expect(await accounts.remove(revokedOne.id)).toEqual({
      revoked: true,
      message: 'Signed in was removed from this app: the platform revoked its SDK token; the token and what it cached on this computer are deleted. This computer is the active connection now.',
    });

    const never = accounts.connections.add({ name: 'Never signed in', url: b.url, kind: 'team' });
    expect((await accounts.remove(never.id)).message).toBe(
      'Never signed in was removed from this app: nobody was signed in to it, so no session was open on the platform; what it cached on this computer is deleted.',
    );

    const refused = accounts.connections.add({ name: 'Refused', url: b.url, kind: 'team' });
    await accounts.storeToken(refused.id, 'a token the platform never issued');
    expect((await accounts.remove(refused.id)).message).toMatch(/^Refused was removed from this app: the platform no longer accepted its SDK token, so nothing was left to revoke;/);
    expect(accounts.connections.list().map((c) => c.name)).toEqual(['This computer']);
  });

  it('the embedded connection whose keychain entry was lost signs its local admin in again by itself, once for concurrent calls', async () => {
    const vault = await openVault({ store: memoryStore() });
    let issued = 0;
    const accounts = new Accounts({
      connections: Connections.load(mkdtempSync(join(dataDir, 'lost-'))),
      vault,
      issueEmbeddedToken: async () => {
        issued += 1;
        return b.platform.issueLocalAdminToken();
      },
    });
    const embedded = accounts.connections.ensureEmbedded(b.url);
    expect(await accounts.hasToken(embedded.id)).toBe(false);
    const [one, two] = await Promise.all([accounts.client().call('me'), accounts.client().call('me')]);
    expect([one.email, two.email]).toEqual(['admin@localhost', 'admin@localhost']);
    expect(issued).toBe(1);
    expect(await accounts.hasToken(embedded.id)).toBe(true);

    // A team connection has no such shortcut: its user signs in.
    const team = accounts.connections.add({ name: 'Team', url: 'http://127.0.0.1:9', kind: 'team' });
    expect((await caught(accounts.client(team.id).call('me'))).code).toBe('unauthorized');
    expect(issued).toBe(1);
  });
});

describe('SDK connection helpers', () => {
  it("prints the export lines with the platform's URL for the SDK's token exchange, the token masked until revealed", () => {
    const token = 'tok_0123456789abcdef0123456789abcdef';
    expect(sdkExportLines('http://127.0.0.1:1/environments/prod', token)).toBe(
      `export CRAFT_AI_ENVIRONMENT_URL=http://127.0.0.1:1/environments/prod\nexport CRAFT_AI_SDK_TOKEN=${maskToken(token)}\nexport CRAFT_AI_CONTROL_URL=http://127.0.0.1:1\n`,
    );
    // Craft AI's own platform is the SDK's default: no need to say it.
    expect(sdkExportLines('https://mlops-platform.craft.ai/environments/prod', token)).not.toContain('CRAFT_AI_CONTROL_URL');
    expect(sdkExportLines('http://x/e', token, true)).toContain(`CRAFT_AI_SDK_TOKEN=${token}\n`);
    expect(sdkExportLines('http://x/e', "it's", true)).toContain(`CRAFT_AI_SDK_TOKEN='it'\\''s'`);
  });
});
