// /api/v1/users: the caller's account, other users' public card, the SDK token.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { passwordChangeSchema, sdkTokenSchema, userPublicSchema, userSchema } from '../../domain/user.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, requireUser } from '../auth.js';
import { hashPassword, hashToken, newToken, SDK_TOKEN_PREFIX, verifyPassword } from '../secrets.js';
import { errorResponses } from './auth.js';

/** Issues a new SDK token: the old one stops working at once, with every session minted from it. */
export async function regenerateSdkToken(ctx: PlatformContext, userId: string): Promise<string> {
  const token = newToken(SDK_TOKEN_PREFIX);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ sdk_token_hash: hashToken(token), updated_at: iso(ctx.now()) }).where('id', '=', userId).execute();
    await trx.updateTable('sessions').set({ revoked_at: iso(ctx.now()) }).where('user_id', '=', userId).where('kind', '=', 'sdk').where('revoked_at', 'is', null).execute();
  });
  return token;
}

export const meSchema = userSchema.omit({ deleted_at: true });

export function userRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];

    app.get('/users/me', { ...auth, schema: { tags: ['users'], summary: 'The signed-in user', security, response: { 200: meSchema, ...errorResponses } } }, async (request) => {
      const { id, name, email, role, created_at } = currentUser(request);
      return { id, name, email, role, created_at };
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
        const row = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
        if (!(await verifyPassword(request.body.current_password, row.password_hash)))
          throw new AppError('validation', 'current_password: is wrong', 'current_password');
        const now = iso(ctx.now());
        await ctx.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('users')
            .set({ password_hash: await hashPassword(request.body.new_password), password_change_required: 0, updated_at: now })
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

    app.get(
      '/users/:id',
      {
        ...auth,
        schema: { tags: ['users'], summary: 'A user\'s public card {id, name, email}', security, params: z.object({ id: z.string().max(100) }), response: { 200: userPublicSchema, ...errorResponses } },
      },
      async (request) => {
        const row = await ctx.db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', request.params.id).executeTakeFirst();
        if (!row) throw new AppError('not_found', `user ${request.params.id} does not exist`);
        return row;
      },
    );
  };
}
