// User rows and the rules around them.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../domain/errors.js';
import { RESET_WORDS, WHERE_TO_ENTER_A_CODE } from '../domain/access.js';
import type { Invitation, User } from '../domain/user.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import type { UsersTable } from './db/schema.js';
import { isUniqueViolation } from './db/errors.js';
import { issueCode } from './password-reset.js';
import type { Mail } from './mail.js';
import { changesList, recordChange } from './changes.js';
import { hashPassword, hashToken, newToken, SDK_TOKEN_PREFIX } from './secrets.js';
import { endpointPath, platformContract } from '../domain/platform-contract.js';

/** A live user who can sign in neither with a password nor with an SDK token: their invitation is what they wait for. */
const invitationPending = sql<number>`CASE WHEN password_hash IS NULL AND sdk_token_hash IS NULL AND deleted_at IS NULL THEN 1 ELSE 0 END`.as('invitation_pending');
export const USER_COLUMNS = ['id', 'name', 'email', 'role', 'created_at', 'deleted_at', invitationPending] as const;
export type UserRow = Pick<UsersTable, 'id' | 'name' | 'email' | 'role' | 'created_at' | 'deleted_at'> & { invitation_pending?: number };

export function userOut(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    created_at: row.created_at,
    deleted_at: row.deleted_at,
    ...(row.invitation_pending === undefined ? {} : { invitation_pending: row.invitation_pending === 1 }),
  };
}

export function emailTaken(email: string): AppError {
  return new AppError('conflict', `email: a user with the email ${email} already exists`, 'email');
}

export async function findLiveUserByEmail(ctx: PlatformContext, email: string) {
  return ctx.db.selectFrom('users').select(['id', 'email', 'password_hash', 'password_change_required']).where('email', '=', email).where('deleted_at', 'is', null).executeTakeFirst();
}

/** Any user, deleted ones too (their name stays readable in history). */
export async function findUser(ctx: PlatformContext, id: string): Promise<UserRow> {
  const row = await ctx.db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `user ${id} does not exist`);
  return row;
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
  const row = { id: randomUUID(), name: input.name, email: input.email, role: input.role, created_at: now, deleted_at: null, invitation_pending: 1 };
  const exists = await ctx.db.selectFrom('users').select('id').where('email', '=', input.email).where('deleted_at', 'is', null).executeTakeFirst();
  if (exists) throw emailTaken(input.email);
  try {
    await ctx.db
      .insertInto('users')
      .values({ id: row.id, name: row.name, email: row.email, role: row.role, created_at: now, deleted_at: null, password_hash: null, sdk_token_hash: null, updated_at: now })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(input.email);
    throw error;
  }
  return row;
}

/**
 * Gives a new user a code to choose their password: mailed when the platform has a mail server;
 * otherwise, or when the mail fails, returned for the admin to hand over (the user could never sign in).
 */
export async function inviteUser(ctx: PlatformContext, userId: string, email: string, invitedBy: string): Promise<Invitation | undefined> {
  const { code, expires_at } = await issueCode(ctx, userId, ctx.policy.invitationCodeSeconds);
  if (!ctx.mailer.configured) return { code, expires_at, reason: 'no_mail_server' };
  const hours = Math.round(ctx.policy.invitationCodeSeconds / 3600);
  const mailed = await sendQuietly(ctx, {
    to: email,
    subject: 'Your Craft MLOps account is ready',
    text:
      `${invitedBy} gave you access to the Craft MLOps platform at ${ctx.publicUrl()}.\n\n` +
      `Choose your password with this code (valid ${hours} hours, once):\n\n    ${code}\n\n` +
      `In the app: ${WHERE_TO_ENTER_A_CODE}, then your code and your new password. Or: POST ${ctx.publicUrl()}${endpointPath(platformContract.resetPassword)} {"code": "…", "new_password": "…"}\n` +
      `When the code has expired, ask an administrator to send the invitation again.\n`,
  });
  return mailed ? undefined : { code, expires_at, reason: 'mail_failed' };
}

/** A new invitation for a user who has not signed in yet (the previous code stops working). */
export async function reinviteUser(ctx: PlatformContext, userId: string, invitedBy: string): Promise<{ user: UserRow; invitation: Invitation | undefined }> {
  const user = await liveUser(ctx, userId);
  if (user.invitation_pending !== 1)
    throw new AppError('conflict', `id: ${user.email} has already signed in: they choose a new password with "${RESET_WORDS.forgot}"`, 'id');
  return { user, invitation: await inviteUser(ctx, user.id, user.email, invitedBy) };
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

/** The users list, or what changed since a cursor; deleted accounts only when asked (and never in a change list). */
export async function listUsers(ctx: PlatformContext, options: { since: number | undefined; includeDeleted: boolean }) {
  return changesList(ctx.db, {
    resource: 'user',
    since: options.since,
    rows: (ids) => {
      let query = ctx.db.selectFrom('users').select(USER_COLUMNS).orderBy('email').orderBy('created_at');
      if (ids) query = query.where('id', 'in', ids);
      if (ids || !options.includeDeleted) query = query.where('deleted_at', 'is', null);
      return query.execute();
    },
  });
}

export async function updateUser(ctx: PlatformContext, row: UserRow, changes: Partial<Pick<UsersTable, 'name' | 'email' | 'role'>>): Promise<UserRow> {
  if (changes.role === 'member' && row.role === 'admin') await requireAnotherAdmin(ctx, row.id);
  if (Object.keys(changes).length > 0) {
    try {
      await ctx.db
        .updateTable('users')
        .set({ ...changes, updated_at: iso(ctx.now()) })
        .where('id', '=', row.id)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(changes.email!);
      throw error;
    }
  }
  await recordChange(ctx.db, ctx, { resource: 'user', key: row.id, op: 'upsert' });
  return liveUser(ctx, row.id);
}

/** Closes an account but keeps it for history: sign-in, SDK token and sessions stop at once, memberships end. */
export async function deleteUser(ctx: PlatformContext, row: UserRow): Promise<UserRow> {
  if (row.role === 'admin') await requireAnotherAdmin(ctx, row.id);
  const now = iso(ctx.now());
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'user', key: row.id, op: 'delete' });
    await trx.updateTable('users').set({ deleted_at: now, updated_at: now, password_hash: null, sdk_token_hash: null }).where('id', '=', row.id).execute();
    await trx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', row.id).where('revoked_at', 'is', null).execute();
    await trx.deleteFrom('members').where('user_id', '=', row.id).execute();
  });
  return { ...row, deleted_at: now, invitation_pending: 0 };
}

/** Issues a new SDK token: the old one stops working at once, with every session minted from it. */
export async function regenerateSdkToken(ctx: PlatformContext, userId: string): Promise<string> {
  const token = newToken(SDK_TOKEN_PREFIX);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ sdk_token_hash: hashToken(token), updated_at: iso(ctx.now()) }).where('id', '=', userId).execute();
    await trx.updateTable('sessions').set({ revoked_at: iso(ctx.now()) }).where('user_id', '=', userId).where('kind', '=', 'sdk').where('revoked_at', 'is', null).execute();
  });
  return token;
}

/** Sign-out of an SDK client: the token is refused from now on and the sessions opened with it are revoked. */
export async function revokeSdkToken(ctx: PlatformContext, userId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ sdk_token_hash: null, updated_at: iso(ctx.now()) }).where('id', '=', userId).execute();
    await trx.updateTable('sessions').set({ revoked_at: iso(ctx.now()) }).where('user_id', '=', userId).where('kind', '=', 'sdk').where('revoked_at', 'is', null).execute();
  });
}

export async function passwordHashOf(ctx: PlatformContext, userId: string): Promise<string | null> {
  const row = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.password_hash;
}

/** Sets a new password; the user's other password sessions end (the one asking keeps going). */
export async function setPassword(ctx: PlatformContext, userId: string, newPassword: string, keepSessionId: string): Promise<void> {
  const now = iso(ctx.now());
  const passwordHash = await hashPassword(newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, password_change_required: 0, password_expires_at: null, updated_at: now }).where('id', '=', userId).execute();
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('kind', '=', 'password')
      .where('id', '!=', keepSessionId)
      .where('revoked_at', 'is', null)
      .execute();
  });
}
