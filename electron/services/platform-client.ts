// HTTP to the platform with fetch. The SDK token (from the vault) is exchanged at
// POST /api/v1/auth/refresh for a short-lived access token kept in memory only.
// Errors: the platform's JSON {error, message, field?} becomes an AppError with the same
// code, message and field; a network failure becomes AppError('offline'). No token is
// ever put into an error.
import { AppError, apiErrorSchema, ERROR_CODES, type ErrorCode } from '../../domain/errors.js';
import type { Project, ProjectCreate } from '../../domain/project.js';
import type { User } from '../../domain/user.js';

export interface PlatformClientOptions {
  baseUrl: string;
  getSdkToken: () => Promise<string | null>;
  /** Per-request timeout; default 5 s. */
  timeoutMs?: number;
}

const REFRESH_MARGIN_MS = 30_000;

/** The platform refuses the stored SDK token: it was regenerated elsewhere, revoked, or a password reset ended it. */
export const SDK_TOKEN_REFUSED =
  'The SDK token of this connection no longer works (a password reset, a sign-out or a new token elsewhere ended it): sign in again to get a new one';

function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation',
  429: 'rate_limited',
};

function describeNetworkError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer within the time limit';
  const code = err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is it running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name could not be resolved';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'the connection timed out';
  if (code) return code;
  return (err?.cause?.message ?? err?.message ?? 'network error').slice(0, 120);
}

export class PlatformClient {
  readonly baseUrl: string;
  private readonly getSdkToken: () => Promise<string | null>;
  private readonly timeoutMs: number;
  private accessToken: string | null = null;
  private accessExpiresAt = 0;
  private pendingExchange: Promise<string> | null = null;

  constructor(options: PlatformClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.getSdkToken = options.getSdkToken;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Forgets the access token (after a token change or sign-out). */
  reset(): void {
    this.accessToken = null;
    this.accessExpiresAt = 0;
  }

  private async send(method: string, path: string, body: unknown, bearer: string | null): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new AppError('offline', `The platform at ${this.baseUrl} is unreachable: ${describeNetworkError(error)}`);
    }
  }

  private async readJson<T>(response: Response): Promise<T> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new AppError('offline', `The platform at ${this.baseUrl} is unreachable: ${describeNetworkError(error)}`);
    }
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (response.ok) {
      if (response.status === 204 || !text) return undefined as T;
      if (data === undefined) throw new AppError('internal', `The platform at ${this.baseUrl} answered with something that is not JSON (HTTP ${response.status})`);
      return data as T;
    }
    const parsed = apiErrorSchema.safeParse(data);
    if (parsed.success) throw AppError.from(parsed.data);
    const loose = data as { error?: unknown; message?: unknown; field?: unknown } | undefined;
    const code: ErrorCode =
      typeof loose?.error === 'string' && (ERROR_CODES as readonly string[]).includes(loose.error)
        ? (loose.error as ErrorCode)
        : (STATUS_CODES[response.status] ?? (response.status === 503 || response.status === 502 || response.status === 504 ? 'offline' : 'internal'));
    const message = typeof loose?.message === 'string' ? loose.message : `The platform answered HTTP ${response.status}`;
    throw new AppError(code, message, typeof loose?.field === 'string' ? loose.field : undefined);
  }

  private async exchange(): Promise<string> {
    const sdkToken = await this.getSdkToken();
    if (!sdkToken) throw new AppError('unauthorized', 'Not signed in to this platform: no SDK token is stored for it');
    const response = await this.send('POST', '/api/v1/auth/refresh', { refresh_token: sdkToken }, null);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      throw new AppError('unauthorized', SDK_TOKEN_REFUSED, 'sdk_token');
    }
    const data = await this.readJson<{ access_token?: unknown }>(response);
    if (typeof data?.access_token !== 'string') throw new AppError('internal', 'The platform did not return an access token');
    this.accessToken = data.access_token;
    const exp = jwtExpiry(data.access_token);
    this.accessExpiresAt = exp ?? Date.now() + 60_000;
    return data.access_token;
  }

  private async access(fresh: boolean): Promise<string> {
    if (!fresh && this.accessToken && Date.now() < this.accessExpiresAt - REFRESH_MARGIN_MS) return this.accessToken;
    if (!this.pendingExchange) {
      this.pendingExchange = this.exchange().finally(() => {
        this.pendingExchange = null;
      });
    }
    return this.pendingExchange;
  }

  /** An authenticated call; on 401 exchanges the SDK token again and retries once. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let token = await this.access(false);
    let response = await this.send(method, path, body, token);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      this.reset();
      token = await this.access(true);
      response = await this.send(method, path, body, token);
    }
    return this.readJson<T>(response);
  }

  /** A call without authentication (login, health…). */
  async requestPublic<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.readJson<T>(await this.send(method, path, body, null));
  }

  /** A call with an access token obtained elsewhere (a password sign-in), not from the SDK token. */
  async requestWithAccess<T>(accessToken: string, method: string, path: string, body?: unknown): Promise<T> {
    return this.readJson<T>(await this.send(method, path, body, accessToken));
  }

  /**
   * Signs this SDK client out on the platform: the SDK token is refused from the very next
   * request, with every session opened with it. A token the platform no longer knows has
   * nothing left to revoke. Throws AppError('offline') when the platform is unreachable.
   */
  async revokeSdkToken(): Promise<void> {
    try {
      await this.request('DELETE', '/api/v1/users/me/sdk-token');
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'unauthorized')) throw error;
    } finally {
      this.reset();
    }
  }

  me(): Promise<User> {
    return this.request<User>('GET', '/api/v1/users/me');
  }

  listProjects(): Promise<Project[]> {
    return this.request<Project[] | { items: Project[] }>('GET', '/api/v1/projects').then((data) => (Array.isArray(data) ? data : (data?.items ?? [])));
  }

  getProject(name: string): Promise<Project> {
    return this.request<Project>('GET', `/api/v1/projects/${encodeURIComponent(name)}`);
  }

  createProject(input: ProjectCreate): Promise<Project> {
    return this.request<Project>('POST', '/api/v1/projects', input);
  }

  async regenerateSdkToken(): Promise<string> {
    const data = await this.request<{ sdk_token?: unknown }>('POST', '/api/v1/users/me/sdk-token');
    if (typeof data?.sdk_token !== 'string') throw new AppError('internal', 'The platform did not return a new SDK token');
    // The old token is refused from now on; the next call exchanges the new one.
    this.reset();
    return data.sdk_token;
  }

  /**
   * Revokes this client's session on the platform (POST /api/v1/auth/logout with the
   * current access token), then forgets it locally. Without an access token in hand there
   * is no session of ours to revoke. Throws AppError('offline') when the platform is
   * unreachable (the caller still forgets the token locally).
   */
  async logout(): Promise<boolean> {
    const token = this.accessToken && Date.now() < this.accessExpiresAt ? this.accessToken : null;
    this.reset();
    if (!token) return false;
    const response = await this.send('POST', '/api/v1/auth/logout', {}, token);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      return true; // already gone
    }
    await this.readJson<unknown>(response);
    return true;
  }

  /** The projects changed since a cursor of the platform's change feed (cursor null: everything). */
  async projectsSince(cursor: string | null): Promise<{ items: Project[]; deleted: string[]; cursor: string | null }> {
    const data = await this.request<{ items?: Project[]; deleted?: string[]; cursor?: string } | Project[]>(
      'GET',
      cursor === null ? '/api/v1/projects' : `/api/v1/projects?since=${encodeURIComponent(cursor)}`,
    );
    if (Array.isArray(data)) return { items: data, deleted: [], cursor: null };
    return { items: data?.items ?? [], deleted: data?.deleted ?? [], cursor: data?.cursor ?? null };
  }
}
