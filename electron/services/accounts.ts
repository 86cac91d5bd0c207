// The token manager: several platform connections side by side, each with its own SDK
// token in the vault (keyed by connection id) and its own platform client. Switching the
// active connection only touches connections.json, so it is instant and works offline.
// A token never goes to a file (except a .env the user asks for), the cache, a log or an
// error message.
import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';
import { sdkVariables } from '../../domain/environment.js';
import { dotEnvQuote, shellQuote } from '../../domain/dotenv.js';
import type { TokenStorage } from '../../domain/app-api-contract.js';
import { Connections, type ConnectionRecord } from './connections.js';
import { PlatformClient } from './platform-client.js';
import type { Vault } from './vault.js';

/** "abcd••••••••wxyz": enough to tell two tokens apart, never enough to use one. */
export function maskToken(token: string | null): string {
  if (!token) return '';
  if (token.length < 16) return '••••••••';
  return `${token.slice(0, 4)}••••••••••••${token.slice(-4)}`;
}

/**
 * The export lines "Connect to the SDK" and `craft env export` print, the token masked unless revealed:
 * the environment URL, the token, and CRAFT_AI_CONTROL_URL (without it the SDK asks Craft AI's own
 * platform for its access token, never ours).
 */
export function sdkExportLines(environmentUrl: string, token: string, reveal = false): string {
  return Object.entries(sdkVariables(environmentUrl, reveal ? token : maskToken(token)))
    .map(([name, value]) => `export ${name}=${name === 'CRAFT_AI_SDK_TOKEN' && !reveal ? value : shellQuote(value)}\n`)
    .join('');
}

/** The SDK variables as .env lines (the token masked unless revealed). */
export function sdkDotEnvLines(environmentUrl: string, token: string, reveal = true): string {
  return Object.entries(sdkVariables(environmentUrl, reveal ? token : maskToken(token)))
    .map(([name, value]) => `${name}=${name === 'CRAFT_AI_SDK_TOKEN' && !reveal ? value : dotEnvValue(value)}\n`)
    .join('');
}

function dotEnvValue(value: string): string {
  try {
    return dotEnvQuote(value);
  } catch (error) {
    throw new AppError('validation', (error as Error).message);
  }
}

export interface TokenView {
  masked: string;
  token?: string;
  storage: TokenStorage;
}

export interface SignOutResult {
  /** True when the platform revoked our session (or none was open); false when it was unreachable (forgotten locally anyway). */
  revoked: boolean;
  message: string | null;
}

export class Accounts {
  readonly connections: Connections;
  readonly vault: Vault;
  private readonly clients = new Map<string, PlatformClient>();
  private readonly timeoutMs: number | undefined;
  /** Issues a token for the embedded platform's local admin (it signs in by itself); null while it is stopped. */
  private readonly issueEmbeddedToken: (() => Promise<string | null>) | undefined;
  private pendingReissue: Promise<string | null> | null = null;

  constructor(options: { connections: Connections; vault: Vault; timeoutMs?: number; issueEmbeddedToken?: () => Promise<string | null> }) {
    this.connections = options.connections;
    this.vault = options.vault;
    this.timeoutMs = options.timeoutMs;
    this.issueEmbeddedToken = options.issueEmbeddedToken;
  }

  /**
   * The embedded connection's token, issued and stored again when the keychain lost it (an entry
   * deleted in the keychain's manager, a keychain reset): its local admin signs in by itself.
   */
  private async tokenOf(record: ConnectionRecord): Promise<string | null> {
    const token = await this.vault.getToken(record.id);
    if (token !== null || record.kind !== 'embedded' || !this.issueEmbeddedToken) return token;
    return this.signInEmbeddedAgain(record.id);
  }

  /** Signs the embedded platform's local admin in again (one issue for concurrent callers). */
  async signInEmbeddedAgain(connectionId: string): Promise<string | null> {
    if (!this.issueEmbeddedToken) return null;
    this.pendingReissue ??= (async () => {
      const issued = await this.issueEmbeddedToken!();
      if (issued !== null) await this.storeToken(connectionId, issued);
      return issued;
    })().finally(() => {
      this.pendingReissue = null;
    });
    return this.pendingReissue;
  }

  /** Where tokens live: "keychain" (OS keychain) or "memory" (this session only). */
  get storage(): TokenStorage {
    return this.vault.storage;
  }

  get storageLabel(): string {
    return this.vault.storage === 'keychain' ? 'OS keychain' : 'this session only';
  }

  private record(connectionId?: string): ConnectionRecord {
    const record = connectionId ? this.connections.get(connectionId) : this.connections.active();
    if (!record) throw new AppError('not_found', connectionId ? 'No connection with this id' : 'No platform connection is set up yet', 'connection_id');
    return record;
  }

  /** The platform client of a connection (the active one by default); follows URL changes. */
  client(connectionId?: string): PlatformClient {
    const record = this.record(connectionId);
    let client = this.clients.get(record.id);
    if (!client || client.baseUrl !== record.url.replace(/\/+$/, '')) {
      client = new PlatformClient({ baseUrl: record.url, getSdkToken: () => this.tokenOf(record), ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}) });
      this.clients.set(record.id, client);
    }
    return client;
  }

  /** Makes another connection the active one: no network involved. */
  switchTo(connectionId: string): ConnectionRecord {
    this.connections.setActive(connectionId);
    return this.record(connectionId);
  }

  async hasToken(connectionId?: string): Promise<boolean> {
    return (await this.vault.getToken(this.record(connectionId).id)) !== null;
  }

  /** Stores a token the app obtained itself (the embedded platform's local admin). */
  async storeToken(connectionId: string, token: string): Promise<void> {
    const record = this.record(connectionId);
    await this.vault.setToken(record.id, token);
    this.clients.get(record.id)?.reset();
  }

  /** Forgets a token the platform refuses (nothing to revoke there any more). */
  async forgetToken(connectionId: string): Promise<void> {
    const record = this.record(connectionId);
    this.clients.get(record.id)?.reset();
    await this.vault.deleteToken(record.id);
  }

  /**
   * Signs in to a connection with an SDK token the user pasted: checked with the platform
   * first, stored only if it works. Returns the signed-in user.
   */
  async signInWithToken(connectionId: string, sdkToken: string): Promise<User> {
    const record = this.record(connectionId);
    const token = sdkToken.trim();
    if (!token) throw new AppError('validation', 'sdk_token: is required', 'sdk_token');
    const probe = new PlatformClient({ baseUrl: record.url, getSdkToken: async () => token, ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}) });
    let user: User;
    try {
      user = await probe.call('me');
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthorized')
        throw new AppError('validation', 'sdk_token: this SDK token is not accepted by the platform: copy the current one from its Parameters page', 'sdk_token');
      throw error;
    }
    await probe.logout().catch(() => false);
    await this.storeToken(record.id, token);
    return user;
  }

  /** The token of a connection, masked unless `reveal`. */
  async viewToken(connectionId?: string, reveal = false): Promise<TokenView> {
    const token = await this.vault.getToken(this.record(connectionId).id);
    const view: TokenView = { masked: maskToken(token), storage: this.vault.storage };
    if (reveal && token) view.token = token;
    return view;
  }

  /** The raw token (for copy, .env, `craft exec`). */
  async token(connectionId?: string): Promise<string> {
    const token = await this.vault.getToken(this.record(connectionId).id);
    if (!token) throw new AppError('unauthorized', 'Not signed in to this platform: no SDK token is stored for it');
    return token;
  }

  /** Issues a new SDK token on the platform (the old one is refused from then on) and keeps it in the vault. */
  async regenerate(connectionId?: string): Promise<TokenView> {
    const record = this.record(connectionId);
    const fresh = await this.client(record.id).regenerateSdkToken();
    await this.vault.setToken(record.id, fresh);
    return { masked: maskToken(fresh), storage: this.vault.storage };
  }

  /**
   * Signs out of a connection: revokes the SDK token on the platform, then forgets the token
   * locally (even when the platform is unreachable, in which case `revoked` is false).
   */
  async signOut(connectionId?: string): Promise<SignOutResult> {
    const { revoked, outcome, reason } = await this.endSession(this.record(connectionId).id);
    const message = outcome === 'unreachable' ? `Signed out on this computer; the platform could not be told (${reason}). Its session expires by itself.` : null;
    return { revoked, message };
  }

  /** Revokes the SDK token on the platform when one is held, then forgets it locally; says which of these happened. */
  private async endSession(id: string): Promise<{ revoked: boolean; outcome: 'revoked' | 'not_signed_in' | 'already_refused' | 'unreachable'; reason?: string }> {
    const client = this.client(id);
    let ended: Awaited<ReturnType<Accounts['endSession']>>;
    if ((await this.vault.getToken(id)) === null) ended = { revoked: true, outcome: 'not_signed_in' };
    else {
      try {
        // The SDK token itself is revoked on the platform, with every session opened with it.
        await client.call('revokeSdkToken');
        ended = { revoked: true, outcome: 'revoked' };
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthorized') ended = { revoked: true, outcome: 'already_refused' }; // nothing left to revoke
        else ended = { revoked: false, outcome: 'unreachable', reason: error instanceof AppError ? error.message : 'the platform did not answer' };
      }
    }
    client.reset();
    await this.vault.deleteToken(id);
    return ended;
  }

  /**
   * Removes a team connection: signs out (best effort) and forgets it. The message says what
   * happened, truthfully: whether a session was ended on the platform, and which connection is active now.
   */
  async remove(connectionId: string): Promise<SignOutResult & { message: string }> {
    const record = this.record(connectionId);
    if (record.kind === 'embedded') throw new AppError('validation', 'The embedded connection (this computer) cannot be removed', 'connection_id');
    const wasActive = this.connections.active()?.id === record.id;
    const ended = await this.endSession(record.id);
    this.connections.remove(record.id);
    this.clients.delete(record.id);
    const platform = {
      revoked: 'the platform revoked its SDK token',
      not_signed_in: 'nobody was signed in to it, so no session was open on the platform',
      already_refused: 'the platform no longer accepted its SDK token, so nothing was left to revoke',
      unreachable: `the platform could not be told (${ended.reason}): its session there expires by itself`,
    }[ended.outcome];
    const now = this.connections.active();
    const next = wasActive && now ? ` ${now.name} is the active connection now.` : '';
    const local = ended.outcome === 'not_signed_in' ? 'what it cached on this computer is deleted' : 'the token and what it cached on this computer are deleted';
    return { revoked: ended.revoked, message: `${record.name} was removed from this app: ${platform}; ${local}.${next}` };
  }
}
