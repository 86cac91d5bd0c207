// The desktop's composition root: the data folder, the keychain and its token manager, the
// cache, the deploy-key workers, the known SSH hosts and the embedded platform, put together
// once. Electron's main process and browser mode both start the app through here.
import { join } from 'node:path';
import { AppError } from '../domain/index.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { privateFolder } from '../common/private-files.js';
import { Accounts } from './services/accounts.js';
import { Cache } from './services/cache.js';
import { Connections, type ConnectionRecord } from './services/connections.js';
import { DeployKeys } from './services/deploy-keys/index.js';
import { KnownHosts } from './services/known-hosts.js';
import { listenOnKeptPort } from './services/embedded-port.js';
import type { PlatformClient } from './services/platform-client.js';
import { openVault, type SecretStore, type Vault } from './services/vault.js';

export interface DesktopOptions {
  dataDir: string;
  /**
   * Port of the embedded platform. Default: the one kept in the data folder from the last launch (so
   * environment URLs stay valid), or a free one, then kept; another free one only when the kept one is taken.
   */
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
  readonly accounts: Accounts;
  readonly connections: Connections;
  readonly knownHosts: KnownHosts;
  connection(): ConnectionRecord;
  client(): PlatformClient;
  /** The SDK token of the active connection; AppError('unauthorized') when none is held. */
  sdkToken(): Promise<string>;
  embeddedPlatform(): EmbeddedPlatformState;
  setEmbeddedPlatformRunning(running: boolean): Promise<EmbeddedPlatformState>;
  /**
   * Runs work that must end at a safe point when the app closes (a sync applies each page in
   * one SQLite transaction and checks the signal between pages): close() aborts the signal and
   * waits for the work to settle before closing the cache.
   */
  runUntilClose<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Cancels key generations, stops and awaits running syncs, then closes the platform and the cache. */
  close(): Promise<void>;
}

export async function startDesktop(options: DesktopOptions): Promise<DesktopServices> {
  const { dataDir } = options;
  const log = options.log ?? (() => {});
  privateFolder(dataDir);

  const vault = await openVault(options.secretStore ? { store: options.secretStore } : {});
  if (vault.message) log(`Keychain: ${vault.message}`);
  const cache = Cache.open(join(dataDir, 'cache.sqlite'));
  if (cache.report.reason) log(`Cache: ${cache.report.reason}${cache.report.rebuilt_from ? `; the unreadable file was kept as ${cache.report.rebuilt_from} and the cache is rebuilt from the platform` : ''}`);
  const connections = Connections.load(dataDir);
  const platformDir = join(dataDir, 'platform');
  let platform: RunningPlatform | null = null;
  // `platform` is set below; the embedded connection's lost token is issued again while it runs.
  const accounts = new Accounts({ connections, vault, issueEmbeddedToken: async () => (platform ? platform.issueLocalAdminToken() : null) });
  const keys = new DeployKeys(options.keyBits ? { bits: options.keyBits } : {});
  const knownHosts = KnownHosts.load(dataDir);


  async function startEmbedded(): Promise<void> {
    const listen = async (port: number) => {
      const started = await startPlatform({ dataDir: platformDir, port });
      return { server: started, port: Number(new URL(started.url).port) };
    };
    platform = options.platformPort === undefined ? await listenOnKeptPort(dataDir, listen, log) : (await listen(options.platformPort)).server;
    const record = connections.ensureEmbedded(platform.url);
    if (!connections.active()) connections.setActive(record.id);
  }

  function connection(): ConnectionRecord {
    const active = connections.active();
    if (!active) throw new AppError('not_found', 'No platform connection is set up: add one in Parameters → Connections');
    return active;
  }

  /** The embedded platform signs its local admin in by itself: a token is issued when the keychain holds none that works. */
  async function signInEmbedded(): Promise<void> {
    if (!platform) return;
    const record = connections.ensureEmbedded(platform.url);
    if (await accounts.hasToken(record.id)) {
      try {
        await accounts.client(record.id).call('me');
        return;
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'unauthorized') throw error;
      }
    }
    await accounts.storeToken(record.id, await platform.issueLocalAdminToken());
  }

  await startEmbedded();
  await signInEmbedded();

  const closing = new AbortController();
  const running = new Set<Promise<unknown>>();

  const embeddedPlatform = (): EmbeddedPlatformState => ({ available: true, running: platform !== null, url: platform?.url ?? null });

  return {
    dataDir,
    keys,
    cache,
    vault,
    accounts,
    connections,
    knownHosts,
    connection,
    client: () => accounts.client(),
    sdkToken: () => accounts.token(),
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
    runUntilClose(work) {
      if (closing.signal.aborted) return Promise.reject(new AppError('cancelled', 'The app is closing'));
      const done = work(closing.signal);
      const settled: Promise<unknown> = done.then(
        () => running.delete(settled),
        () => running.delete(settled),
      );
      running.add(settled);
      return done;
    },
    async close() {
      closing.abort();
      await keys.dispose();
      await Promise.all(running);
      await platform?.close();
      platform = null;
      cache.close();
    },
  };
}
