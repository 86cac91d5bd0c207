// The first administrator of a standalone platform, created at first start.
import { randomBytes, randomUUID } from 'node:crypto';
import { email as emailRule, password as passwordRule } from '../domain/rules.js';
import { parseOrThrow } from '../domain/errors.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import { hashPassword } from './secrets.js';

export type FirstAdmin =
  | { created: false }
  | { created: true; email: string; source: 'environment' }
  | { created: true; email: string; source: 'generated'; oneTimePassword: string };

/**
 * When the platform has no administrator that can sign in with a password, creates one:
 * from CRAFT_ADMIN_EMAIL + CRAFT_ADMIN_PASSWORD when set, otherwise with a generated
 * one-time password (to be printed once; it must be changed after the first sign-in).
 */
export async function ensureFirstAdmin(ctx: PlatformContext, env: NodeJS.ProcessEnv = process.env): Promise<FirstAdmin> {
  const existing = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('deleted_at', 'is', null)
    .where('password_hash', 'is not', null)
    .executeTakeFirst();
  if (existing) return { created: false };
  const fromEnv = !!env.CRAFT_ADMIN_EMAIL && !!env.CRAFT_ADMIN_PASSWORD;
  const email = parseOrThrow(emailRule, env.CRAFT_ADMIN_EMAIL || 'admin@localhost');
  const secret = fromEnv ? parseOrThrow(passwordRule, env.CRAFT_ADMIN_PASSWORD) : randomBytes(18).toString('base64url');
  const now = iso(ctx.now());
  const passwordHash = await hashPassword(secret);
  const current = await ctx.db.selectFrom('users').select(['id']).where('email', '=', email).where('deleted_at', 'is', null).executeTakeFirst();
  if (current) {
    await ctx.db
      .updateTable('users')
      .set({ role: 'admin', password_hash: passwordHash, password_change_required: fromEnv ? 0 : 1, updated_at: now })
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
        sdk_token_hash: null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .execute();
  }
  return fromEnv ? { created: true, email, source: 'environment' } : { created: true, email, source: 'generated', oneTimePassword: secret };
}
