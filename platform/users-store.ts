// User rows and the rules around them.
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { User } from '../domain/user.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import type { UsersTable } from './db/schema.js';
import { isUniqueViolation } from './db/errors.js';
import { issueResetCode } from './password-reset.js';
import type { Mail } from './mail.js';

export const USER_COLUMNS = ['id', 'name', 'email', 'role', 'created_at', 'deleted_at'] as const;
export type UserRow = Pick<UsersTable, (typeof USER_COLUMNS)[number]>;

export function userOut(row: UserRow): User {
  return { id: row.id, name: row.name, email: row.email, role: row.role, created_at: row.created_at, deleted_at: row.deleted_at };
}

export function emailTaken(email: string): AppError {
  return new AppError('conflict', `email: a user with the email ${email} already exists`, 'email');
}

export async function liveUser(ctx: PlatformContext, id: string): Promise<UserRow> {
  const row = await ctx.db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw new AppError('not_found', `user ${id} does not exist`);
  return row;
}

/** Refuses to remove the last administrator (nobody could administer the platform any more). */
export async function requireAnotherAdmin(ctx: PlatformContext, exceptId: string): Promise<void> {
  const other = await ctx.db.selectFrom('users').select('id').where('role', '=', 'admin').where('deleted_at', 'is', null).where('id', '!=', exceptId).executeTakeFirst();
  if (!other) throw new AppError('conflict', 'role: this is the last administrator: make another user an administrator first', 'role');
}

export async function createUser(ctx: PlatformContext, input: { name: string; email: string; role: 'admin' | 'member' }): Promise<UserRow> {
  const now = iso(ctx.now());
  const row = { id: randomUUID(), name: input.name, email: input.email, role: input.role, created_at: now, deleted_at: null };
  const exists = await ctx.db.selectFrom('users').select('id').where('email', '=', input.email).where('deleted_at', 'is', null).executeTakeFirst();
  if (exists) throw emailTaken(input.email);
  try {
    await ctx.db
      .insertInto('users')
      .values({ ...row, password_hash: null, sdk_token_hash: null, updated_at: now })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(input.email);
    throw error;
  }
  return row;
}

/** Mails a new user a code to choose their password (when mail is configured). */
export async function inviteUser(ctx: PlatformContext, userId: string, email: string, invitedBy: string): Promise<boolean> {
  const code = await issueResetCode(ctx, userId);
  return sendQuietly(ctx, {
    to: email,
    subject: 'Your Craft MLOps account is ready',
    text:
      `${invitedBy} gave you access to the Craft MLOps platform at ${ctx.publicUrl()}.\n\n` +
      `Choose your password with this code (valid ${Math.round(ctx.policy.resetCodeSeconds / 60)} minutes, once):\n\n    ${code}\n\n` +
      `In the app: "Forgot your password" → "I have a code". Or: POST ${ctx.publicUrl()}/api/v1/auth/reset-password {"code": "…", "new_password": "…"}\n` +
      `When the code has expired, ask for a new one with "Forgot your password".\n`,
  });
}

/** Mail failures never fail the request that caused them (the user can ask for a new code). */
export async function sendQuietly(ctx: PlatformContext, mail: Mail): Promise<boolean> {
  try {
    await ctx.mailer.send(mail);
    return true;
  } catch {
    return false;
  }
}
