// Access requests: someone the platform does not know asks to join; an administrator approves or declines.
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { AccessRequest } from '../domain/access.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import { isUniqueViolation } from './db/errors.js';

/** Files a pending request for this email, unless one is already pending or the email has an account. */
export async function requestAccess(ctx: PlatformContext, email: string, name: string | null): Promise<void> {
  const pending = await ctx.db.selectFrom('access_requests').select('id').where('email', '=', email).where('status', '=', 'pending').executeTakeFirst();
  if (pending) return;
  try {
    await ctx.db
      .insertInto('access_requests')
      .values({ id: randomUUID(), email, name: name ?? email.split('@')[0]!, status: 'pending', created_at: iso(ctx.now()), decided_at: null, decided_by: null })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // filed meanwhile by another request
  }
}

export async function listAccessRequests(ctx: PlatformContext, status: AccessRequest['status'] | 'all'): Promise<AccessRequest[]> {
  let query = ctx.db.selectFrom('access_requests').selectAll().orderBy('created_at', 'desc');
  if (status !== 'all') query = query.where('status', '=', status);
  return query.execute();
}

/** A request still waiting for a decision. */
export async function pendingAccessRequest(ctx: PlatformContext, id: string): Promise<AccessRequest> {
  const row = await ctx.db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `access request ${id} does not exist`);
  if (row.status !== 'pending') throw new AppError('conflict', `status: this request was already ${row.status}`, 'status');
  return row;
}

/** Records the decision, once: a request decided meanwhile by another administrator is a conflict. */
export async function decideAccessRequest(ctx: PlatformContext, id: string, adminId: string, status: 'approved' | 'declined'): Promise<AccessRequest> {
  const row = await pendingAccessRequest(ctx, id);
  const now = iso(ctx.now());
  const updated = await ctx.db
    .updateTable('access_requests')
    .set({ status, decided_at: now, decided_by: adminId })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new AppError('conflict', 'status: this request was decided meanwhile', 'status');
  return { ...row, status, decided_at: now, decided_by: adminId };
}
