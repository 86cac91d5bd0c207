// /api/v1/users: the caller's account, other users' public card, the SDK token, administration.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { publicUser } from '../auth.js';
import {
  createUser,
  deleteUser,
  findUser,
  inviteUser,
  listUsers,
  liveUser,
  passwordHashOf,
  regenerateSdkToken,
  reinviteUser,
  revokeSdkToken,
  setPassword,
  updateUser,
  userOut,
} from '../users-store.js';
import { verifyPassword } from '../secrets.js';
import { recordChange } from '../changes.js';
import { countGuess, guessWasRight, type GuessKey } from '../login-throttle.js';

export function userRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);

  route('me', async (_request, _reply, { user }) => {
    const { id, name, email, role, created_at, passwordChangeRequired } = user;
    // Said only when true: every other account keeps the answer the SDK knows.
    return { id, name, email, role, created_at, ...(passwordChangeRequired ? { password_change_required: true } : {}) };
  });

  route('regenerateSdkToken', async (_request, _reply, { user }) => ({ sdk_token: await regenerateSdkToken(ctx, user.id) }));

  route('revokeSdkToken', async (_request, _reply, { user }) => {
    await revokeSdkToken(ctx, user.id);
    return { ok: true as const };
  });

  route('changePassword', async (request, _reply, { user }) => {
    const guess: GuessKey[] = [{ account: user.email }, { address: request.ip }];
    await countGuess(ctx, guess, 'Too many wrong passwords');
    if (!(await verifyPassword(request.body.current_password, await passwordHashOf(ctx, user.id))))
      throw new AppError('validation', 'current_password: is wrong', 'current_password');
    await guessWasRight(ctx, guess);
    await setPassword(ctx, user.id, request.body.new_password, user.sessionId);
    return { ok: true as const };
  });

  route('getUser', async (request, _reply, { user }) => {
    const row = await findUser(ctx, request.params.id);
    return user.role === 'admin' ? userOut(row) : publicUser(row);
  });

  route('listUsers', async (request, _reply, { user }) => {
    const admin = user.role === 'admin';
    const { rows, deleted, cursor } = await listUsers(ctx, { since: request.query.since, includeDeleted: admin && request.query.include_deleted === 'true' });
    return { items: rows.map((row) => (admin ? userOut(row) : publicUser(row))), deleted, cursor };
  });

  route('createUser', async (request, _reply, { user: admin }) => {
    const user = await createUser(ctx, request.body);
    await recordChange(ctx.db, ctx, { resource: 'user', key: user.id, op: 'upsert' });
    const invitation = await inviteUser(ctx, user.id, user.email, admin.name);
    return { ...userOut(user), ...(invitation ? { invitation } : {}) };
  });

  route('resendInvitation', async (request, _reply, { user: admin }) => {
    const { user, invitation } = await reinviteUser(ctx, request.params.id, admin.name);
    return { user: userOut(user), ...(invitation ? { invitation } : {}) };
  });

  route('updateUser', async (request) => userOut(await updateUser(ctx, await liveUser(ctx, request.params.id), request.body)));

  route('deleteUser', async (request) => userOut(await deleteUser(ctx, await liveUser(ctx, request.params.id))));
}
