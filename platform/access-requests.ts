// Access requests: someone the platform does not know asks to join; an administrator approves or declines.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import { isUniqueViolation } from './db/errors.js';

export const ACCESS_REQUEST_SENT =
  'This email has no account yet: your access request was sent to the administrators. You will receive a mail when it is approved.';
export const accessRequestSentSchema = z.object({ access_request: z.literal('sent'), message: z.string() });

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
