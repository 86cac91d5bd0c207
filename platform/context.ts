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
  /** Failed sign-ins: the first `freeFailures` are free, then each waits `slowdownMs` × 2^n (capped), and at `lockAfter` the key is locked. */
  freeFailures: number;
  slowdownMs: number;
  maxSlowdownMs: number;
  accountLockAfter: number;
  addressLockAfter: number;
  lockSeconds: number;
  failureWindowSeconds: number;
  resetCodeSeconds: number;
  /** An invitation code lives longer than a reset code: an admin may hand it over by hand. */
  invitationCodeSeconds: number;
}

export const DEFAULT_POLICY: PlatformPolicy = {
  accessTokenSeconds: 3600,
  passwordSessionSeconds: 12 * 3600,
  sdkSessionSeconds: 30 * 24 * 3600,
  freeFailures: 3,
  slowdownMs: 250,
  maxSlowdownMs: 4000,
  accountLockAfter: 8,
  addressLockAfter: 30,
  lockSeconds: 15 * 60,
  failureWindowSeconds: 15 * 60,
  resetCodeSeconds: 30 * 60,
  invitationCodeSeconds: 24 * 3600,
};

export function iso(date: Date): string {
  return date.toISOString();
}
