// Single-use password codes: 128 random bits, stored hashed, short-lived.
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { RESET_WORDS } from '../domain/access.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import { hashPassword, hashToken } from './secrets.js';
import { forgetAccountGuesses } from './login-throttle.js';

export async function issueResetCode(ctx: PlatformContext, userId: string): Promise<string> {
  return (await issueCode(ctx, userId, ctx.policy.resetCodeSeconds)).code;
}

/** A new single-use code for the user, valid `seconds` (a reset code or an invitation); only the newest code works. */
export async function issueCode(ctx: PlatformContext, userId: string, seconds: number): Promise<{ code: string; expires_at: string }> {
  const code = randomBytes(16).toString('base64url');
  const now = ctx.now();
  const expiresAt = iso(new Date(now.getTime() + seconds * 1000));
  await ctx.db.transaction().execute(async (trx) => {
    // Only the newest code works.
    await trx.updateTable('password_resets').set({ used_at: iso(now) }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
    await trx
      .insertInto('password_resets')
      .values({ id: randomUUID(), user_id: userId, code_hash: hashToken(code), created_at: iso(now), expires_at: expiresAt, used_at: null })
      .execute();
  });
  return { code, expires_at: expiresAt };
}

/** When the user was last sent a code (to refuse mail bombing). */
export async function lastCodeAt(ctx: PlatformContext, userId: string): Promise<string | null> {
  const row = await ctx.db.selectFrom('password_resets').select('created_at').where('user_id', '=', userId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return row?.created_at ?? null;
}

/** Sets the new password when the code is valid, unused and unexpired; uses the code up; ends every session and the SDK token. */
export async function resetPassword(ctx: PlatformContext, code: string, newPassword: string): Promise<void> {
  const now = iso(ctx.now());
  const passwordHash = await hashPassword(newPassword);
  const done = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('password_resets')
      .innerJoin('users', 'users.id', 'password_resets.user_id')
      .select(['password_resets.id', 'password_resets.user_id'])
      .where('password_resets.code_hash', '=', hashToken(code))
      .where('password_resets.used_at', 'is', null)
      .where('password_resets.expires_at', '>', now)
      .where('users.deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) return false;
    const used = await trx.updateTable('password_resets').set({ used_at: now }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return false;
    // Whoever knew the old password may have issued an SDK token with it: that token goes too.
    await trx.updateTable('users').set({ password_hash: passwordHash, password_change_required: 0, password_expires_at: null, sdk_token_hash: null, updated_at: now }).where('id', '=', row.user_id).execute();
    await trx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', row.user_id).where('revoked_at', 'is', null).execute();
    await forgetAccountGuesses(trx, (await trx.selectFrom('users').select('email').where('id', '=', row.user_id).executeTakeFirstOrThrow()).email);
    return true;
  });
  if (!done) throw new AppError('validation', `code: is invalid, already used or expired: ask for a new one with "${RESET_WORDS.forgot}"`, 'code');
}
