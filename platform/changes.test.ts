// The change feed behind every `since=` list, with writers in parallel on PostgreSQL (several
// processes, or one process's pooled connections): a reader's cursor never passes a change that
// is still being written, so the desktop's sync never skips one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedSince, currentCursor, recordChange } from './changes.js';
import { bearer, createTestPlatform, POSTGRES_URL, validProject, type TestPlatform } from './test-helpers.js';

describe.skipIf(!POSTGRES_URL)(`the change feed with parallel writers on PostgreSQL${POSTGRES_URL ? '' : ' — needs CRAFT_TEST_DATABASE_URL (PostgreSQL)'}`, () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await createTestPlatform({ dialect: 'postgres' });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it('shows changes in the order of their cursors: a later writer waits for an earlier one to commit', async () => {
    const { db } = p.context;
    const before = await currentCursor(db);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recorded!: () => void;
    const firstRecorded = new Promise<void>((resolve) => (recorded = resolve));
    // The first writer draws its cursor, then takes its time to commit.
    const first = db.transaction().execute(async (trx) => {
      await recordChange(trx, p.context, { resource: 'user', key: 'first', op: 'upsert' });
      recorded();
      await held;
    });
    await firstRecorded;
    let secondDone = false;
    const second = recordChange(db, p.context, { resource: 'user', key: 'second', op: 'upsert' }).then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 300));

    // A reader now: without ordering it would see "second" and move its cursor past "first" for good.
    const during = await changedSince(db, 'user', before);
    expect(during.upserts).toEqual([]);
    expect(during.cursor).toBe(before);
    expect(secondDone).toBe(false);

    release();
    await Promise.all([first, second]);
    const after = await changedSince(db, 'user', during.cursor);
    expect(after.upserts).toEqual(['first', 'second']);
  });

  it('keeps every change of a burst of parallel writers visible to a reader following the cursor', async () => {
    const { db } = p.context;
    const seen: string[] = [];
    let cursor = await currentCursor(db);
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const page = await changedSince(db, 'project', cursor);
        seen.push(...page.upserts);
        cursor = page.cursor;
      }
    })();
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key) => recordChange(db, p.context, { resource: 'project', key, op: 'upsert' })));
    writing = false;
    await reader;
    seen.push(...(await changedSince(db, 'project', cursor)).upserts);
    expect([...seen].sort()).toEqual([...keys].sort());
  });
});

describe('the change cursor a client polls (GET /api/v1/changes/cursor)', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it('stays put while nothing changes and moves with a write, to the cursor a full list answers', async () => {
    const ask = async () => (await p.inject({ method: 'GET', url: '/api/v1/changes/cursor', headers: bearer(p.adminAccess) })).json().cursor as string;
    const before = await ask();
    expect(await ask()).toBe(before);
    expect((await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(p.adminAccess), payload: validProject({ name: 'polled' }) })).statusCode).toBe(201);
    const after = await ask();
    expect(Number(after)).toBeGreaterThan(Number(before));
    expect((await p.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(p.adminAccess) })).json().cursor).toBe(after);
  });

  it('is refused without a token', async () => {
    expect((await p.inject({ method: 'GET', url: '/api/v1/changes/cursor' })).statusCode).toBe(401);
  });
});
