// Password guesses (sign-in, reset code, password change), counted in the database so that
// several processes share the count. Each guess is counted before it is checked, in one
// transaction per guess that locks the counters (INSERT … ON CONFLICT DO UPDATE … RETURNING)
// before reading them, so a parallel burst gets no more checks than the limit. After the free
// guesses, each one waits twice as long as the one before (capped): a slowed-down account is
// never locked, and the answer says when to try again.
import { sql, type Kysely, type Transaction } from 'kysely';
import { AppError } from '../domain/errors.js';
import type { Database } from './db/schema.js';
import type { GuessLimit, PlatformContext } from './context.js';
import { iso } from './context.js';

export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfter: number,
    what: string,
  ) {
    super('rate_limited', `${what}: try again in ${waitText(retryAfter)}`);
  }
}

/** "45 s", "4 min": rounded up, so the user never tries too early. */
export function waitText(seconds: number): string {
  return seconds < 60 ? `${Math.max(1, Math.ceil(seconds))} s` : `${Math.ceil(seconds / 60)} min`;
}

/** What is guessed: the password of an account, or anything at all from an address. */
export type GuessKey = { account: string } | { address: string };

const keyText = (key: GuessKey) => ('account' in key ? `account:${key.account}` : `address:${key.address}`);

/** The wait after the n-th guess of a key. */
export function delayAfter(limit: GuessLimit, guesses: number): number {
  if (guesses < limit.free) return 0;
  return Math.min(limit.maxDelayMs, limit.firstDelayMs * 2 ** (guesses - limit.free));
}

/**
 * Counts one guess for each key (in the order given, the same in every dialect and every caller:
 * account first) before the caller checks it. When a key must still wait, nothing is counted and
 * RateLimitedError says how long; `accountRefusal` words it for an account ("Too many failed sign-ins").
 */
export async function countGuess(ctx: PlatformContext, keys: GuessKey[], accountRefusal: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    for (const key of keys) {
      // Lock the counter (created when missing) and read it: a parallel guess waits here until we commit.
      const row = await trx
        .insertInto('sign_in_attempts')
        .values({ key: keyText(key), guesses: 0, last_guess_at: NEVER, next_guess_at: NEVER })
        .onConflict((oc) => oc.column('key').doUpdateSet({ guesses: sql`sign_in_attempts.guesses` }))
        .returning(['guesses', 'last_guess_at', 'next_guess_at'])
        .executeTakeFirstOrThrow();
      // The time is read once the lock is held, so a guess that waited for it compares with the newest wait.
      const now = ctx.now();
      const wait = Date.parse(row.next_guess_at) - now.getTime();
      if (wait > 0) throw new RateLimitedError(Math.ceil(wait / 1000), 'account' in key ? accountRefusal : 'Too many failed attempts from this address');
      const forgotten = Date.parse(row.last_guess_at) < now.getTime() - ctx.policy.guessesForgottenAfterSeconds * 1000;
      const guesses = forgotten ? 1 : row.guesses + 1;
      const limit = 'account' in key ? ctx.policy.accountGuesses : ctx.policy.addressGuesses;
      await trx
        .updateTable('sign_in_attempts')
        .set({ guesses, last_guess_at: iso(now), next_guess_at: iso(new Date(now.getTime() + delayAfter(limit, guesses))) })
        .where('key', '=', keyText(key))
        .execute();
    }
  });
}

const NEVER = new Date(0).toISOString();

/**
 * The guess was right: the account's guesses are forgotten, and the address's count gives this
 * one back (a right guess is no attack).
 */
export async function guessWasRight(ctx: PlatformContext, keys: GuessKey[]): Promise<void> {
  for (const key of keys) {
    if ('account' in key) await ctx.db.deleteFrom('sign_in_attempts').where('key', '=', keyText(key)).execute();
    else
      await ctx.db
        .updateTable('sign_in_attempts')
        .set({ guesses: sql`guesses - 1` })
        .where('key', '=', keyText(key))
        .where('guesses', '>', 0)
        .execute();
  }
}

/** A reset forgets the account's wrong guesses (whoever reset it holds the mailbox). */
export async function forgetAccountGuesses(db: Transaction<Database> | Kysely<Database>, email: string): Promise<void> {
  await db.deleteFrom('sign_in_attempts').where('key', '=', keyText({ account: email })).execute();
}
