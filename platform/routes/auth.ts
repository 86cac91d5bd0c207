// /api/v1/auth: sign in, sign out, SDK token → access token.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, apiErrorSchema } from '../../domain/errors.js';
import { accessTokenSchema, loginSchema, refreshSchema } from '../../domain/user.js';
import type { PlatformContext } from '../context.js';
import { createSession, requireUser, signAccessToken, currentUser } from '../auth.js';
import { hashToken, verifyPassword } from '../secrets.js';
import { iso } from '../context.js';
import { checkLoginAllowed, recordLoginFailure, clearLoginFailures } from '../login-throttle.js';

export const errorResponses = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
  429: apiErrorSchema,
};

export function authRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password',
          description: 'Repeated failures are slowed down, then refused for a while (429), per account and per address.',
          body: loginSchema,
          response: {
            200: accessTokenSchema.extend({ token_type: z.literal('Bearer'), expires_in: z.number(), password_change_required: z.boolean() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { email, password } = request.body;
        const keys = [`account:${email}`, `address:${request.ip}`];
        await checkLoginAllowed(ctx, keys);
        const user = await ctx.db
          .selectFrom('users')
          .select(['id', 'password_hash', 'password_change_required'])
          .where('email', '=', email)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        const ok = await verifyPassword(password, user?.password_hash ?? null);
        if (!user || !ok) {
          await recordLoginFailure(ctx, keys);
          throw new AppError('unauthorized', 'email or password is wrong');
        }
        await clearLoginFailures(ctx, [keys[0]!]);
        const sessionId = await createSession(ctx, user.id, 'password');
        return {
          access_token: await signAccessToken(ctx, user.id, sessionId),
          token_type: 'Bearer' as const,
          expires_in: ctx.policy.accessTokenSeconds,
          password_change_required: user.password_change_required === 1,
        };
      },
    );

    app.post(
      '/auth/refresh',
      {
        schema: {
          tags: ['auth'],
          summary: 'Exchange an SDK token for a short-lived access token (what the Python SDK calls)',
          body: refreshSchema,
          response: { 200: accessTokenSchema.extend({ token_type: z.literal('Bearer'), expires_in: z.number() }), ...errorResponses },
        },
      },
      async (request) => {
        const user = await ctx.db
          .selectFrom('users')
          .select(['id'])
          .where('sdk_token_hash', '=', hashToken(request.body.refresh_token))
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (!user) throw new AppError('unauthorized', 'refresh_token: this SDK token is not valid (it may have been regenerated): copy the current one from the app', 'refresh_token');
        const sessionId = await createSession(ctx, user.id, 'sdk');
        return { access_token: await signAccessToken(ctx, user.id, sessionId), token_type: 'Bearer' as const, expires_in: ctx.policy.accessTokenSeconds };
      },
    );

    app.post(
      '/auth/logout',
      {
        preHandler: requireUser(ctx),
        schema: { tags: ['auth'], summary: 'Sign out: revokes the session of this access token', security: [{ bearer: [] }], response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } },
      },
      async (request) => {
        const user = currentUser(request);
        await ctx.db.updateTable('sessions').set({ revoked_at: iso(ctx.now()) }).where('id', '=', user.sessionId).execute();
        return { ok: true as const };
      },
    );
  };
}
