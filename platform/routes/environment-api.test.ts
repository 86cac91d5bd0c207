// The executions list reads its page in the caller's own check (PostgreSQL, routes/environment-api.ts and
// environments-store.ts): nothing read there reaches a caller the check refuses, nor a caller of another
// environment; a caller who is neither a member nor an administrator has no row of it read at all; and the
// page answered is the one the list reads alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import { EXECUTION_SORTS } from '../../domain/execution.js';
import { executionsPage } from '../executions-store.js';
import { setEveryoneSeesEveryProject } from '../projects-store.js';
import { addUser, bearer, createTestPlatform, DIALECTS, validProject, type TestPlatform } from '../test-helpers.js';

interface PlanNode {
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** How many times the statement's plan visited the executions table, run for real (EXPLAIN ANALYZE). */
async function executionsVisits(p: TestPlatform, statement: { sql: string; parameters: readonly unknown[] }): Promise<number> {
  const [row] = (await p.context.db.executeQuery<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`, [...statement.parameters]))).rows;
  const visits = (node: PlanNode): number => (node['Relation Name'] === 'executions' ? (node['Actual Loops'] ?? 0) : 0) + (node.Plans ?? []).reduce((sum, child) => sum + visits(child), 0);
  return visits(row!['QUERY PLAN'][0]!.Plan);
}

describe.each(DIALECTS)('the executions list, read in its caller\'s check, on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let owner: { id: string; access: string };

  const createEnvironment = async (name: string) => {
    const created = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(owner.access), payload: { name } });
    expect(created.statusCode).toBe(201);
    const { slug } = created.json() as { slug: string };
    const { id } = await p.context.db.selectFrom('environments').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
    return { id, slug };
  };
  const list = (slug: string, access: string) => p.inject({ method: 'GET', url: `/environments/${slug}/api/v1/executions?limit=10`, headers: bearer(access) });
  const run = async (slug: string, pipeline: string) => {
    const created = await p.inject({ method: 'POST', url: `/environments/${slug}/api/v1/executions`, headers: bearer(owner.access), payload: { pipeline_name: pipeline } });
    expect(created.statusCode).toBe(201);
  };

  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect });
    owner = await addUser(p, { email: 'owner@example.com' });
    expect((await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(owner.access), payload: validProject({ name: 'fraud' }) })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('a member removed or signed out after reading the list is refused at once, without its executions', async () => {
    const env = await createEnvironment('production');
    await run(env.slug, 'train');
    const viewer = await addUser(p, { email: 'viewer@example.com' });
    await p.inject({ method: 'PUT', url: `/api/v1/projects/fraud/members/${viewer.id}`, headers: bearer(owner.access), payload: { role: 'viewer' } });
    expect((await list(env.slug, viewer.access)).json().items).toHaveLength(1);

    expect((await p.inject({ method: 'DELETE', url: `/api/v1/projects/fraud/members/${viewer.id}`, headers: bearer(owner.access) })).statusCode).toBe(200);
    const removed = await list(env.slug, viewer.access);
    expect(removed.statusCode).toBe(404);
    expect(removed.body).not.toContain('train-');

    const again = await list(env.slug, owner.access);
    expect(again.json().items).toHaveLength(1);
    expect((await p.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(owner.access) })).statusCode).toBeLessThan(300);
    const signedOut = await list(env.slug, owner.access);
    expect(signedOut.statusCode).toBe(401);
    expect(signedOut.body).not.toContain('train-');
    // The next test acts as an administrator (who may act on every project).
    owner = await addUser(p, { email: 'admin@example.com', role: 'admin' });
  });

  it.skipIf(skip)('a slug given to another environment lists that environment’s executions, not the previous one’s', async () => {
    const first = await createEnvironment('first');
    const second = await createEnvironment('second');
    await run(first.slug, 'first-pipeline');
    await run(second.slug, 'second-pipeline');
    expect((await list(first.slug, owner.access)).json().items[0].pipeline_name).toBe('first-pipeline');

    // The first environment's slug now names the second (no API does this; it stands for a slug freed and taken again).
    await sql`UPDATE environments SET slug = ${`${first.slug}-old`} WHERE id = ${first.id}`.execute(p.context.db);
    await sql`UPDATE environments SET slug = ${first.slug} WHERE id = ${second.id}`.execute(p.context.db);
    const answered = (await list(first.slug, owner.access)).json();
    expect(answered.items.map((e: { pipeline_name: string }) => e.pipeline_name)).toEqual(['second-pipeline']);
  });

  // Only PostgreSQL reads the page in the caller's check (SQLite checks first, then reads): not registered on SQLite.
  if (dialect === 'postgres')
    it.skipIf(skip)('a signed-in caller who is not a member has no execution of the environment read, and is refused', async () => {
    const env = await createEnvironment('guarded');
    await run(env.slug, 'secret-pipeline');
    const outsider = await addUser(p, { email: 'outsider@example.com' });
    // The statements the platform runs, recorded as they go to the database (and run as they would).
    const seen: { shape: string; sql: string; parameters: readonly unknown[] }[] = [];
    const prepared = p.context.prepared as unknown as { run: (shape: string, build: () => { compile(): { sql: string } }, args: readonly unknown[]) => Promise<unknown[]>; entry: (shape: string, build: unknown) => { sql: string; slots: ({ arg: number } | { value: unknown })[] } };
    const run0 = prepared.run.bind(prepared);
    prepared.run = (shape, build, args) => {
      const entry = prepared.entry(shape, build);
      seen.push({ shape, sql: entry.sql, parameters: entry.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value)) });
      return run0(shape, build, args);
    };
    try {
      const refused = await list(env.slug, outsider.access);
      expect(refused.statusCode).toBe(404);
      expect(refused.body).not.toContain('secret-pipeline');
      const outsiders = seen.filter((s) => s.shape.startsWith('authenticate-for-environment'));
      expect(outsiders).toHaveLength(1);
      expect(outsiders[0]!.shape).toContain('executions-page');
      expect(await executionsVisits(p, outsiders[0]!)).toBe(0);

      // The same statement for the project's administrator reads the page (the check above can fail).
      seen.length = 0;
      expect((await list(env.slug, owner.access)).json().items[0].pipeline_name).toBe('secret-pipeline');
      const owners = seen.filter((s) => s.shape.startsWith('authenticate-for-environment'));
      expect(owners.map((s) => s.sql)).toEqual([outsiders[0]!.sql]);
      expect(await executionsVisits(p, owners[0]!)).toBeGreaterThan(0);
      expect(seen.filter((s) => s.shape.startsWith('executions-page'))).toEqual([]);
    } finally {
      prepared.run = run0;
    }
  });

  it.skipIf(skip)('a caller who sees every project by the open-projects setting gets the same list as a member', async () => {
    const env = await createEnvironment('open');
    await run(env.slug, 'open-pipeline');
    const reader = await addUser(p, { email: 'reader@example.com' });
    expect((await list(env.slug, reader.access)).statusCode).toBe(404);
    await setEveryoneSeesEveryProject(p.context, true);
    try {
      const answered = await list(env.slug, reader.access);
      expect(answered.statusCode).toBe(200);
      expect(answered.body).toBe((await list(env.slug, owner.access)).body);
      expect(answered.json().items.map((e: { pipeline_name: string }) => e.pipeline_name)).toEqual(['open-pipeline']);
    } finally {
      await setEveryoneSeesEveryProject(p.context, false);
    }
  });

  it.skipIf(skip)('every filter combination, walked page by page, answers the bytes the list reads alone', async () => {
    const env = await createEnvironment('walked');
    // Executions of every status, pipeline, deployment and creator the filters name, in one environment.
    const row = await p.context.db.selectFrom('environments').selectAll().where('id', '=', env.id).executeTakeFirstOrThrow();
    for (const [i, pipeline] of ['train', 'score', 'train', 'clean', 'train', 'score', 'train'].entries()) await run(env.slug, `${pipeline}-${i % 2}`);
    const filters: Record<string, string>[] = [{}, { pipeline_name: 'train-0' }, { status: 'pending' }, { created_by: owner.id }, { created_after: '2020-01-01T00:00:00.000Z', created_before: '2100-01-01T00:00:00.000Z' }, { pipeline_name: 'score-1', status: 'pending' }, { pipeline_name: 'none' }];
    let pages = 0;
    for (const filter of filters) {
      for (const sort of EXECUTION_SORTS) {
        let cursor: string | null = null;
        do {
          const query: Record<string, string | number> = { ...filter, sort, limit: 2, ...(cursor ? { cursor } : {}) };
          const answered: { statusCode: number; body: string; json(): { next_cursor: string | null } } = await p.inject({ method: 'GET', url: `/environments/${env.slug}/api/v1/executions?${new URLSearchParams({ ...(query as Record<string, string>), limit: '2' })}`, headers: bearer(owner.access) });
          expect(answered.statusCode).toBe(200);
          const alone = (await executionsPage(p.context, row, query as never, null)).toString('utf8');
          expect(answered.body).toBe(alone);
          cursor = answered.json().next_cursor;
          pages++;
        } while (cursor);
      }
    }
    expect(pages).toBeGreaterThan(filters.length * EXECUTION_SORTS.length);
  });

  it.skipIf(skip)('the changes feed, walked page by page with each filter, gives every change once in change order, the bytes it reads alone', async () => {
    const env = await createEnvironment('changes');
    const row = await p.context.db.selectFrom('environments').selectAll().where('id', '=', env.id).executeTakeFirstOrThrow();
    for (const pipeline of ['train', 'score', 'train', 'train', 'score']) await run(env.slug, pipeline);
    for (const filter of [{}, { pipeline_name: 'train' }, { pipeline_name: 'none' }] as Record<string, string>[]) {
      const seen: string[] = [];
      let since = '0';
      for (let more = true; more; ) {
        const query = { ...filter, sort: '-created_at', limit: 2, since } as const;
        const answered = await p.inject({ method: 'GET', url: `/environments/${env.slug}/api/v1/executions?${new URLSearchParams({ ...filter, limit: '2', since })}`, headers: bearer(owner.access) });
        expect(answered.statusCode).toBe(200);
        expect(answered.body).toBe((await executionsPage(p.context, row, query as never, null)).toString('utf8'));
        const page = answered.json() as { items: { execution_id: string; pipeline_name: string }[]; next_cursor: string | null; changes_cursor: string };
        for (const item of page.items) seen.push(item.pipeline_name);
        expect(Number(page.changes_cursor)).toBeGreaterThanOrEqual(Number(since));
        more = page.next_cursor !== null;
        since = page.changes_cursor;
      }
      const expected = ['train', 'score', 'train', 'train', 'score'].filter((name) => !filter.pipeline_name || name === filter.pipeline_name);
      expect(seen).toEqual(expected);
    }
  });
});
