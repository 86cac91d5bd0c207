// THE desktop API: one table of handlers, one per method of domain/app-api-contract.
// Every input is validated here with the domain schema, whatever the renderer claims;
// every failure leaves as an ApiError envelope that names the field and never a secret.
import type { z } from 'zod';
import {
  APP_METHODS,
  AppError,
  appApiContract,
  validationError,
  type AppApiContract,
  type AppMethod,
  type AppOutput,
  type Envelope,
  type Freshness,
  type Session,
} from '../domain/index.js';
import type { DesktopServices } from './desktop.js';

type Handlers = {
  [M in AppMethod]: (input: z.output<AppApiContract[M]['input']>) => Promise<AppOutput<M>>;
};

/** Clipboard of the host, when it has one the main process can reach (Electron does; a browser tab does not). */
export interface HostClipboard {
  writeText(text: string): Promise<void> | void;
  readText(): Promise<string> | string;
}

export const CLIPBOARD_CLEAR_SECONDS = 60;

export function maskToken(token: string): string {
  return `${'•'.repeat(12)}${token.slice(-4)}`;
}

function now(): string {
  return new Date().toISOString();
}

export function createHandlers(services: DesktopServices, host: { clipboard?: HostClipboard } = {}): Handlers {
  const { keys, cache, vault } = services;
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
    const token = await services.sdkToken();
    return { masked: maskToken(token), storage: vault.storage, ...(reveal ? { token } : {}) };
  }

  return {
    async getSession() {
      const connection = services.connection();
      const base = { connection, token_storage: vault.storage, keychain_message: vault.message };
      try {
        const user = await services.client().me();
        cache.putUser(connection.id, user, now());
        return { ...base, user, online: true, synced_at: now() } satisfies Session;
      } catch (error) {
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
        () => services.client().listProjects(),
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
        () => services.client().getProject(name),
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
      const project = await services.client().createProject({ ...fields, deploy_key });
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
    async importDeployKey({ private_key }) {
      return keys.importPrivateKey(private_key);
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
      await services.regenerateSdkToken();
      return tokenView(false);
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
        const handler = handlers[m] as (input: unknown) => Promise<unknown>;
        return { ok: true, result: await handler(parsed.data) };
      } catch (error) {
        if (error instanceof AppError) return { ok: false, error: error.toJSON() };
        // Unknown failures: the message may quote inputs, so only the error's kind leaves the process.
        log(`desktop call ${method} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
        return { ok: false, error: { error: 'internal', message: `The desktop app could not complete "${method}". Try again; if it keeps failing, restart the app.` } };
      }
    },
  };
}
