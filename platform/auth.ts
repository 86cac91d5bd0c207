// Sessions and access tokens. An access token is a short JWT (HS256) naming a session;
// the session row is checked on every request, so revoking it takes effect at once.
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import { platformContract } from '../domain/platform-contract.js';
import { deriveSigningKey } from './secrets.js';
import { refuseUntilPasswordChanged } from './first-admin.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import type { Kysely } from 'kysely';
import type { Database, UsersTable } from './db/schema.js';

export interface AuthenticatedUser {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'member';
  created_at: string;
  sessionId: string;
  /** The account signed in with a generated one-time password it must change before anything else. */
  passwordChangeRequired: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthenticatedUser | null;
  }
}

const SIGNING_SALT = 'jwt_signing_salt';

/**
 * The JWT signing key, derived from the master key (see deriveSigningKey). The database keeps only
 * the salt, which is no secret, so every process with the same master key signs alike.
 */
export async function loadSigningKey(db: Kysely<Database>, masterKey: Buffer): Promise<Uint8Array> {
  await db
    .insertInto('settings')
    .values({ key: SIGNING_SALT, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', SIGNING_SALT).executeTakeFirstOrThrow();
  return deriveSigningKey(masterKey, row.value);
}

/**
 * A new signing key (a new salt): every access token signed so far is refused, and every session
 * ends. This process signs with the new key at once; other processes of the platform once restarted.
 */
export async function rotateSigningKey(ctx: PlatformContext): Promise<void> {
  const salt = randomBytes(32).toString('base64url');
  const now = iso(ctx.now());
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('settings').set({ value: salt }).where('key', '=', SIGNING_SALT).execute();
    await trx.updateTable('sessions').set({ revoked_at: now }).where('revoked_at', 'is', null).execute();
  });
  ctx.jwtSecret = deriveSigningKey(ctx.masterKey, salt);
}

export async function createSession(ctx: PlatformContext, userId: string, kind: 'password' | 'sdk'): Promise<string> {
  const now = ctx.now();
  const lifetime = kind === 'password' ? ctx.policy.passwordSessionSeconds : ctx.policy.sdkSessionSeconds;
  const id = randomUUID();
  await ctx.db
    .insertInto('sessions')
    .values({ id, user_id: userId, kind, created_at: iso(now), expires_at: iso(new Date(now.getTime() + lifetime * 1000)), revoked_at: null })
    .execute();
  return id;
}

export async function signAccessToken(ctx: PlatformContext, userId: string, sessionId: string): Promise<string> {
  const now = Math.floor(ctx.now().getTime() / 1000);
  return new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + ctx.policy.accessTokenSeconds)
    .sign(ctx.jwtSecret);
}

const unauthorized = (message = 'sign in again: the access token is missing, expired or revoked') => new AppError('unauthorized', message);

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Signature checks already done, by token: a pure cache (a valid signature stays valid), so no state
 * that matters lives here; expiry is checked on every use and the session row on every request.
 */
const verifiedBySecret = new WeakMap<Uint8Array, Map<string, { sub: string; sid: string; exp: number }>>();
const VERIFIED_MAX = 10_000;

async function verifyAccessToken(ctx: PlatformContext, token: string): Promise<{ sub: string; sid: string } | null> {
  const nowSeconds = Math.floor(ctx.now().getTime() / 1000);
  let verified = verifiedBySecret.get(ctx.jwtSecret);
  if (!verified) verifiedBySecret.set(ctx.jwtSecret, (verified = new Map()));
  const hit = verified.get(token);
  if (hit) return hit.exp > nowSeconds ? hit : null;
  try {
    const { payload } = await jwtVerify(token, ctx.jwtSecret, { algorithms: ['HS256'], currentDate: ctx.now() });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return null;
    if (verified.size >= VERIFIED_MAX) verified.clear();
    const claims = { sub: payload.sub, sid: payload.sid, exp: payload.exp };
    verified.set(token, claims);
    return claims;
  } catch {
    return null;
  }
}

/** The access token's claims, signature and expiry checked (the session is the caller's to check). */
export async function accessTokenClaims(ctx: PlatformContext, request: FastifyRequest): Promise<{ sub: string; sid: string }> {
  const token = bearerToken(request);
  if (!token) throw unauthorized(`authorization: send "Authorization: Bearer <access token>" (from ${platformContract.login.path} or ${platformContract.refresh.path})`);
  const claims = await verifyAccessToken(ctx, token);
  if (!claims) throw unauthorized();
  return claims;
}

export async function authenticate(ctx: PlatformContext, request: FastifyRequest): Promise<AuthenticatedUser> {
  const { sub, sid } = await accessTokenClaims(ctx, request);
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.name', 'users.email', 'users.role', 'users.created_at', 'sessions.id as session_id', 'sessions.expires_at'])
    .select(['users.password_change_required', 'users.password_expires_at'])
    .where('sessions.id', '=', sid)
    .where('sessions.user_id', '=', sub)
    .where('sessions.revoked_at', 'is', null)
    .where('users.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.expires_at <= iso(ctx.now())) throw unauthorized();
  refuseUntilPasswordChanged(ctx, row, `${request.method} ${request.routeOptions.url}`);
  return { id: row.id, name: row.name, email: row.email, role: row.role, created_at: row.created_at, sessionId: row.session_id, passwordChangeRequired: row.password_change_required === 1 };
}

/** preHandler for routes that need a signed-in user. */
export function requireUser(ctx: PlatformContext) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    request.user = await authenticate(ctx, request);
  };
}

export function currentUser(request: FastifyRequest): AuthenticatedUser {
  if (!request.user) throw unauthorized();
  return request.user;
}

export function requireAdmin(user: AuthenticatedUser): void {
  if (user.role !== 'admin') throw new AppError('forbidden', 'only an administrator can do this');
}

export async function revokeSessions(ctx: PlatformContext, userId: string, kind?: 'password' | 'sdk'): Promise<void> {
  let query = ctx.db.updateTable('sessions').set({ revoked_at: iso(ctx.now()) }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (kind) query = query.where('kind', '=', kind);
  await query.execute();
}

export function publicUser(user: Pick<UsersTable, 'id' | 'name' | 'email'>) {
  return { id: user.id, name: user.name, email: user.email };
}
