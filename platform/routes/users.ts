// /api/v1/users: the caller's account, other users' public card, the SDK token.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { sdkTokenSchema, userPublicSchema, userSchema } from '../../domain/user.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, requireUser } from '../auth.js';
import { hashToken, newToken, SDK_TOKEN_PREFIX } from '../secrets.js';
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
