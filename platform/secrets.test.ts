// Issue 10, item 3: the JWT signing key is derived from the master key, never stored in the
// database: a copy of platform.sqlite (or of the PostgreSQL database) forges no token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { decodeJwt, SignJWT } from 'jose';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlatform, type BuiltPlatform } from './index.js';
import { migrationProvider } from './db/migrations.js';
import { rotateSigningKey } from './auth.js';
import { bearer, DIALECTS, freshPostgresDatabase, POSTGRES_URL } from './test-helpers.js';

/** Tokens for the admin's session, signed with each value the database holds (as raw text and as base64url bytes). */
async function forgedTokens(db: Kysely<any>, sub: string, sid: string): Promise<string[]> {
  const rows = (await db.selectFrom('settings').select(['key', 'value']).execute()) as { key: string; value: string }[];
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (const { value } of rows)
    for (const key of [Buffer.from(value, 'utf8'), Buffer.from(value, 'base64url')])
      if (key.length > 0) tokens.push(await new SignJWT({ sid }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt(now).setExpirationTime(now + 600).sign(key));
  return tokens;
}

describe.each(DIALECTS)('the JWT signing key on $label', ({ dialect, skip }) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function place(): Promise<{ dataDir: string; databaseUrl: string | undefined; open(): Kysely<any> }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-signing-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    if (dialect === 'postgres') {
      const fresh = await freshPostgresDatabase(POSTGRES_URL!);
      cleanups.push(fresh.drop);
      databaseUrl = fresh.url;
    }
    const open = () =>
      dialect === 'postgres'
        ? new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }) })
        : new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(join(dataDir, 'platform.sqlite')) }) });
    return { dataDir, databaseUrl, open };
  }

  async function adminAccess(platform: BuiltPlatform): Promise<string> {
    const sdk = await platform.issueLocalAdminToken();
    return (await platform.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: sdk } })).json().access_token;
  }

  const me = (platform: BuiltPlatform, token: string) => platform.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) });

  it.skipIf(skip)('a copy of the database forges no admin token: nothing in it signs one', async () => {
    const { dataDir, databaseUrl, open } = await place();
    const platform = await buildPlatform({ dataDir, databaseUrl });
    cleanups.push(() => platform.close());
    const access = await adminAccess(platform);
    expect((await me(platform, access)).statusCode).toBe(200);
    const { sub, sid } = decodeJwt(access) as { sub: string; sid: string };
    const copy = open();
    try {
      const forged = await forgedTokens(copy, sub, sid);
      for (const token of forged) expect((await me(platform, token)).statusCode).toBe(401);
      expect(await copy.selectFrom('settings').select('key').where('key', '=', 'jwt_secret').execute()).toEqual([]);
    } finally {
      await copy.destroy();
    }
  });

  it.skipIf(skip)('an older database loses the signing secret it held at upgrade, and tokens forged with it are refused', async () => {
    const { dataDir, databaseUrl, open } = await place();
    const old = open();
    expect((await new Migrator({ db: old, provider: migrationProvider(dialect) }).migrateTo('0006_sign_in_attempts')).error).toBeUndefined();
    const leaked = Buffer.from('an old secret that was stored in the database').toString('base64url');
    await old.insertInto('settings').values({ key: 'jwt_secret', value: leaked }).execute();
    await old.destroy();

    const platform = await buildPlatform({ dataDir, databaseUrl });
    cleanups.push(() => platform.close());
    const access = await adminAccess(platform);
    const { sub, sid } = decodeJwt(access) as { sub: string; sid: string };
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ sid }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt(now).setExpirationTime(now + 600).sign(Buffer.from(leaked, 'base64url'));
    expect((await me(platform, forged)).statusCode).toBe(401);
    expect(await platform.context.db.selectFrom('settings').select('key').where('key', '=', 'jwt_secret').execute()).toEqual([]);
  });

  it.skipIf(skip)('every process with the same master key signs alike; rotating the signing key ends every session', async () => {
    const { dataDir, databaseUrl } = await place();
    const first = await buildPlatform({ dataDir, databaseUrl });
    const access = await adminAccess(first);
    const second = await buildPlatform({ dataDir, databaseUrl });
    try {
      expect((await me(second, access)).statusCode).toBe(200);
      await rotateSigningKey(second.context);
    } finally {
      await second.close();
      await first.close();
    }
    const rotated = await buildPlatform({ dataDir, databaseUrl });
    cleanups.push(() => rotated.close());
    expect((await me(rotated, access)).statusCode).toBe(401);
    const open = await rotated.context.db.selectFrom('sessions').select('id').where('revoked_at', 'is', null).execute();
    expect(open).toEqual([]);
    expect((await me(rotated, await adminAccess(rotated))).statusCode).toBe(200);
  });
});
