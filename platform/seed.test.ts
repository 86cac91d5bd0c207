import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, DIALECTS, type TestPlatform } from './test-helpers.js';
import { seed, type SeedResult } from './seed.js';

describe.each(DIALECTS)('seed on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let result: SeedResult;
  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect });
    result = await seed(p.context, { projects: 3, executions: 1200, password: 'seeded password 1' });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('fills projects, members, environments, deployments, executions and logs the API serves', async () => {
    expect(result.projects).toHaveLength(3);
    expect(result.environments).toHaveLength(6);
    const ada = (await p.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ada@example.com', password: 'seeded password 1' } })).json().access_token;
    const projects = (await p.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(ada) })).json().items;
    expect(projects.length).toBeGreaterThanOrEqual(1);
    expect(projects[0].environment_count).toBe(2);
    expect(projects[0].last_execution_status).toEqual(expect.any(String));
    const env = result.environments[0]!;
    const page = (await p.inject({ method: 'GET', url: `/environments/${env.slug}/api/v1/executions?limit=50&status=succeeded`, headers: bearer(p.adminAccess) })).json();
    expect(page.items).toHaveLength(50);
    expect(page.next_cursor).not.toBeNull();
    expect(page.items[0].steps).toHaveLength(2);
    const logs = (await p.inject({ method: 'POST', url: `/environments/${env.slug}/api/v1/executions/${(await p.inject({ method: 'GET', url: `/environments/${env.slug}/api/v1/executions?limit=1`, headers: bearer(p.adminAccess) })).json().items[0].execution_id}/logs`, headers: bearer(p.adminAccess), payload: {} })).json();
    expect(logs[0].length).toBeGreaterThan(3); // a list of log lists, as the SDK reads it
    const feed = (await p.inject({ method: 'GET', url: `/environments/${env.slug}/api/v1/executions?since=0&limit=1000`, headers: bearer(p.adminAccess) })).json();
    expect(feed.items).toHaveLength(200); // 1200 spread over 6 environments
  });
});
