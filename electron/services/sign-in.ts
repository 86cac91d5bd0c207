// Password sign-in and sign-out, shared by the `craft` command and the desktop app.
//
// signInWithPassword: POST /auth/login (email + password) gives a short-lived access
// token for a password session; with it, POST /users/me/sdk-token issues the user's SDK
// token (the previous one stops working: the platform keeps one per user) and GET
// /users/me says who signed in; the password session is then closed (POST /auth/logout),
// so only the SDK token remains, for the caller to keep in the vault.
//
// signOut: exchanges the SDK token for an access token (POST /auth/refresh), then
// revokes that session on the platform (POST /auth/logout).
//
// No password or token ever goes into an error message.
import { AppError, apiErrorSchema, ERROR_CODES, type ErrorCode } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';

export interface SignInOptions {
  baseUrl: string;
  email: string;
  password: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

export interface SignInResult {
  user: User;
  sdk_token: string;
  /** The platform asks this user to choose a new password (a one-time password was used). */
  password_change_required: boolean;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation',
  429: 'rate_limited',
  502: 'offline',
  503: 'offline',
  504: 'offline',
};

function trimUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function networkReason(error: unknown): string {
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

interface Answer {
  status: number;
  data: unknown;
  retryAfter: number | null;
}

async function call(baseUrl: string, method: string, path: string, body: unknown, bearer: string | null, timeoutMs: number): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    throw new AppError('offline', `The platform at ${baseUrl} is unreachable: ${networkReason(error)}`);
  }
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  const retry = Number(response.headers.get('retry-after'));
  return { status: response.status, data, retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null };
}

/** The platform's error answer as an AppError (its code, message and field). */
function failure(baseUrl: string, answer: Answer): AppError {
  const parsed = apiErrorSchema.safeParse(answer.data);
  if (parsed.success) return AppError.from(parsed.data);
  const loose = answer.data as { error?: unknown; message?: unknown } | undefined;
  const code: ErrorCode =
    typeof loose?.error === 'string' && (ERROR_CODES as readonly string[]).includes(loose.error)
      ? (loose.error as ErrorCode)
      : (STATUS_CODES[answer.status] ?? 'internal');
  if (answer.data === undefined && answer.status === 404)
    return new AppError('not_found', `${baseUrl} does not look like a Craft MLOps platform (no /api/v1/auth/login there): check the URL`);
  const message = typeof loose?.message === 'string' ? loose.message : `The platform at ${baseUrl} answered HTTP ${answer.status}`;
  return new AppError(code, message);
}

function ok(answer: Answer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/** Checks a platform URL as the connections list does: http(s), no credentials in it. */
export function normalisePlatformUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new AppError('validation', 'platform: must be a URL such as https://mlops.example.com', 'platform');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AppError('validation', 'platform: must start with https:// (or http:// for a local server)', 'platform');
  if (parsed.username || parsed.password) throw new AppError('validation', 'platform: must not contain a user name or password', 'platform');
  return trimUrl(parsed.toString());
}

/**
 * Signs in with email and password and returns the user and a freshly issued SDK token
 * (the user's previous SDK token stops working). Errors (AppError): 'unauthorized' for a
 * wrong email or password, or an email the platform does not know (an access request is
 * then sent to its administrators); 'rate_limited' after repeated failures; 'offline' when
 * the platform is unreachable; 'validation' for a malformed URL or email.
 */
export async function signInWithPassword(options: SignInOptions): Promise<SignInResult> {
  const baseUrl = normalisePlatformUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const email = options.email.trim();
  if (!email) throw new AppError('validation', 'email: is required', 'email');
  if (!options.password) throw new AppError('validation', 'password: is required', 'password');

  const login = await call(baseUrl, 'POST', '/api/v1/auth/login', { email, password: options.password }, null, timeoutMs);
  if (login.status === 202) {
    throw new AppError(
      'unauthorized',
      `${email} has no account on ${baseUrl}: an access request was sent to its administrators. Sign in again once they have added you.`,
      'email',
    );
  }
  if (!ok(login)) {
    const error = failure(baseUrl, login);
    if (error.code === 'unauthorized') throw new AppError('unauthorized', `Sign-in refused by ${baseUrl}: the email or password is wrong`, 'password');
    if (error.code === 'rate_limited') {
      const wait = login.retryAfter ? ` (try again in ${Math.ceil(login.retryAfter / 60)} minute(s))` : '';
      throw new AppError('rate_limited', `Too many failed sign-ins on ${baseUrl}${wait}: wait, or reset your password. The platform said: ${error.message}`);
    }
    if (error.code === 'validation') throw new AppError('validation', error.message, error.field ?? 'email');
    throw error;
  }
  const loginData = login.data as { access_token?: unknown; password_change_required?: unknown } | undefined;
  const access = loginData?.access_token;
  if (typeof access !== 'string') throw new AppError('internal', `${baseUrl} did not return an access token: is it a Craft MLOps platform?`);

  try {
    const issued = await call(baseUrl, 'POST', '/api/v1/users/me/sdk-token', undefined, access, timeoutMs);
    if (!ok(issued)) throw failure(baseUrl, issued);
    const sdkToken = (issued.data as { sdk_token?: unknown } | undefined)?.sdk_token;
    if (typeof sdkToken !== 'string') throw new AppError('internal', `${baseUrl} did not return an SDK token`);
    const me = await call(baseUrl, 'GET', '/api/v1/users/me', undefined, access, timeoutMs);
    if (!ok(me)) throw failure(baseUrl, me);
    return { user: me.data as User, sdk_token: sdkToken, password_change_required: loginData?.password_change_required === true };
  } finally {
    // The password session has done its job: only the SDK token remains.
    await call(baseUrl, 'POST', '/api/v1/auth/logout', {}, access, timeoutMs).catch(() => undefined);
  }
}

export interface SignOutOptions {
  baseUrl: string;
  sdkToken: string;
  timeoutMs?: number;
}

/**
 * Revokes a session on the platform: exchanges the SDK token for an access token, then
 * signs that session out. Returns true when the platform revoked it, or no longer knows the
 * token (regenerated elsewhere: nothing left to revoke). Throws AppError('offline') when
 * the platform is unreachable; callers forget the token locally anyway.
 */
export async function signOut(options: SignOutOptions): Promise<boolean> {
  const baseUrl = trimUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const refreshed = await call(baseUrl, 'POST', '/api/v1/auth/refresh', { refresh_token: options.sdkToken }, null, timeoutMs);
  if (refreshed.status === 401) return true;
  if (!ok(refreshed)) throw failure(baseUrl, refreshed);
  const access = (refreshed.data as { access_token?: unknown } | undefined)?.access_token;
  if (typeof access !== 'string') throw new AppError('internal', `${baseUrl} did not return an access token`);
  const out = await call(baseUrl, 'POST', '/api/v1/auth/logout', {}, access, timeoutMs);
  if (out.status === 401) return true;
  if (!ok(out)) throw failure(baseUrl, out);
  return true;
}
