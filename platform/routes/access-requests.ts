// /api/v1/access-requests: first connections, reviewed by administrators.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { accessRequestCreateSchema, accessRequestSchema, ACCESS_REQUEST_STATUSES } from '../../domain/access.js';
import { userRole, userSchema } from '../../domain/user.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, requireAdmin, requireUser } from '../auth.js';
import { ACCESS_REQUEST_SENT, accessRequestSentSchema, requestAccess } from '../access-requests.js';
import { createUser, inviteUser, userOut } from '../users-store.js';
import { countGuess } from '../login-throttle.js';
import { errorResponses } from './auth.js';
import { recordChange } from '../changes.js';

export function accessRequestRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];
    const idParams = z.object({ id: z.string().max(100) });

    app.post(
      '/access-requests',
      {
        schema: {
          tags: ['access requests'],
          summary: 'Ask for an account (no sign-in needed)',
          body: accessRequestCreateSchema,
          response: { 202: accessRequestSentSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        // Counted like a wrong guess so the form cannot be used to flood the administrators.
        await countGuess(ctx, [{ address: request.ip }], 'Too many attempts');
        const known = await ctx.db.selectFrom('users').select('id').where('email', '=', request.body.email).where('deleted_at', 'is', null).executeTakeFirst();
        if (!known) await requestAccess(ctx, request.body.email, request.body.name ?? null);
        reply.code(202);
        return { access_request: 'sent' as const, message: ACCESS_REQUEST_SENT };
      },
    );

    app.get(
      '/access-requests',
      {
        ...auth,
        schema: {
          tags: ['access requests'],
          summary: 'Access requests (admins), pending ones by default',
          security,
          querystring: z.object({ status: z.enum([...ACCESS_REQUEST_STATUSES, 'all']).default('pending') }).strict(),
          response: { 200: z.object({ items: z.array(accessRequestSchema) }), ...errorResponses },
        },
      },
      async (request) => {
        requireAdmin(currentUser(request));
        let query = ctx.db.selectFrom('access_requests').selectAll().orderBy('created_at', 'desc');
        if (request.query.status !== 'all') query = query.where('status', '=', request.query.status);
        return { items: await query.execute() };
      },
    );

    async function decide(id: string, adminId: string, status: 'approved' | 'declined') {
      const now = iso(ctx.now());
      const row = await ctx.db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new AppError('not_found', `access request ${id} does not exist`);
      if (row.status !== 'pending') throw new AppError('conflict', `status: this request was already ${row.status}`, 'status');
      const updated = await ctx.db
        .updateTable('access_requests')
        .set({ status, decided_at: now, decided_by: adminId })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new AppError('conflict', 'status: this request was decided meanwhile', 'status');
      return { ...row, status, decided_at: now, decided_by: adminId };
    }

    app.post(
      '/access-requests/:id/approve',
      {
        ...auth,
        schema: {
          tags: ['access requests'],
          summary: 'Approve: creates the user and mails them how to sign in (admins)',
          security,
          params: idParams,
          body: z.object({ role: userRole.default('member'), name: z.string().trim().min(1).max(200).optional() }).strict().default({ role: 'member' }),
          response: { 200: z.object({ request: accessRequestSchema, user: userSchema }), ...errorResponses },
        },
      },
      async (request) => {
        const admin = currentUser(request);
        requireAdmin(admin);
        const pending = await ctx.db.selectFrom('access_requests').selectAll().where('id', '=', request.params.id).executeTakeFirst();
        if (!pending) throw new AppError('not_found', `access request ${request.params.id} does not exist`);
        if (pending.status !== 'pending') throw new AppError('conflict', `status: this request was already ${pending.status}`, 'status');
        const user = await createUser(ctx, { name: request.body.name ?? pending.name, email: pending.email, role: request.body.role });
        await recordChange(ctx.db, ctx, { resource: 'user', key: user.id, op: 'upsert' });
        const decided = await decide(request.params.id, admin.id, 'approved');
        await inviteUser(ctx, user.id, user.email, admin.name);
        return { request: decided, user: userOut(user) };
      },
    );

    app.post(
      '/access-requests/:id/decline',
      {
        ...auth,
        schema: {
          tags: ['access requests'],
          summary: 'Decline an access request (admins)',
          security,
          params: idParams,
          response: { 200: z.object({ request: accessRequestSchema }), ...errorResponses },
        },
      },
      async (request) => {
        const admin = currentUser(request);
        requireAdmin(admin);
        return { request: await decide(request.params.id, admin.id, 'declined') };
      },
    );
  };
}
