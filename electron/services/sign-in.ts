// Password sign-in, shared by the `craft` command and the desktop app.
//
// signInWithPassword: POST /auth/login (email + password) gives a short-lived access
// token for a password session; with it, POST /users/me/sdk-token issues the user's SDK
// token (the previous one stops working: the platform keeps one per user) and GET
// /users/me says who signed in; the password session is then closed (POST /auth/logout),
// so only the SDK token remains, for the caller to keep in the vault. Signing out is
// PlatformClient.revokeSdkToken.
//
// No password or token ever goes into an error message.
import { AppError } from '../../domain/errors.js';
import { checkPlatformUrl } from '../../domain/platform-url.js';
import type { User } from '../../domain/user.js';
import { PlatformClient } from './platform-client.js';

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

/** Checks a platform URL as the connections list does (domain/platform-url.ts: https, or http to this computer; no credentials in it). */
export function normalisePlatformUrl(url: string): string {
  const checked = checkPlatformUrl(url);
  if ('problem' in checked) throw new AppError('validation', `platform: ${checked.problem}`, 'platform');
  return checked.url;
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
  const email = options.email.trim();
  if (!email) throw new AppError('validation', 'email: is required', 'email');
  if (!options.password) throw new AppError('validation', 'password: is required', 'password');
  const client = new PlatformClient({ baseUrl, getSdkToken: async () => null, timeoutMs: options.timeoutMs ?? 10_000 });

  let login: Awaited<ReturnType<typeof client.call<'login'>>>;
  try {
    login = await client.call('login', { body: { email, password: options.password } });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'unauthorized') throw new AppError('unauthorized', `Sign-in refused by ${baseUrl}: the email or password is wrong`, 'password');
    // The platform's own words ("Too many failed sign-ins: try again in 4 min"), said once.
    if (error.code === 'rate_limited') throw error;
    if (error.code === 'validation') throw new AppError('validation', error.message, error.field ?? 'email');
    if (error.code === 'not_found') throw new AppError('not_found', `${baseUrl} does not look like a Craft MLOps platform (it has no sign-in): check the URL`);
    throw error;
  }
  if ('access_request' in login) {
    throw new AppError(
      'unauthorized',
      `${email} has no account on ${baseUrl}: an access request was sent to its administrators. Sign in again once they have added you.`,
      'email',
    );
  }
  const accessToken = login.access_token;
  try {
    const { sdk_token } = await client.call('regenerateSdkToken', undefined, { accessToken });
    const user = await client.call('me', undefined, { accessToken });
    return { user, sdk_token, password_change_required: login.password_change_required };
  } finally {
    // The password session has done its job: only the SDK token remains.
    await client.call('logout', undefined, { accessToken }).catch(() => undefined);
  }
}
