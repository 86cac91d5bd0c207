// Failed sign-ins, counted in the database (several processes may share it):
// after a few failures each attempt waits longer, then the account or address is locked for a while.
import { sql } from 'kysely';
import { AppError } from '../domain/errors.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';

export class RateLimitedError extends AppError {
  constructor(readonly retryAfter: number) {
    super('rate_limited', `too many failed sign-ins: try again in ${Math.ceil(retryAfter / 60)} minute(s), or reset your password`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Throws RateLimitedError when a key is locked; otherwise waits as long as the failures so far ask. */
export async function checkLoginAllowed(ctx: PlatformContext, keys: string[]): Promise<void> {
  const now = ctx.now();
  const rows = await ctx.db.selectFrom('login_failures').selectAll().where('key', 'in', keys).execute();
  const cutoff = iso(new Date(now.getTime() - ctx.policy.failureWindowSeconds * 1000));
  let delay = 0;
  for (const row of rows) {
    if (row.locked_until && row.locked_until > iso(now)) {
      throw new RateLimitedError(Math.max(1, Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 1000)));
    }
    if (row.first_failure_at < cutoff) continue;
    const extra = row.failures - ctx.policy.freeFailures;
    if (extra >= 0) delay = Math.max(delay, Math.min(ctx.policy.maxSlowdownMs, ctx.policy.slowdownMs * 2 ** extra));
  }
  if (delay > 0) await sleep(delay);
}

export async function recordLoginFailure(ctx: PlatformContext, keys: string[]): Promise<void> {
  const now = ctx.now();
  const nowText = iso(now);
  const cutoff = iso(new Date(now.getTime() - ctx.policy.failureWindowSeconds * 1000));
  const lockedUntil = iso(new Date(now.getTime() + ctx.policy.lockSeconds * 1000));
  for (const key of keys) {
    await ctx.db
      .insertInto('login_failures')
      .values({ key, failures: 1, first_failure_at: nowText, locked_until: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`CASE WHEN login_failures.first_failure_at < ${cutoff} THEN 1 ELSE login_failures.failures + 1 END`,
          first_failure_at: sql`CASE WHEN login_failures.first_failure_at < ${cutoff} THEN ${nowText} ELSE login_failures.first_failure_at END`,
        }),
      )
      .execute();
    const threshold = key.startsWith('account:') ? ctx.policy.accountLockAfter : ctx.policy.addressLockAfter;
    await ctx.db
      .updateTable('login_failures')
      .set({ locked_until: lockedUntil })
      .where('key', '=', key)
      .where('failures', '>=', threshold)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowText)]))
      .execute();
  }
}

export async function clearLoginFailures(ctx: PlatformContext, keys: string[]): Promise<void> {
  await ctx.db.deleteFrom('login_failures').where('key', 'in', keys).execute();
}
