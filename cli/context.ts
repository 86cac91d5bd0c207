// What a command works with: the data dir (--data-dir, else CRAFT_DATA_DIR, else the
// desktop app's own), the same connections.json and the same keychain entries as the
// desktop app, opened lazily so that commands that need neither stay instant.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../domain/errors.js';
import type { Environment } from '../domain/environment.js';
import { Accounts } from '../electron/services/accounts.js';
import { Connections, defaultDataDir, type ConnectionRecord } from '../electron/services/connections.js';
import type { PlatformClient } from '../electron/services/platform-client.js';
import { openVault, type Vault } from '../electron/services/vault.js';

export interface GlobalOptions {
  dataDir?: string;
  connection?: string;
}

export class CliContext {
  readonly dataDir: string;
  private readonly connectionName: string | undefined;
  private connectionsValue: Connections | null = null;
  private vaultValue: Promise<Vault> | null = null;
  private accountsValue: Accounts | null = null;

  /** The connection the command resolved (for the hints of error messages). */
  used: ConnectionRecord | null = null;

  constructor(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env, private readonly onUse?: (record: ConnectionRecord) => void) {
    this.dataDir = resolve(options.dataDir ?? (env.CRAFT_DATA_DIR || defaultDataDir(env)));
    this.connectionName = options.connection;
  }

  private use(record: ConnectionRecord): ConnectionRecord {
    this.used = record;
    this.onUse?.(record);
    return record;
  }

  /** The connections list; loading it creates the data dir, so read-only callers check hasData() first. */
  connections(): Connections {
    this.connectionsValue ??= Connections.load(this.dataDir);
    return this.connectionsValue;
  }

  hasData(): boolean {
    return existsSync(this.dataDir);
  }

  vault(): Promise<Vault> {
    this.vaultValue ??= openVault();
    return this.vaultValue;
  }

  async accounts(): Promise<Accounts> {
    this.accountsValue ??= new Accounts({ connections: this.connections(), vault: await this.vault(), timeoutMs: 15_000 });
    return this.accountsValue;
  }

  /** A connection by name or id. */
  find(nameOrId: string): ConnectionRecord | null {
    if (!this.hasData()) return null;
    const list = this.connections().list();
    return list.find((c) => c.id === nameOrId) ?? list.find((c) => c.name === nameOrId) ?? list.find((c) => c.name.toLowerCase() === nameOrId.toLowerCase()) ?? null;
  }

  /** The connection a command works on: --connection NAME, else the active one. */
  connection(): ConnectionRecord {
    if (this.connectionName) {
      const record = this.find(this.connectionName);
      if (!record) throw new AppError('unauthorized', `No connection named "${this.connectionName}" (see \`craft connections list\`; \`craft login --platform URL\` adds one)`, 'connection');
      return this.use(record);
    }
    const record = this.hasData() ? this.connections().active() : null;
    if (!record) throw new AppError('unauthorized', `Not signed in: no platform connection in ${this.dataDir}. Run \`craft login --platform https://your-platform\`.`);
    return this.use(record);
  }

  /** The SDK token of a connection, or a clear error: not signed in (3) or no keychain (5). */
  async token(record: ConnectionRecord = this.connection()): Promise<string> {
    const vault = await this.vault();
    const token = await vault.getToken(record.id);
    if (token) return token;
    if (vault.storage === 'memory')
      throw new AppError('keychain_unavailable', `Cannot read the SDK token of "${record.name}": ${vault.message}`);
    throw new AppError('unauthorized', `Not signed in to "${record.name}" (${record.url}): run \`craft login${record.kind === 'team' ? ` --platform ${record.url}` : ''}\`${record.kind === 'embedded' ? ' or sign in with the desktop app' : ''}.`);
  }

  /** A platform client for a connection that is signed in (checked before any network call). */
  async client(record: ConnectionRecord = this.connection()): Promise<PlatformClient> {
    await this.token(record);
    return (await this.accounts()).client(record.id);
  }

  /** One environment of a project (its slug and URL). */
  async environment(client: PlatformClient, project: string, environment: string): Promise<Environment> {
    return client.call('getEnvironment', { params: { name: project, env: environment } });
  }
}
