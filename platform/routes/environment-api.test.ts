// The executions list reads its page while the caller is checked (PostgreSQL, routes/environment-api.ts):
// nothing read ahead reaches a caller the check refuses, nor a caller of another environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { addUser, bearer, createTestPlatform, DIALECTS, validProject, type TestPlatform } from '../test-helpers.js';

describe.each(DIALECTS)('the executions list, read while its caller is checked, on $label', ({ dialect, skip }) => {
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
});
