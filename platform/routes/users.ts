// /api/v1/users: the caller's account, other users' public card, the SDK token.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { passwordChangeSchema, sdkTokenSchema, userCreateSchema, userPublicSchema, userRole, userSchema, userUpdateSchema } from '../../domain/user.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, publicUser, requireAdmin, requireUser } from '../auth.js';
import { isUniqueViolation } from '../db/errors.js';
import { createUser, emailTaken, inviteUser, liveUser, requireAnotherAdmin, USER_COLUMNS, userOut } from '../users-store.js';
import { hashPassword, hashToken, newToken, SDK_TOKEN_PREFIX, verifyPassword } from '../secrets.js';
import { errorResponses } from './auth.js';
import { changedSince, currentCursor, recordChange } from '../changes.js';
import { cursorParam } from './projects.js';
import { countGuess, guessWasRight, type GuessKey } from '../login-throttle.js';

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

export const meSchema = userSchema.omit({ deleted_at: true });

export function userRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];

    app.get('/users/me', { ...auth, schema: { tags: ['users'], summary: 'The signed-in user', security, response: { 200: meSchema, ...errorResponses } } }, async (request) => {
      const { id, name, email, role, created_at, passwordChangeRequired } = currentUser(request);
      // Said only when true: every other account keeps the answer the SDK knows.
      return { id, name, email, role, created_at, ...(passwordChangeRequired ? { password_change_required: true } : {}) };
    });

    app.post(
      '/users/me/sdk-token',
      {
        ...auth,
        schema: {
          tags: ['users'],
          summary: 'Regenerate the SDK token',
          description: 'Returns the new token this once. The previous token is refused from the very next request, and the sessions opened with it are revoked.',
          security,
          response: { 200: sdkTokenSchema, ...errorResponses },
        },
      },
      async (request) => ({ sdk_token: await regenerateSdkToken(ctx, currentUser(request).id) }),
    );

    app.delete(
      '/users/me/sdk-token',
      {
        ...auth,
        schema: {
          tags: ['users'],
          summary: 'Revoke the SDK token (sign out)',
          description: 'The token is refused from the very next request and the sessions opened with it are revoked. Signing in again issues a new one.',
          security,
          response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses },
        },
      },
      async (request) => {
        await revokeSdkToken(ctx, currentUser(request).id);
        return { ok: true as const };
      },
    );

    app.post(
      '/users/me/password',
      {
        ...auth,
        schema: {
          tags: ['users'],
          summary: 'Change the caller\'s password',
          description: 'Other password sessions of the user are revoked.',
          security,
          body: passwordChangeSchema,
          response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses },
        },
      },
      async (request) => {
        const user = currentUser(request);
        const guess: GuessKey[] = [{ account: user.email }, { address: request.ip }];
        await countGuess(ctx, guess, 'Too many wrong passwords');
        const row = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
        if (!(await verifyPassword(request.body.current_password, row.password_hash)))
          throw new AppError('validation', 'current_password: is wrong', 'current_password');
        await guessWasRight(ctx, guess);
        const now = iso(ctx.now());
        await ctx.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('users')
            .set({ password_hash: await hashPassword(request.body.new_password), password_change_required: 0, password_expires_at: null, updated_at: now })
            .where('id', '=', user.id)
            .execute();
          await trx
            .updateTable('sessions')
            .set({ revoked_at: now })
            .where('user_id', '=', user.id)
            .where('kind', '=', 'password')
            .where('id', '!=', user.sessionId)
            .where('revoked_at', 'is', null)
            .execute();
        });
        return { ok: true as const };
      },
    );

    const userIdParams = z.object({ id: z.string().max(100) });
    const userCard = userPublicSchema.extend({ role: userRole.optional(), created_at: z.string().optional(), deleted_at: z.string().nullable().optional() });

    app.get(
      '/users/:id',
      {
        ...auth,
        schema: {
          tags: ['users'],
          summary: 'A user\'s card {id, name, email} (admins also get role and dates); deleted users stay readable for history',
          security,
          params: userIdParams,
          response: { 200: userCard, ...errorResponses },
        },
      },
      async (request) => {
        const row = await ctx.db.selectFrom('users').select(USER_COLUMNS).where('id', '=', request.params.id).executeTakeFirst();
        if (!row) throw new AppError('not_found', `user ${request.params.id} does not exist`);
        return currentUser(request).role === 'admin' ? userOut(row) : publicUser(row);
      },
    );

    app.get(
      '/users',
      {
        ...auth,
        schema: {
          tags: ['users'],
          summary: 'Users: admins get every account (include_deleted=true for deleted ones too); members get the cards of active users',
          security,
          description: 'With since=<cursor>: only the users created, changed or deleted since then (deleted ones are listed in deleted).',
          querystring: z.object({ include_deleted: z.enum(['true', 'false']).default('false'), since: cursorParam.optional() }).strict(),
          response: { 200: z.object({ items: z.array(userCard), deleted: z.array(z.string()), cursor: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const admin = currentUser(request).role === 'admin';
        let query = ctx.db.selectFrom('users').select(USER_COLUMNS).orderBy('email').orderBy('created_at');
        let cursor: number;
        let deleted: string[] = [];
        if (request.query.since !== undefined) {
          const changes = await changedSince(ctx.db, 'user', request.query.since);
          cursor = changes.cursor;
          deleted = changes.deletes.map((d) => d.key);
          if (changes.upserts.length === 0) return { items: [], deleted, cursor: String(cursor) };
          query = query.where('id', 'in', changes.upserts).where('deleted_at', 'is', null);
        } else {
          cursor = await currentCursor(ctx.db);
          if (!admin || request.query.include_deleted !== 'true') query = query.where('deleted_at', 'is', null);
        }
        const rows = await query.execute();
        return { items: rows.map((row) => (admin ? userOut(row) : publicUser(row))), deleted, cursor: String(cursor) };
      },
    );

    app.post(
      '/users',
      {
        ...auth,
        schema: {
          tags: ['users'],
          summary: 'Add a user (admins). The user is mailed a code to choose a password.',
          security,
          body: userCreateSchema.strict(),
          response: { 201: userSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const admin = currentUser(request);
        requireAdmin(admin);
        const user = await createUser(ctx, request.body);
        await recordChange(ctx.db, ctx, { resource: 'user', key: user.id, op: 'upsert' });
        await inviteUser(ctx, user.id, user.email, admin.name);
        reply.code(201);
        return userOut(user);
      },
    );

    app.patch(
      '/users/:id',
      {
        ...auth,
        schema: { tags: ['users'], summary: 'Edit a user\'s name, email or role (admins)', security, params: userIdParams, body: userUpdateSchema, response: { 200: userSchema, ...errorResponses } },
      },
      async (request) => {
        requireAdmin(currentUser(request));
        const row = await liveUser(ctx, request.params.id);
        const changes = request.body;
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
        return userOut(await liveUser(ctx, row.id));
      },
    );

    app.delete(
      '/users/:id',
      {
        ...auth,
        schema: {
          tags: ['users'],
          summary: 'Delete a user (admins)',
          description: 'The account is closed (sign-in, SDK token and sessions stop at once, memberships end) but kept for history: what the user created still names them.',
          security,
          params: userIdParams,
          response: { 200: userSchema, ...errorResponses },
        },
      },
      async (request) => {
        requireAdmin(currentUser(request));
        const row = await liveUser(ctx, request.params.id);
        if (row.role === 'admin') await requireAnotherAdmin(ctx, row.id);
        const now = iso(ctx.now());
        await ctx.db.transaction().execute(async (trx) => {
          await trx.updateTable('users').set({ deleted_at: now, updated_at: now, password_hash: null, sdk_token_hash: null }).where('id', '=', row.id).execute();
          await trx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', row.id).where('revoked_at', 'is', null).execute();
          await trx.deleteFrom('members').where('user_id', '=', row.id).execute();
          await recordChange(trx, ctx, { resource: 'user', key: row.id, op: 'delete' });
        });
        return userOut({ ...row, deleted_at: now });
      },
    );
  };
}
