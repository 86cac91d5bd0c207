// /api/v1/auth: sign in, sign out, SDK token → access token.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { WHERE_TO_ENTER_A_CODE } from '../../domain/access.js';
import { ACCESS_REQUEST_SENT } from '../../domain/platform-contract.js';
import { issueResetCode, lastCodeAt, resetPassword } from '../password-reset.js';
import { requestAccess } from '../access-requests.js';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { createSession, signAccessToken } from '../auth.js';
import { hashToken, verifyPassword } from '../secrets.js';
import { iso } from '../context.js';
import { countGuess, guessWasRight, type GuessKey } from '../login-throttle.js';
import { ONE_TIME_PASSWORD_EXPIRED, oneTimePasswordExpired } from '../first-admin.js';

export function authRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);
  route('login', async (request, reply) => {
    const { email, password } = request.body;
    const keys: GuessKey[] = [{ account: email }, { address: request.ip }];
    await countGuess(ctx, keys, 'Too many failed sign-ins');
    const user = await ctx.db
      .selectFrom('users')
      .select(['id', 'password_hash', 'password_change_required', 'password_expires_at'])
      .where('email', '=', email)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    const ok = await verifyPassword(password, user?.password_hash ?? null);
    if (!user) {
      // First connection, as the platform's documentation describes it: an unknown person asks for access.
      await requestAccess(ctx, email, null);
      reply.code(202);
      return { access_request: 'sent' as const, message: ACCESS_REQUEST_SENT };
    }
    if (!ok) throw new AppError('unauthorized', 'email or password is wrong');
    if (user.password_change_required === 1 && oneTimePasswordExpired(ctx, user.password_expires_at)) throw new AppError('unauthorized', ONE_TIME_PASSWORD_EXPIRED, 'password');
    await guessWasRight(ctx, keys);
    const sessionId = await createSession(ctx, user.id, 'password');
    return {
      access_token: await signAccessToken(ctx, user.id, sessionId),
      token_type: 'Bearer' as const,
      expires_in: ctx.policy.accessTokenSeconds,
      password_change_required: user.password_change_required === 1,
    };
  });

  route('forgotPassword', async (request, reply) => {
    const { email } = request.body;
    const user = await ctx.db.selectFrom('users').select(['id', 'email']).where('email', '=', email).where('deleted_at', 'is', null).executeTakeFirst();
    if (user) {
      const last = await lastCodeAt(ctx, user.id);
      // At most one mail a minute per account.
      if (!last || Date.parse(last) < ctx.now().getTime() - 60_000) {
        const code = await issueResetCode(ctx, user.id);
        const minutes = Math.round(ctx.policy.resetCodeSeconds / 60);
        ctx.mailer
          .send({
            to: user.email,
            subject: 'Your Craft MLOps password reset code',
            text:
              `Someone (hopefully you) asked to reset the password of ${user.email} on ${ctx.publicUrl()}.\n\n` +
              `Your code, valid ${minutes} minutes and usable once:\n\n    ${code}\n\n` +
              `In the app: ${WHERE_TO_ENTER_A_CODE}, then this code and your new password. If you did not ask for this, ignore this mail: your password stays as it is.\n`,
          })
          .catch((error: unknown) => request.log.warn({ err: { message: (error as Error).message } }, 'password reset mail failed'));
      }
    }
    reply.code(202);
    return { message: 'If an account exists for this email, a mail with a code was sent. The code expires within the hour.' };
  });

  route('resetPassword', async (request) => {
    const keys: GuessKey[] = [{ address: request.ip }];
    await countGuess(ctx, keys, 'Too many failed attempts');
    await resetPassword(ctx, request.body.code, request.body.new_password);
    await guessWasRight(ctx, keys);
    return { ok: true as const };
  });

  route('refresh', async (request) => {
    const user = await ctx.db
      .selectFrom('users')
      .select(['id'])
      .where('sdk_token_hash', '=', hashToken(request.body.refresh_token))
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!user) throw new AppError('unauthorized', 'refresh_token: this SDK token is not valid (it may have been regenerated): copy the current one from the app', 'refresh_token');
    const sessionId = await createSession(ctx, user.id, 'sdk');
    return { access_token: await signAccessToken(ctx, user.id, sessionId), token_type: 'Bearer' as const, expires_in: ctx.policy.accessTokenSeconds };
  });

  route('logout', async (_request, _reply, { user }) => {
    await ctx.db.updateTable('sessions').set({ revoked_at: iso(ctx.now()) }).where('id', '=', user.sessionId).execute();
    return { ok: true as const };
  });
}
