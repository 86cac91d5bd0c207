// The first administrator of a standalone platform, created at first start.
import { randomBytes, randomUUID } from 'node:crypto';
import { email as emailRule, password as passwordRule } from '../domain/rules.js';
import { AppError, parseOrThrow } from '../domain/errors.js';
import { RESET_WORDS } from '../domain/access.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import { hashPassword } from './secrets.js';

export type FirstAdmin =
  | { created: false }
  | { created: true; email: string; source: 'environment' }
  | { created: true; email: string; source: 'generated'; oneTimePassword: string };

/**
 * When the platform has no administrator that can sign in with a password (a one-time password
 * that expired does not count), creates one: from CRAFT_ADMIN_EMAIL + CRAFT_ADMIN_PASSWORD when
 * set, otherwise with a generated one-time password (to be printed once). A one-time password
 * expires after policy.oneTimePasswordSeconds and allows nothing but choosing a new password.
 */
export async function ensureFirstAdmin(ctx: PlatformContext, env: NodeJS.ProcessEnv = process.env): Promise<FirstAdmin> {
  const existing = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('deleted_at', 'is', null)
    .where('password_hash', 'is not', null)
    .where((eb) => eb.or([eb('password_expires_at', 'is', null), eb('password_expires_at', '>', iso(ctx.now()))]))
    .executeTakeFirst();
  if (existing) return { created: false };
  const fromEnv = !!env.CRAFT_ADMIN_EMAIL && !!env.CRAFT_ADMIN_PASSWORD;
  const email = parseOrThrow(emailRule, env.CRAFT_ADMIN_EMAIL || 'admin@localhost');
  const secret = fromEnv ? parseOrThrow(passwordRule, env.CRAFT_ADMIN_PASSWORD) : randomBytes(18).toString('base64url');
  const now = iso(ctx.now());
  const passwordHash = await hashPassword(secret);
  const expiresAt = fromEnv ? null : iso(new Date(ctx.now().getTime() + ctx.policy.oneTimePasswordSeconds * 1000));
  const current = await ctx.db.selectFrom('users').select(['id']).where('email', '=', email).where('deleted_at', 'is', null).executeTakeFirst();
  if (current) {
    await ctx.db
      .updateTable('users')
      .set({ role: 'admin', password_hash: passwordHash, password_change_required: fromEnv ? 0 : 1, password_expires_at: expiresAt, updated_at: now })
      .where('id', '=', current.id)
      .execute();
  } else {
    await ctx.db
      .insertInto('users')
      .values({
        id: randomUUID(),
        email,
        name: 'Administrator',
        role: 'admin',
        password_hash: passwordHash,
        password_change_required: fromEnv ? 0 : 1,
        password_expires_at: expiresAt,
        sdk_token_hash: null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .execute();
  }
  return fromEnv ? { created: true, email, source: 'environment' } : { created: true, email, source: 'generated', oneTimePassword: secret };
}

/** Whether a one-time password has expired (a password the user chose never does). */
export function oneTimePasswordExpired(ctx: PlatformContext, expiresAt: string | null): boolean {
  return expiresAt !== null && expiresAt <= iso(ctx.now());
}

export const ONE_TIME_PASSWORD_EXPIRED =
  `password: the one-time password expired (it works for a day): restart the platform to print a new one, or use "${RESET_WORDS.forgot}"`;

/**
 * What an account may still do while its one-time password must be changed: say who it is, change
 * the password, sign out — and hold an SDK token, so that the desktop and craft can sign in to
 * change it (the token is as limited as the account).
 */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set([
  'GET /api/v1/users/me',
  'POST /api/v1/users/me/password',
  'POST /api/v1/auth/logout',
  'POST /api/v1/users/me/sdk-token',
  'DELETE /api/v1/users/me/sdk-token',
]);

export const CHANGE_PASSWORD_FIRST =
  'Change your one-time password first: the platform allows nothing else until then (in the app: Parameters → Account → Change password; or POST /api/v1/users/me/password)';

/** Refuses every call but the few above to an account whose one-time password must still be changed. */
export function refuseUntilPasswordChanged(ctx: PlatformContext, account: { password_change_required: number; password_expires_at: string | null }, route: string): void {
  if (account.password_change_required !== 1) return;
  if (oneTimePasswordExpired(ctx, account.password_expires_at)) throw new AppError('unauthorized', ONE_TIME_PASSWORD_EXPIRED, 'password');
  if (!ALLOWED_BEFORE_PASSWORD_CHANGE.has(route)) throw new AppError('forbidden', CHANGE_PASSWORD_FIRST);
}
