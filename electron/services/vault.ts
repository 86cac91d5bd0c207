// The OS keychain behind a small interface. This is the ONLY file importing keytar,
// and it imports it lazily, so a machine without libsecret still starts (memory vault).
// Never a plaintext fallback: when the keychain is unreachable, tokens live in this
// process's memory for the session only, and `message` says what is missing.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { AppError } from '../../domain/errors.js';

export const DEFAULT_SERVICE = 'craft-mlops-desktop';

export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
};

let keytarModule: Keytar | null = null;
function loadKeytar(): Keytar {
  if (!keytarModule) {
    const require = createRequire(import.meta.url);
    keytarModule = require('keytar') as Keytar;
  }
  return keytarModule;
}

/** The OS keychain (macOS Keychain, Windows Credential Vault, Secret Service on Linux). */
export function keytarStore(service: string = DEFAULT_SERVICE): SecretStore {
  return {
    get: (account) => loadKeytar().getPassword(service, account),
    set: (account, secret) => loadKeytar().setPassword(service, account, secret),
    delete: (account) => loadKeytar().deletePassword(service, account),
  };
}

/** A store that lives in this process only: lost when the app quits. */
export function memoryStore(): SecretStore {
  const map = new Map<string, string>();
  return {
    get: async (account) => map.get(account) ?? null,
    set: async (account, secret) => {
      map.set(account, secret);
    },
    delete: async (account) => map.delete(account),
  };
}

export interface Vault {
  readonly storage: 'keychain' | 'memory';
  /** When memory: what is missing and how to get it. Null when the keychain works. */
  readonly message: string | null;
  getToken(connectionId: string): Promise<string | null>;
  setToken(connectionId: string, token: string): Promise<void>;
  deleteToken(connectionId: string): Promise<void>;
}

const PROBE_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** What to tell the user when the keychain cannot be used on this OS. */
export function keychainMissingMessage(reason: string, platform: NodeJS.Platform = process.platform): string {
  const why = reason.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (platform === 'darwin')
    return `The macOS Keychain could not be used (${why}). Your SDK token is kept for this session only and will be asked for again next time. Unlock the login keychain in Keychain Access, then restart the app.`;
  if (platform === 'win32')
    return `The Windows Credential Manager could not be used (${why}). Your SDK token is kept for this session only and will be asked for again next time.`;
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS
    ? 'a D-Bus session bus is set but no Secret Service answered on it'
    : 'no D-Bus session bus was found (DBUS_SESSION_BUS_ADDRESS is not set)';
  return (
    `No OS keychain is reachable: ${bus} (${why}). Your SDK token is kept in memory for this session only, never in a file. ` +
    'To keep it across sessions, run a Secret Service provider in your desktop session: GNOME Keyring (apt install gnome-keyring libsecret-1-0) or KWallet (KDE, with its Secret Service enabled). ' +
    'On a headless machine or WSL, start one inside a D-Bus session: dbus-run-session -- sh -c \'echo -n <password> | gnome-keyring-daemon --unlock --components=secrets; <command>\'.'
  );
}

function accountFor(connectionId: string): string {
  return `sdk-token:${connectionId}`;
}

class StoreVault implements Vault {
  constructor(
    readonly storage: 'keychain' | 'memory',
    readonly message: string | null,
    private readonly store: SecretStore,
  ) {}
  private guard<T>(promise: Promise<T>, action: string): Promise<T> {
    return promise.catch((error: unknown) => {
      // Never echo the secret; keychain errors only carry the backend's reason.
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppError('keychain_unavailable', `The OS keychain failed to ${action} the token: ${reason.slice(0, 200)}`);
    });
  }
  getToken(connectionId: string): Promise<string | null> {
    return this.guard(this.store.get(accountFor(connectionId)), 'read');
  }
  async setToken(connectionId: string, token: string): Promise<void> {
    await this.guard(this.store.set(accountFor(connectionId), token), 'store');
  }
  async deleteToken(connectionId: string): Promise<void> {
    await this.guard(this.store.delete(accountFor(connectionId)), 'delete');
  }
}

/**
 * Opens the vault: probes the keychain by writing, reading back and deleting a random
 * entry. On any failure (no libsecret, no D-Bus, locked or absent Secret Service,
 * timeout) the vault keeps tokens in memory and says why in `message`.
 */
export async function openVault(options: { store?: SecretStore; service?: string; timeoutMs?: number } = {}): Promise<Vault> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  let store: SecretStore;
  try {
    store = options.store ?? keytarStore(options.service ?? DEFAULT_SERVICE);
    const account = `probe:${randomBytes(8).toString('hex')}`;
    const value = randomBytes(16).toString('hex');
    await withTimeout(store.set(account, value), timeoutMs, 'The keychain');
    const read = await withTimeout(store.get(account), timeoutMs, 'The keychain');
    await withTimeout(store.delete(account), timeoutMs, 'The keychain');
    if (read !== value) throw new Error('the keychain did not give back what was stored');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new StoreVault('memory', keychainMissingMessage(reason), memoryStore());
  }
  return new StoreVault('keychain', null, store);
}
