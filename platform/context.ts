// What every route module is given: the database, the secrets, the configuration.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import type { Dialect } from './db/database.js';
import type { Mailer } from './mail.js';
import type { PreparedQueries } from './db/prepared.js';

export interface PlatformContext {
  db: Kysely<Database>;
  dialect: Dialect;
  masterKey: Buffer;
  /** Derived from the master key (auth.ts loadSigningKey); replaced when rotated. */
  jwtSecret: Uint8Array;
  /** Base URL of the platform, no trailing slash; known once listening. */
  publicUrl(): string;
  mailer: Mailer;
  /** Time source, replaceable in tests. */
  now(): Date;
  policy: PlatformPolicy;
  /** Hot-path queries compiled once (see db/prepared.ts). */
  prepared: PreparedQueries;
}

export interface PlatformPolicy {
  accessTokenSeconds: number;
  /** A password session lives this long, whatever the access tokens minted from it. */
  passwordSessionSeconds: number;
  /** An SDK session lives until the token is regenerated, capped at this. */
  sdkSessionSeconds: number;
  /** Password guesses (sign-in, reset code, password change) per account and per address; see login-throttle.ts. */
  accountGuesses: GuessLimit;
  addressGuesses: GuessLimit;
  /** A key's guesses are forgotten after this long without one. */
  guessesForgottenAfterSeconds: number;
  resetCodeSeconds: number;
  /** An invitation code lives longer than a reset code: an admin may hand it over by hand. */
  invitationCodeSeconds: number;
  /** How long a ?wait_for_completion=true call waits for an end before answering what it has (a 307 for outputs: the SDK asks again). */
  longPollSeconds: number;
  /** The first admin's generated one-time password works this long. */
  oneTimePasswordSeconds: number;
}

/** The first `free` guesses are answered at once; then each waits twice as long as the one before, from `firstDelayMs` up to `maxDelayMs`. */
export interface GuessLimit {
  free: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_POLICY: PlatformPolicy = {
  accessTokenSeconds: 3600,
  passwordSessionSeconds: 12 * 3600,
  sdkSessionSeconds: 30 * 24 * 3600,
  accountGuesses: { free: 5, firstDelayMs: 1000, maxDelayMs: 15 * 60_000 },
  addressGuesses: { free: 30, firstDelayMs: 1000, maxDelayMs: 15 * 60_000 },
  guessesForgottenAfterSeconds: 3600,
  resetCodeSeconds: 30 * 60,
  oneTimePasswordSeconds: 24 * 3600,
  longPollSeconds: 20,
  invitationCodeSeconds: 24 * 3600,
};

export function iso(date: Date): string {
  return date.toISOString();
}
