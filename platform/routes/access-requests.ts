// /api/v1/access-requests: first connections, reviewed by administrators.
import type { FastifyInstance } from 'fastify';
import { ACCESS_REQUEST_SENT } from '../../domain/platform-contract.js';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { decideAccessRequest, listAccessRequests, pendingAccessRequest, requestAccess } from '../access-requests.js';
import { createUser, findLiveUserByEmail, inviteUser, userOut } from '../users-store.js';
import { countGuess } from '../login-throttle.js';
import { recordChange } from '../changes.js';

export function accessRequestRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);

  route('requestAccess', async (request) => {
    // Counted like a wrong guess so the form cannot be used to flood the administrators.
    await countGuess(ctx, [{ address: request.ip }], 'Too many attempts');
    const known = await findLiveUserByEmail(ctx, request.body.email);
    if (!known) await requestAccess(ctx, request.body.email, request.body.name ?? null);
    return { access_request: 'sent' as const, message: ACCESS_REQUEST_SENT };
  });

  route('listAccessRequests', async (request) => ({ items: await listAccessRequests(ctx, request.query.status) }));

  route('approveAccessRequest', async (request, _reply, { user: admin }) => {
    const pending = await pendingAccessRequest(ctx, request.params.id);
    const user = await createUser(ctx, { name: request.body.name ?? pending.name, email: pending.email, role: request.body.role });
    await recordChange(ctx.db, ctx, { resource: 'user', key: user.id, op: 'upsert' });
    const decided = await decideAccessRequest(ctx, request.params.id, admin.id, 'approved');
    const invitation = await inviteUser(ctx, user.id, user.email, admin.name);
    return { request: decided, user: userOut(user), ...(invitation ? { invitation } : {}) };
  });

  route('declineAccessRequest', async (request, _reply, { user: admin }) => ({ request: await decideAccessRequest(ctx, request.params.id, admin.id, 'declined') }));
}
