// THE desktop API: one table of handlers, one per method of domain/app-api-contract.
// Every input is validated here with the domain schema, whatever the renderer claims;
// every failure leaves as an ApiError envelope that names the field and never a secret.
import type { z } from 'zod';
import {
  APP_METHODS,
  AppError,
  CLIPBOARD_CLEAR_SECONDS,
  appApiContract,
  validationError,
  type AppApiContract,
  type AppMethod,
  type AppOutput,
  type Envelope,
  type Freshness,
  type Session,
} from '../domain/index.js';
import type { User, UserPublic } from '../domain/index.js';
import { RESET_WORDS } from '../domain/access.js';
import type { DesktopServices } from './desktop.js';
import { sdkExportLines } from './services/accounts.js';
import { ignoreInGit, planDotEnv, writeDotEnv } from './services/dotenv-file.js';
import { parseRepositoryTarget, testRepositoryAccess } from '../common/repo-access.js';
import { signInWithPassword } from './services/sign-in.js';
import { syncConnection } from './services/sync.js';
import { checkAnswersAsPlatform } from './services/platform-client.js';

type Handlers = {
  [M in AppMethod]: (input: z.output<AppApiContract[M]['input']>) => Promise<AppOutput<M>>;
};

/** Clipboard of the host, when it has one the main process can reach (Electron does; a browser tab does not). */
export interface HostClipboard {
  writeText(text: string): Promise<void> | void;
  readText(): Promise<string> | string;
}

function now(): string {
  return new Date().toISOString();
}

function sessionBase(services: DesktopServices) {
  return { connection: services.connection(), token_storage: services.vault.storage, keychain_message: services.vault.message };
}

export function createHandlers(services: DesktopServices, host: { clipboard?: HostClipboard } = {}): Handlers {
  const { keys, cache, vault, accounts, connections } = services;

  /**
   * The host keys this desktop trusts for a project's repository host, for the platform's own test
   * (it keeps no list): the user's confirmed ones, and the one just confirmed for an unknown host.
   */
  async function trustedHostKeys(project: string, accept?: string): Promise<string[]> {
    const { repository_url } = await platform().call('getProject', { params: { name: project } });
    const target = parseRepositoryTarget(repository_url);
    if (!target) return [];
    if (accept && services.knownHosts.verdict(target.host, target.port, accept) === 'unknown') services.knownHosts.trust(target.host, target.port, accept);
    return services.knownHosts.fingerprints(target.host, target.port).fingerprints;
  }
  const connectionId = () => services.connection().id;
  const platform = () => services.client();

  /** The slug that names an environment's own API ({environment_url}/api/v1): from the cache, else the platform. */
  async function environmentSlug(project: string, environment: string): Promise<string> {
    const cached = cache.getEnvironment(connectionId(), project, environment)?.item;
    return (cached ?? (await platform().call('getEnvironment', { params: { name: project, env: environment } }))).slug;
  }

  function connectionView(record: { id: string; name: string; url: string; kind: 'embedded' | 'team' }, signedIn: boolean) {
    return { ...record, active: connections.active()?.id === record.id, signed_in: signedIn };
  }

  async function sync(scope?: { project: string; environment?: string }) {
    const record = services.connection();
    return services.runUntilClose((signal) => syncConnection(cache, services.client(), record.id, { signal, ...(scope ? { scope } : {}) }));
  }
  let clipboardTimer: NodeJS.Timeout | undefined;

  /** Platform first; offline, the cache answers and says how old it is. */
  async function fresh<T>(fromPlatform: () => Promise<T>, store: (value: T, at: string) => void, fromCache: () => { value: T; synced_at: string | null } | null): Promise<{ value: T; freshness: Freshness }> {
    try {
      const value = await fromPlatform();
      const at = now();
      store(value, at);
      return { value, freshness: { source: 'platform', offline: false, synced_at: at } };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'offline') throw error;
      const cached = fromCache();
      if (!cached) throw error;
      return { value: cached.value, freshness: { source: 'cache', offline: true, synced_at: cached.synced_at } };
    }
  }

  async function tokenView(reveal: boolean) {
    const view = await accounts.viewToken(undefined, reveal);
    if (!view.masked) throw new AppError('unauthorized', 'You are not signed in to this platform: sign in to get an SDK token');
    return view;
  }

  return {
    async getSession() {
      const connection = services.connection();
      const base = sessionBase(services);
      let held: boolean;
      try {
        held = await accounts.hasToken(connection.id);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'keychain_unavailable' || connection.kind !== 'team') throw error;
        // The keychain could not give the entry back: not a dead end, the sign-in gets a new token.
        return { ...base, user: null, online: true, synced_at: null, signed_out_reason: `${error.message}. Sign in again to get a new SDK token.` };
      }
      if (!held && connection.kind === 'embedded') held = (await accounts.signInEmbeddedAgain(connection.id)) !== null;
      if (!held) {
        const cached = cache.getUser(connection.id);
        return { ...base, user: null, online: true, synced_at: cached?.synced_at ?? null };
      }
      try {
        let user: User;
        try {
          user = await platform().call('me');
        } catch (error) {
          // The embedded platform refused the token the keychain held (damaged, or from another install): its local admin signs in again by itself.
          if (!(error instanceof AppError && error.field === 'sdk_token' && connection.kind === 'embedded')) throw error;
          await accounts.signInEmbeddedAgain(connection.id);
          user = await platform().call('me');
        }
        cache.putUser(connection.id, user, now());
        return { ...base, user, online: true, synced_at: now() } satisfies Session;
      } catch (error) {
        if (error instanceof AppError && error.field === 'sdk_token' && connection.kind === 'team') {
          // The platform no longer takes this token (a password reset…): forget it, show the sign-in, say why.
          await accounts.forgetToken(connection.id);
          return { ...base, user: null, online: true, synced_at: null, signed_out_reason: error.message };
        }
        if (!(error instanceof AppError) || error.code !== 'offline') throw error;
        const cached = cache.getUser(connection.id);
        const projects = cache.listProjects(connection.id);
        return { ...base, user: cached?.item ?? null, online: false, synced_at: projects.synced_at ?? cached?.synced_at ?? null };
      }
    },

    async listProjects({ cached_only }) {
      const id = services.connection().id;
      if (cached_only) {
        const cached = cache.listProjects(id);
        return { items: cached.items, freshness: { source: 'cache', offline: false, synced_at: cached.synced_at } };
      }
      const { value, freshness } = await fresh(
        async () => (await platform().call('listProjects')).items,
        (items, at) => cache.putProjects(id, items, at),
        () => {
          const cached = cache.listProjects(id);
          return { value: cached.items, synced_at: cached.synced_at };
        },
      );
      return { items: value, freshness };
    },

    async getProject({ name }) {
      const id = services.connection().id;
      const { value, freshness } = await fresh(
        () => platform().call('getProject', { params: { name } }),
        (item, at) => cache.putProject(id, item, at),
        () => {
          const cached = cache.getProject(id, name);
          return cached && { value: cached.item, synced_at: cached.synced_at };
        },
      );
      return { item: value, freshness };
    },

    async createProject({ deploy_key_id, ...fields }) {
      let deploy_key: string;
      try {
        deploy_key = keys.privateKeyPem(deploy_key_id);
      } catch {
        throw new AppError('validation', 'deploy_key: the generated key is no longer available: generate or paste a key again', 'deploy_key');
      }
      const project = await platform().call('createProject', { body: { ...fields, deploy_key } });
      cache.putProject(services.connection().id, project, now());
      keys.forget(deploy_key_id);
      return project;
    },

    async startKeyGeneration() {
      return keys.start();
    },
    async getKeyGeneration({ job_id }) {
      return keys.status(job_id);
    },
    async cancelKeyGeneration({ job_id }) {
      return { cancelled: keys.cancel(job_id) };
    },
    async importDeployKey({ private_key, passphrase }) {
      return keys.importPrivateKey(private_key, passphrase);
    },
    async exportDeployKey({ key_id, path, overwrite }) {
      const written = keys.exportPair(key_id, path, undefined, { overwrite });
      return { private_key_path: written.private_path, public_key_path: written.public_path };
    },
    async testRepositoryAccess({ repository_url, key_id, accept_host_fingerprint }) {
      return testRepositoryAccess({
        url: repository_url,
        privateKeyPem: keys.privateKeyPem(key_id),
        knownHosts: services.knownHosts,
        ...(accept_host_fingerprint ? { acceptHostFingerprint: accept_host_fingerprint } : {}),
      });
    },

    async listConnections() {
      const items = await Promise.all(connections.list().map(async (record) => connectionView(record, await accounts.hasToken(record.id))));
      return { items, token_storage: vault.storage, keychain_message: vault.message };
    },
    async addConnection({ url, name }) {
      const base = url.replace(/\/+$/, '');
      const existing = connections.list().find((c) => c.url === base);
      if (!existing) await checkAnswersAsPlatform(base);
      const record = existing ?? connections.add({ name: name || new URL(base).host, url: base, kind: 'team' });
      accounts.switchTo(record.id);
      return connectionView(record, await accounts.hasToken(record.id));
    },
    async switchConnection({ id }) {
      const record = accounts.switchTo(id);
      return connectionView(record, await accounts.hasToken(record.id));
    },
    async removeConnection({ id }) {
      const result = await accounts.remove(id);
      cache.clearConnection(id);
      return result;
    },
    async signIn({ email, password }) {
      const record = services.connection();
      if (record.kind === 'embedded') throw new AppError('validation', 'The embedded platform signs you in by itself: no password is needed', 'email');
      const signedIn = await signInWithPassword({ baseUrl: record.url, email, password });
      await accounts.storeToken(record.id, signedIn.sdk_token);
      cache.putUser(record.id, signedIn.user, now());
      return { ...sessionBase(services), user: signedIn.user, online: true, synced_at: now() };
    },
    async signOut() {
      const record = services.connection();
      if (record.kind === 'embedded') throw new AppError('validation', 'The embedded platform cannot be signed out of: switch to another connection instead');
      return accounts.signOut(record.id);
    },
    async forgotPassword({ email }) {
      await platform().call('forgotPassword', { body: { email } });
      return { message: `If ${email} has an account, a mail with a code is on its way: enter it with "${RESET_WORDS.haveCode}". The code works once, within an hour.` };
    },
    async resetPassword(input) {
      await platform().call('resetPassword', { body: input });
      return { message: 'Your new password is set: sign in with it. The code is used up, and every session of your account has ended.' };
    },
    async changePassword(input) {
      await platform().call('changePassword', { body: input });
      return { changed: true };
    },
    async syncNow() {
      return sync();
    },
    async getChangeCursor() {
      try {
        const { cursor } = await platform().call('getChangeCursor');
        return { cursor, freshness: { source: 'platform', offline: false, synced_at: now() } };
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'offline') throw error;
        return { cursor: null, freshness: { source: 'cache', offline: true, synced_at: cache.listProjects(connectionId()).synced_at } };
      }
    },

    async updateProject({ project, changes: { deploy_key_id, ...changes } }) {
      const body = deploy_key_id ? { ...changes, deploy_key: keys.privateKeyPem(deploy_key_id) } : changes;
      const updated = await platform().call('updateProject', { params: { name: project }, body });
      cache.putProject(connectionId(), updated, now());
      if (deploy_key_id) keys.forget(deploy_key_id);
      return updated;
    },
    async testProjectDeployKey({ project, accept_host_fingerprint }) {
      const trusted = await trustedHostKeys(project, accept_host_fingerprint);
      return platform().call('testProjectDeployKey', { params: { name: project }, body: { trusted_host_fingerprints: trusted } });
    },
    async replaceDeployKey({ project, key_id, accept_host_fingerprint }) {
      const deploy_key = keys.privateKeyPem(key_id);
      const trusted = await trustedHostKeys(project, accept_host_fingerprint);
      const answer = await platform().call('replaceProjectDeployKey', { params: { name: project }, body: { deploy_key, trusted_host_fingerprints: trusted } });
      if (answer.replaced) {
        cache.putProject(connectionId(), answer.project, now());
        keys.forget(key_id);
      }
      return answer;
    },
    async deleteProject({ project, confirm_name }) {
      await platform().call('deleteProject', { params: { name: project }, body: { confirm_name } });
      cache.deleteProject(connectionId(), project);
      return { deleted: true };
    },
    async getProjectHistory({ project }) {
      return platform().call('getProjectHistory', { params: { name: project } });
    },
    async listMembers({ project }) {
      const { items } = await platform().call('listMembers', { params: { name: project } });
      return { items };
    },
    async setMember({ project, user_id, role }) {
      return platform().call('setMember', { params: { name: project, user_id }, body: { role } });
    },
    async removeMember({ project, user_id }) {
      await platform().call('removeMember', { params: { name: project, user_id } });
      return { removed: true };
    },

    async listEnvironments({ project }) {
      const id = connectionId();
      const { value, freshness } = await fresh(
        async () => (await platform().call('listEnvironments', { params: { name: project } })).items,
        (items, at) => cache.putList(id, 'environments', { project }, items, at),
        () => {
          const cached = cache.listEnvironments(id, project);
          return { value: cached.map((c) => c.item), synced_at: cache.listSyncedAt(id, 'environments', project) ?? cached[0]?.synced_at ?? null };
        },
      );
      return { items: value, freshness };
    },
    async createEnvironment({ project, environment }) {
      const created = await platform().call('createEnvironment', { params: { name: project }, body: environment });
      cache.putItem(connectionId(), 'environments', { project }, created, now());
      return created;
    },
    async getEnvironment({ project, environment }) {
      const id = connectionId();
      const { value, freshness } = await fresh(
        () => platform().call('getEnvironment', { params: { name: project, env: environment } }),
        (item, at) => cache.putItem(id, 'environments', { project }, item, at),
        () => {
          const cached = cache.getEnvironment(id, project, environment);
          return cached && { value: cached.item, synced_at: cached.synced_at };
        },
      );
      return { item: value, freshness };
    },
    async deleteEnvironment({ project, environment, confirm_name }) {
      if (confirm_name !== environment) throw new AppError('validation', `confirm_name: type "${environment}" to delete this environment`, 'confirm_name');
      await platform().call('deleteEnvironment', { params: { name: project, env: environment } });
      cache.removeItem(connectionId(), 'environments', { project }, environment);
      return { deleted: true };
    },
    async listDeployments({ project, environment }) {
      const id = connectionId();
      const { value, freshness } = await fresh(
        async () => (await platform().call('listDeployments', { params: { name: project, env: environment } })).items,
        (items, at) => cache.putList(id, 'deployments', { project, environment }, items, at),
        () => {
          const cached = cache.listDeployments(id, project, environment);
          return { value: cached.map((c) => c.item), synced_at: cache.listSyncedAt(id, 'deployments', project, environment) ?? cached[0]?.synced_at ?? null };
        },
      );
      return { items: value, freshness };
    },
    async getSdkConnection({ project, environment, reveal }) {
      const env = (await this.getEnvironment({ project, environment })).item;
      const token = await services.sdkToken();
      const view = await accounts.viewToken(undefined, reveal);
      return { environment_url: env.url, export_lines: sdkExportLines(env.url, token, reveal), token_masked: view.masked, storage: view.storage, ...(reveal ? { token } : {}) };
    },
    async previewDotEnv({ project, environment, path }) {
      const env = (await this.getEnvironment({ project, environment })).item;
      return planDotEnv(path, { url: env.url, token: await services.sdkToken() });
    },
    async writeDotEnv({ project, environment, path, confirmed }) {
      const env = (await this.getEnvironment({ project, environment })).item;
      return writeDotEnv(path, { url: env.url, token: await services.sdkToken() }, { confirmed });
    },
    async ignoreDotEnvInGit({ path }) {
      return ignoreInGit(path);
    },

    async listExecutions({ project, environment, deployment, refresh, io, since }) {
      const id = connectionId();
      let freshness: Freshness;
      const report = refresh ? await sync(environment === undefined ? { project } : { project, environment }) : null;
      if (report && report.ok) freshness = { source: 'platform', offline: false, synced_at: report.synced_at };
      else {
        if (report?.error && report.error.error !== 'offline') throw AppError.from(report.error);
        // All environments: as old as the oldest environment's feed (null: one was never cached).
        const names = environment === undefined ? cache.listEnvironments(id, project).map((e) => e.item.name) : [environment];
        const times = names.map((name) => cache.listSyncedAt(id, 'executions', project, name));
        const synced_at = times.length === 0 || times.includes(null) ? null : (times as string[]).sort()[0]!;
        freshness = { source: 'cache', offline: report !== null, synced_at };
      }
      const rows = cache.listExecutionRows(id, { project, environment, ...(deployment ? { deployment_name: deployment } : {}) }, io, since);
      return { items: rows.items, io: rows.io, total: rows.total, partial: rows.partial, version: rows.version, freshness };
    },
    async listExecutionIoNames({ project, environment }) {
      return cache.listExecutionIoNames(connectionId(), { project, environment });
    },
    async getExecution({ project, environment, execution_id }) {
      const id = connectionId();
      const { value, freshness } = await fresh(
        async () => platform().call('getExecution', { params: { slug: await environmentSlug(project, environment), id: execution_id } }),
        (item, at) => cache.putExecution(id, project, environment, item, at),
        () => {
          const cached = cache.getExecution(id, execution_id);
          return cached && { value: cached.item, synced_at: cached.synced_at };
        },
      );
      return { item: value, freshness };
    },
    async getExecutionLogs({ project, environment, execution_id, from, limit }) {
      // The SDK's own query: from in epoch milliseconds; the answer is a list of log lists.
      const lists = await platform().call('getExecutionLogs', { params: { slug: await environmentSlug(project, environment), id: execution_id }, body: { limit, ...(from ? { from: Date.parse(from) } : {}) } });
      return { items: lists.flat() };
    },
    async resolveUsers({ ids }) {
      const id = connectionId();
      const known = new Map<string, UserPublic>();
      for (const { item: user } of cache.listUsers(id)) known.set(user.id, { id: user.id, name: user.name, email: user.email });
      const missing = [...new Set(ids)].filter((userId) => !known.has(userId));
      // As the SDK's get_user does: one GET /users/{id} each, a few at a time.
      for (let i = 0; i < missing.length; i += 16) {
        const batch = await Promise.all(missing.slice(i, i + 16).map((userId) => platform().call('getUser', { params: { id: userId } }).catch(() => null)));
        for (const user of batch) if (user) known.set(user.id, { id: user.id, name: user.name, email: user.email });
      }
      return { items: ids.filter((userId, index) => ids.indexOf(userId) === index && known.has(userId)).map((userId) => known.get(userId)!) };
    },

    async listUsers() {
      const { items } = await platform().call('listUsers');
      return { items: items as User[] };
    },
    async createUser(input) {
      return platform().call('createUser', { body: input });
    },
    async resendInvitation({ id }) {
      return platform().call('resendInvitation', { params: { id } });
    },
    async updateUser({ id, changes }) {
      return platform().call('updateUser', { params: { id }, body: changes });
    },
    async deleteUser({ id }) {
      await platform().call('deleteUser', { params: { id } });
      return { deleted: true };
    },
    async listAccessRequests() {
      return platform().call('listAccessRequests');
    },
    async decideAccessRequest({ id, decision }) {
      if (decision === 'decline') return (await platform().call('declineAccessRequest', { params: { id } })).request;
      const { request, invitation } = await platform().call('approveAccessRequest', { params: { id } });
      return { ...request, ...(invitation ? { invitation } : {}) };
    },
    async getPlatformSettings() {
      return platform().call('getSettings');
    },
    async updatePlatformSettings(input) {
      return platform().call('updateSettings', { body: input });
    },

    async getSdkToken({ reveal }) {
      return tokenView(reveal);
    },
    async copySdkToken() {
      if (!host.clipboard) return { copied: false, clears_after_s: CLIPBOARD_CLEAR_SECONDS };
      const clipboard = host.clipboard;
      const token = await services.sdkToken();
      await clipboard.writeText(token);
      clearTimeout(clipboardTimer);
      // Clear only if the clipboard still holds the token: never wipe what the user copied since.
      clipboardTimer = setTimeout(async () => {
        if ((await clipboard.readText()) === token) await clipboard.writeText('');
      }, CLIPBOARD_CLEAR_SECONDS * 1000);
      clipboardTimer.unref();
      return { copied: true, clears_after_s: CLIPBOARD_CLEAR_SECONDS };
    },
    async regenerateSdkToken() {
      return accounts.regenerate();
    },

    async getEmbeddedPlatform() {
      return services.embeddedPlatform();
    },
    async setEmbeddedPlatform({ running }) {
      return services.setEmbeddedPlatformRunning(running);
    },
  };
}

export interface AppApi {
  call(method: string, input: unknown): Promise<Envelope<unknown>>;
}

/** The single entry every transport uses: unknown methods refused, input validated, errors enveloped. */
export function createAppApi(handlers: Handlers, log: (message: string) => void = () => {}): AppApi {
  const known = new Set<string>(APP_METHODS);
  return {
    async call(method, input) {
      if (!known.has(method)) return { ok: false, error: { error: 'not_found', message: `Unknown desktop call "${method}"` } };
      const m = method as AppMethod;
      const parsed = appApiContract[m].input.safeParse(input ?? {});
      if (!parsed.success) return { ok: false, error: validationError(parsed.error).toJSON() };
      try {
        const handler = handlers[m] as (this: Handlers, input: unknown) => Promise<unknown>;
        return { ok: true, result: await handler.call(handlers, parsed.data) };
      } catch (error) {
        if (error instanceof AppError) return { ok: false, error: error.toJSON() };
        // Unknown failures: the message may quote inputs, so only the error's kind leaves the process.
        log(`desktop call ${method} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
        return { ok: false, error: { error: 'internal', message: `The desktop app could not complete "${method}". Try again; if it keeps failing, restart the app.` } };
      }
    },
  };
}
