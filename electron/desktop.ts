// The desktop's composition root: the data folder, the keychain, the cache, the deploy-key
// workers and the embedded platform, put together once. Electron's main process and
// browser mode both start the app through here, so they behave the same.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../domain/index.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { Cache } from './services/cache.js';
import { Connections, type ConnectionRecord } from './services/connections.js';
import { DeployKeys } from './services/deploy-keys/index.js';
import { PlatformClient } from './services/platform-client.js';
import { openVault, type SecretStore, type Vault } from './services/vault.js';

export interface DesktopOptions {
  dataDir: string;
  /** Port of the embedded platform; 0 (default) picks a free one. */
  platformPort?: number;
  /** Inject a secret store (tests); default: the OS keychain, or memory when none is reachable. */
  secretStore?: SecretStore;
  keyBits?: number;
  log?: (message: string) => void;
}

export interface EmbeddedPlatformState {
  available: boolean;
  running: boolean;
  url: string | null;
}

export interface DesktopServices {
  readonly dataDir: string;
  readonly keys: DeployKeys;
  readonly cache: Cache;
  readonly vault: Vault;
  connection(): ConnectionRecord;
  client(): PlatformClient;
  /** The SDK token of the active connection; AppError('unauthorized') when none is held. */
  sdkToken(): Promise<string>;
  regenerateSdkToken(): Promise<void>;
  embeddedPlatform(): EmbeddedPlatformState;
  setEmbeddedPlatformRunning(running: boolean): Promise<EmbeddedPlatformState>;
  close(): Promise<void>;
}

export async function startDesktop(options: DesktopOptions): Promise<DesktopServices> {
  const { dataDir } = options;
  const log = options.log ?? (() => {});
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const vault = await openVault(options.secretStore ? { store: options.secretStore } : {});
  if (vault.message) log(`Keychain: ${vault.message}`);
  const cache = Cache.open(join(dataDir, 'cache.sqlite'));
  const connections = Connections.load(dataDir);
  const keys = new DeployKeys(options.keyBits ? { bits: options.keyBits } : {});

  const platformDir = join(dataDir, 'platform');
  let platform: RunningPlatform | null = null;
  let platformPort = options.platformPort ?? 0;
  let clients = new Map<string, PlatformClient>();

  async function startEmbedded(): Promise<void> {
    platform = await startPlatform({ dataDir: platformDir, port: platformPort });
    platformPort = Number(new URL(platform.url).port); // a restart keeps the same address
    const record = connections.ensureEmbedded(platform.url);
    if (!connections.active()) connections.setActive(record.id);
    clients = new Map();
  }

  function connection(): ConnectionRecord {
    const active = connections.active();
    if (!active) throw new AppError('not_found', 'No platform connection is set up: add one in Parameters → Connections');
    return active;
  }

  function client(): PlatformClient {
    const record = connection();
    const key = `${record.id} ${record.url}`;
    let existing = clients.get(key);
    if (!existing) {
      existing = new PlatformClient({ baseUrl: record.url, getSdkToken: () => vault.getToken(record.id) });
      clients.set(key, existing);
    }
    return existing;
  }

  /** The embedded platform signs its local admin in by itself: a token is issued when the keychain holds none that works. */
  async function signInEmbedded(): Promise<void> {
    if (!platform) return;
    const record = connections.ensureEmbedded(platform.url);
    const held = await vault.getToken(record.id);
    if (held) {
      try {
        await client().me();
        return;
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'unauthorized') throw error;
      }
    }
    await vault.setToken(record.id, await platform.issueLocalAdminToken());
    clients = new Map();
  }

  await startEmbedded();
  await signInEmbedded();

  const embeddedPlatform = (): EmbeddedPlatformState => ({ available: true, running: platform !== null, url: platform?.url ?? null });

  return {
    dataDir,
    keys,
    cache,
    vault,
    connection,
    client,
    async sdkToken() {
      const token = await vault.getToken(connection().id);
      if (!token) throw new AppError('unauthorized', 'You are not signed in to this platform: sign in again to get an SDK token');
      return token;
    },
    async regenerateSdkToken() {
      const record = connection();
      const token = await client().regenerateSdkToken();
      await vault.setToken(record.id, token);
      clients.delete(`${record.id} ${record.url}`); // its access token came from the old SDK token
    },
    embeddedPlatform,
    async setEmbeddedPlatformRunning(running) {
      if (running && !platform) {
        await startEmbedded();
        await signInEmbedded();
      } else if (!running && platform) {
        const stopping = platform;
        platform = null;
        await stopping.close();
      }
      return embeddedPlatform();
    },
    async close() {
      await keys.dispose();
      await platform?.close();
      platform = null;
      cache.close();
    },
  };
}
