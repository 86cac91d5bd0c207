// The Runtime (in the deltachat-desktop sense): the one door from the UI to its host.
// In Electron the preload exposes `window.craftHost.call`; in browser mode there is none, so
// the same calls go over HTTP on 127.0.0.1 with the per-launch connection token. Both carry
// the same `{ok, result} | {ok:false, error}` envelope (custom errors lose their fields
// across contextBridge), unwrapped here once: the UI never knows its host.
import { APP_METHODS, type AppMethod, type CraftApi } from '../../../domain/app-api-contract.js';
import { AppError, apiErrorSchema } from '../../../domain/errors.js';

declare global {
  interface Window {
    craftHost?: { call(method: string, input: unknown): Promise<unknown> };
  }
}

export const TOKEN_STORAGE_KEY = 'craft-connection-token';

const OFFLINE_MESSAGE = 'The desktop app is not answering: is it still running?';

/** Takes the connection token from `?token=` (then hides it from the address bar), else from sessionStorage. */
export function readConnectionToken(): string | null {
  const url = new URL(window.location.href);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) {
    try {
      sessionStorage.setItem(TOKEN_STORAGE_KEY, fromQuery);
    } catch {
      // Storage refused (private mode…): the token still serves this page.
    }
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromQuery;
  }
  try {
    return sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Reads a JSON body as the `{ok, result} | {ok:false, error}` envelope, or explains what came instead. */
async function readEnvelope(response: Response, method: AppMethod): Promise<unknown> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new AppError(
      response.status === 401 ? 'unauthorized' : 'internal',
      response.status === 401
        ? 'This page is not connected to the desktop app: open the App link printed when browser mode started.'
        : `The desktop app answered ${method} with an unreadable reply (HTTP ${response.status}).`,
    );
  }
  return unwrapEnvelope(body, method, response.status);
}

/** The result of an envelope, or its error rebuilt as an AppError. */
export function unwrapEnvelope(body: unknown, method: AppMethod, status?: number): unknown {
  if (typeof body === 'object' && body !== null && 'ok' in body) {
    if (body.ok === true && 'result' in body) return body.result;
    if (body.ok === false && 'error' in body) {
      const parsed = apiErrorSchema.safeParse(body.error);
      if (parsed.success) throw AppError.from(parsed.data);
    }
  }
  throw new AppError('internal', `The desktop app answered ${method} with an unexpected reply${status ? ` (HTTP ${status})` : ''}.`);
}

/** The browser-mode runtime: `POST /api/<method>` with the connection token as a bearer. */
export function createHttpRuntime(token: string | null, base = ''): CraftApi {
  const call = async (method: AppMethod, input: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token ?? ''}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new AppError('offline', OFFLINE_MESSAGE);
    }
    return readEnvelope(response, method);
  };
  const api: Partial<Record<AppMethod, (input?: unknown) => Promise<unknown>>> = {};
  for (const method of APP_METHODS) api[method] = (input?: unknown) => call(method, input);
  return api as CraftApi;
}

/** Rebuilds anything thrown by the host into an AppError, so views handle one shape. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (typeof error === 'object' && error !== null) {
    const parsed = apiErrorSchema.safeParse(error);
    if (parsed.success) return AppError.from(parsed.data);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal', message || 'Something went wrong in the desktop app.');
}

/** The Electron runtime: the preload's single bridge, answering with envelopes. */
export function createIpcRuntime(host: NonNullable<Window['craftHost']>): CraftApi {
  const api: Partial<Record<AppMethod, (input?: unknown) => Promise<unknown>>> = {};
  for (const method of APP_METHODS) {
    api[method] = async (input?: unknown) => {
      let envelope: unknown;
      try {
        envelope = await host.call(method, input ?? {});
      } catch (error) {
        throw toAppError(error);
      }
      return unwrapEnvelope(envelope, method);
    };
  }
  return api as CraftApi;
}

function createRuntime(): CraftApi {
  if (typeof window === 'undefined') return createHttpRuntime(null); // imported outside a page (unit tests)
  if (window.craftHost) return createIpcRuntime(window.craftHost);
  return createHttpRuntime(readConnectionToken());
}

/** THE host API for the whole renderer. */
export const craft: CraftApi = createRuntime();

/** True when the host is the Electron preload rather than browser mode. */
export const isElectron = typeof window !== 'undefined' && Boolean(window.craftHost);
