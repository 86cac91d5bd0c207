// How the hot path's reads reach each database (database.ts hotRead): on SQLite a read-only connection
// of their own, on PostgreSQL statements planned once per pooled connection.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from './database.js';
import { freshPostgresDatabase, POSTGRES_URL } from '../test-helpers.js';

describe.skipIf(!POSTGRES_URL)(`hot reads on PostgreSQL${POSTGRES_URL ? '' : ' — needs CRAFT_TEST_DATABASE_URL (PostgreSQL)'}`, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function open(): Promise<OpenDatabase> {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-hot-read-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const fresh = await freshPostgresDatabase(POSTGRES_URL!);
    cleanups.push(fresh.drop);
    const database = await openDatabase({ dataDir, databaseUrl: fresh.url });
    cleanups.push(() => database.close());
    return database;
  }

  it('are parsed and planned once per connection (named prepared statements), with the same rows as an unprepared query', async () => {
    const { db, hotRead } = await open();
    expect(hotRead).toBeDefined();
    const text = 'SELECT count(*) AS n, $1::text AS asked FROM kysely_migration';
    const first = await hotRead!(text, ['a']);
    const again = await hotRead!(text, ['b']);
    const unprepared = (await db.executeQuery(CompiledQuery.raw(text, ['b']))).rows;
    expect(again).toEqual(unprepared);
    expect(first).toEqual([{ n: (unprepared[0] as { n: number }).n, asked: 'a' }]);
    // Read one after another, the reads ran on one pooled connection, which now holds the statement.
    const prepared = await hotRead!('SELECT statement FROM pg_prepared_statements WHERE statement = $1', [text]);
    expect(prepared).toEqual([{ statement: text }]);
  });

  it('fail with the database error a query through Kysely gives (a bad statement names its fault)', async () => {
    const { hotRead } = await open();
    await expect(hotRead!('SELECT no_such_column FROM kysely_migration', [])).rejects.toThrow(/no_such_column/);
  });
});
