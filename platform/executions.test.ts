// Issue 3: environments, deployments, executions and logs, the environment API and the runner's calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, createTestPlatform, DIALECTS, validProject, type TestPlatform } from './test-helpers.js';
import { loadExecution, updateExecution } from './executions-store.js';

describe.each(DIALECTS)('environments and executions on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let owner: { id: string; access: string };
  let viewer: { id: string; access: string };
  let stranger: { id: string; access: string };
  let envUrl: string; // path part of the environment URL
  let sdkAccess: string;

  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect, publicUrl: 'https://craft.example.com/' });
    owner = await addUser(p, { email: 'owner@example.com' });
    viewer = await addUser(p, { email: 'viewer@example.com' });
    stranger = await addUser(p, { email: 'stranger@example.com' });
    expect((await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(owner.access), payload: validProject({ name: 'fraud' }) })).statusCode).toBe(201);
    await p.inject({ method: 'PUT', url: `/api/v1/projects/fraud/members/${viewer.id}`, headers: bearer(owner.access), payload: { role: 'viewer' } });
    // the runner uses an SDK token, as the SDK does
    const sdk = (await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: bearer(owner.access) })).json().sdk_token;
    sdkAccess = (await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: sdk } })).json().access_token;
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('creates environments with a platform-unique URL; names are unique in the project', async () => {
    const created = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(owner.access), payload: { name: 'production', folders: ['/src'] } });
    expect(created.statusCode).toBe(201);
    const env = created.json();
    expect(env).toMatchObject({ name: 'production', project_name: 'fraud', status: 'ready', folders: ['/src'], default_branch: null, created_by: owner.id });
    expect(env.slug).toMatch(/^[a-z]+-[a-z]+-[a-z]+-[a-z]+-\d{2}$/);
    expect(env.url).toBe(`https://craft.example.com/environments/${env.slug}`);
    envUrl = `/environments/${env.slug}`;
    const duplicate = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(owner.access), payload: { name: 'production' } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().field).toBe('name');
    const bad = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(owner.access), payload: { name: 'Prod' } });
    expect(bad.json()).toMatchObject({ error: 'validation', field: 'name' });
    expect((await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(viewer.access), payload: { name: 'staging' } })).statusCode).toBe(403);
    expect((await p.inject({ method: 'GET', url: '/api/v1/projects/fraud/environments', headers: bearer(stranger.access) })).statusCode).toBe(404);
    const staging = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(owner.access), payload: { name: 'staging' } });
    expect(staging.json().slug).not.toBe(env.slug);
    const list = (await p.inject({ method: 'GET', url: '/api/v1/projects/fraud/environments', headers: bearer(viewer.access) })).json();
    expect(list.items.map((e: { name: string }) => e.name)).toEqual(['production', 'staging']);
    const patched = await p.inject({ method: 'PATCH', url: '/api/v1/projects/fraud/environments/staging', headers: bearer(owner.access), payload: { status: 'standby', system_dependencies: ['libpq5'] } });
    expect(patched.json()).toMatchObject({ status: 'standby', system_dependencies: ['libpq5'] });
    const removed = await p.inject({ method: 'DELETE', url: '/api/v1/projects/fraud/environments/staging', headers: bearer(owner.access) });
    expect(removed.statusCode).toBe(200);
    const feed = (await p.inject({ method: 'GET', url: `/api/v1/projects/fraud/environments?since=${list.cursor}`, headers: bearer(viewer.access) })).json();
    expect(feed.deleted).toEqual(['staging']);
    expect((await p.inject({ method: 'GET', url: '/api/v1/projects/fraud', headers: bearer(owner.access) })).json().environment_count).toBe(1);
  });

  it.skipIf(skip)('deploys pipelines as endpoints or periodic runs', async () => {
    const endpoint = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments/production/deployments', headers: bearer(owner.access), payload: { name: 'score', pipeline_name: 'scoring', type: 'endpoint' } });
    expect(endpoint.statusCode).toBe(201);
    expect(endpoint.json()).toMatchObject({ name: 'score', pipeline_name: 'scoring', type: 'endpoint', enabled: true, status: 'up', schedule: null, created_by: owner.id });
    const noSchedule = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments/production/deployments', headers: bearer(owner.access), payload: { name: 'nightly', pipeline_name: 'training', type: 'periodic' } });
    expect(noSchedule.json()).toMatchObject({ field: 'schedule' });
    const periodic = await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments/production/deployments', headers: bearer(owner.access), payload: { name: 'nightly', pipeline_name: 'training', type: 'periodic', schedule: '0 3 * * *' } });
    expect(periodic.statusCode).toBe(201);
    const disabled = await p.inject({ method: 'PATCH', url: '/api/v1/projects/fraud/environments/production/deployments/nightly', headers: bearer(owner.access), payload: { enabled: false } });
    expect(disabled.json().enabled).toBe(false);
    expect((await p.inject({ method: 'PATCH', url: '/api/v1/projects/fraud/environments/production/deployments/nightly', headers: bearer(viewer.access), payload: { enabled: true } })).statusCode).toBe(403);
    const list = (await p.inject({ method: 'GET', url: '/api/v1/projects/fraud/environments/production/deployments', headers: bearer(viewer.access) })).json();
    expect(list.items.map((d: { name: string }) => d.name)).toEqual(['nightly', 'score']);
  });

  it.skipIf(skip)('the environment API: info; a runner records an execution, moves it and appends logs; the SDK reads them', async () => {
    const info = await p.inject({ method: 'GET', url: `${envUrl}/api/v1/environment-info`, headers: bearer(sdkAccess) });
    expect(info.json()).toMatchObject({ environment_id: expect.any(String), environment_name: 'production', project_name: 'fraud', url: `https://craft.example.com${envUrl}` });
    // Without a token (as the SDK calls it), or with one that gives no access: the id, nothing about the project.
    for (const headers of [bearer(stranger.access), {}]) {
      const anonymous = await p.inject({ method: 'GET', url: `${envUrl}/api/v1/environment-info`, headers });
      expect(anonymous.json()).toEqual({ environment_id: info.json().environment_id });
    }

    const created = await p.inject({
      method: 'POST',
      url: `${envUrl}/api/v1/executions`,
      headers: bearer(sdkAccess),
      payload: { pipeline_name: 'scoring', deployment_name: 'score', inputs: [{ pipeline_input_name: 'customer_id', data_type: 'string', value: 'c-42' }], steps: [{ name: 'predict', status: 'pending' }] },
    });
    expect(created.statusCode).toBe(201);
    const execution = created.json();
    expect(execution).toMatchObject({ status: 'pending', created_by: owner.id, end_date: null, pipeline_name: 'scoring', deployment_name: 'score', outputs: [] });
    expect(execution.inputs).toEqual([{ pipeline_input_name: 'customer_id', data_type: 'string', mapping_type: 'run', mapping_value: {}, value: 'c-42' }]);
    // A step's code comes from the project's repository unless the runner says otherwise.
    expect(execution.steps).toEqual([
      { name: 'predict', status: 'pending', start_date: null, end_date: null, commit_id: null, repository_url: 'git@github.com:acme/churn.git', repository_branch: null, requirements_path: null, origin: 'git_repository' },
    ]);
    const id = execution.execution_id;
    expect((await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions`, headers: bearer(viewer.access), payload: { pipeline_name: 'scoring' } })).statusCode).toBe(403);
    const wrongPipeline = await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions`, headers: bearer(sdkAccess), payload: { pipeline_name: 'training', deployment_name: 'score' } });
    expect(wrongPipeline.json().field).toBe('pipeline_name');

    const skipped = await p.inject({ method: 'PATCH', url: `${envUrl}/api/v1/executions/${id}`, headers: bearer(sdkAccess), payload: { status: 'succeeded' } });
    expect(skipped.statusCode).toBe(409);
    expect(skipped.json().message).toMatch(/from pending to succeeded/);
    expect((await p.inject({ method: 'PATCH', url: `${envUrl}/api/v1/executions/${id}`, headers: bearer(sdkAccess), payload: { status: 'running' } })).json().status).toBe('running');
    const appended = await p.inject({
      method: 'POST',
      url: `${envUrl}/api/v1/executions/${id}/log-lines`,
      headers: bearer(sdkAccess),
      payload: { lines: [{ timestamp: '2030-01-01T00:00:01Z', message: 'loading model' }, { timestamp: '2030-01-01T00:00:02+00:00', message: 'scoring' }, { timestamp: '2030-01-01T00:00:03Z', message: 'done' }] },
    });
    expect(appended.json()).toEqual({ appended: 3 });
    const done = await p.inject({ method: 'PATCH', url: `${envUrl}/api/v1/executions/${id}`, headers: bearer(sdkAccess), payload: { status: 'succeeded', outputs: [{ pipeline_output_name: 'score', data_type: 'number', value: 0.93 }] } });
    expect(done.json()).toMatchObject({ status: 'succeeded', end_date: expect.stringMatching(/Z$/), outputs: [{ pipeline_output_name: 'score', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 0.93 }] });

    const read = await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions/${id}`, headers: bearer(viewer.access) });
    expect(read.json()).toEqual(done.json());
    const logs = await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions/${id}/logs`, headers: bearer(viewer.access), payload: { from: Date.parse('2030-01-01T00:00:02Z'), limit: 10 } });
    expect(logs.json()).toEqual([
      [
        { timestamp: '2030-01-01T00:00:02.000Z', message: 'scoring' },
        { timestamp: '2030-01-01T00:00:03.000Z', message: 'done' },
      ],
    ]);
    expect((await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions/${id}/logs`, headers: bearer(viewer.access), payload: { limit: 0 } })).json().field).toBe('limit');
    const byPipeline = await p.inject({ method: 'GET', url: `${envUrl}/api/v1/pipelines/scoring/executions`, headers: bearer(viewer.access) });
    expect(byPipeline.json().map((e: { execution_id: string }) => e.execution_id)).toEqual([id]);
    expect((await p.inject({ method: 'GET', url: '/api/v1/projects', headers: bearer(owner.access) })).json().items[0].last_execution_status).toBe('succeeded');
  });

  it.skipIf(skip)('lists executions filtered, sorted and cursor-paginated, and as a feed of changes', async () => {
    const start = (await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?limit=1`, headers: bearer(viewer.access) })).json();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const e = await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions`, headers: bearer(sdkAccess), payload: { pipeline_name: i % 2 ? 'training' : 'etl' } });
      ids.push(e.json().execution_id);
    }
    await p.inject({ method: 'PATCH', url: `${envUrl}/api/v1/executions/${ids[0]}`, headers: bearer(sdkAccess), payload: { status: 'cancelled' } });
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { execution_id: string }[]; next_cursor: string | null } = (
        await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?limit=3&sort=created_at${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(viewer.access) })
      ).json();
      pages.push(page.items.map((e) => e.execution_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(pages.map((x) => x.length)).toEqual([3, 3, 2]);
    expect(pages.flat().slice(1)).toEqual(ids);
    const newest = (await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?limit=2`, headers: bearer(viewer.access) })).json();
    expect(newest.items.map((e: { execution_id: string }) => e.execution_id)).toEqual([ids[6], ids[5]]);
    const training = (await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?pipeline_name=training&status=pending`, headers: bearer(viewer.access) })).json();
    expect(training.items).toHaveLength(3);
    const cancelled = (await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?status=cancelled&created_by=${owner.id}`, headers: bearer(viewer.access) })).json();
    expect(cancelled.items.map((e: { execution_id: string }) => e.execution_id)).toEqual([ids[0]]);
    const future = (await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?created_after=2100-01-01T00:00:00Z`, headers: bearer(viewer.access) })).json();
    expect(future.items).toEqual([]);
    const feed = (await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?since=${start.changes_cursor}&limit=1000`, headers: bearer(viewer.access) })).json();
    expect(feed.items.map((e: { execution_id: string }) => e.execution_id)).toEqual([...ids.slice(1), ids[0]]); // the cancelled one changed last
    const nothing = (await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?since=${feed.changes_cursor}`, headers: bearer(viewer.access) })).json();
    expect(nothing.items).toEqual([]);
    for (const bad of ['status=done', 'limit=0', 'limit=abc', 'sort=name', 'cursor=x', 'created_after=yesterday', 'colour=red']) {
      const answer = await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions?${bad}`, headers: bearer(viewer.access) });
      expect(answer.statusCode, bad).toBe(400);
      expect(answer.json().field, bad).toBe(bad.split('=')[0]);
    }
  });

  it.skipIf(skip)('a page read again reflects every write in between; a repeated page still checks the session', async () => {
    const url = `${envUrl}/api/v1/executions?pipeline_name=repeat&limit=5`;
    const read = async () => (await p.inject({ method: 'GET', url, headers: bearer(viewer.access) })).body;
    const empty = await read();
    expect(await read()).toBe(empty);
    const created = (await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions`, headers: bearer(sdkAccess), payload: { pipeline_name: 'repeat' } })).json();
    const oneText = await read();
    const one = JSON.parse(oneText);
    expect(one.items.map((e: { execution_id: string; status: string }) => [e.execution_id, e.status])).toEqual([[created.execution_id, 'pending']]);
    expect(await read()).toBe(oneText);
    await p.inject({ method: 'PATCH', url: `${envUrl}/api/v1/executions/${created.execution_id}`, headers: bearer(sdkAccess), payload: { status: 'running' } });
    const moved = JSON.parse(await read());
    expect(moved.items[0].status).toBe('running');
    expect(Number(moved.changes_cursor)).toBeGreaterThan(Number(one.changes_cursor));
    // Revoking the session takes effect at once, on a page answered before.
    const reader = await addUser(p, { email: 'repeat-reader@example.com' });
    await p.inject({ method: 'PUT', url: `/api/v1/projects/fraud/members/${reader.id}`, headers: bearer(owner.access), payload: { role: 'viewer' } });
    expect((await p.inject({ method: 'GET', url, headers: bearer(reader.access) })).statusCode).toBe(200);
    await p.context.db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('user_id', '=', reader.id).execute();
    expect((await p.inject({ method: 'GET', url, headers: bearer(reader.access) })).statusCode).toBe(401);
  });

  it.skipIf(skip)('log lines stamped alike read back in the order sent; lines for an execution the environment does not hold are refused (404) and stored nowhere', async () => {
    const created = await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions`, headers: bearer(sdkAccess), payload: { pipeline_name: 'scoring' } });
    const id = created.json().execution_id;
    const lines = Array.from({ length: 30 }, (_, i) => ({ timestamp: '2030-02-01T00:00:00Z', message: `line ${i}` }));
    expect((await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions/${id}/log-lines`, headers: bearer(sdkAccess), payload: { lines } })).json()).toEqual({ appended: 30 });
    const logs = await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions/${id}/logs`, headers: bearer(viewer.access), payload: { limit: 100 } });
    expect(logs.json()[0].map((l: { message: string }) => l.message)).toEqual(lines.map((l) => l.message));
    const before = await p.context.db.selectFrom('execution_logs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const missing = await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions/${id}-gone/log-lines`, headers: bearer(sdkAccess), payload: { lines: [{ message: 'lost?' }] } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe(`execution ${id}-gone does not exist in this environment`);
    const after = await p.context.db.selectFrom('execution_logs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it.skipIf(skip)('a runner writing over a version another runner already moved is refused (409), and the execution stays as the other wrote it', async () => {
    const created = (await p.inject({ method: 'POST', url: `${envUrl}/api/v1/executions`, headers: bearer(sdkAccess), payload: { pipeline_name: 'scoring', steps: [{ name: 'fit', status: 'pending' }] } })).json();
    const env = await p.context.db.selectFrom('environments').selectAll().where('slug', '=', envUrl.split('/').pop()!).executeTakeFirstOrThrow();
    const stale = await loadExecution(p.context, env.id, created.execution_id);
    const moved = await p.inject({ method: 'PATCH', url: `${envUrl}/api/v1/executions/${created.execution_id}`, headers: bearer(sdkAccess), payload: { status: 'running', steps: [{ name: 'fit', status: 'running' }] } });
    expect(moved.statusCode).toBe(200);
    await expect(updateExecution(p.context, env, stale, { status: 'cancelled' })).rejects.toMatchObject({ code: 'conflict', field: 'status', message: 'status: the execution changed meanwhile; read it again' });
    await expect(updateExecution(p.context, env, stale, { outputs: [] })).rejects.toMatchObject({ code: 'conflict', message: 'execution: it changed meanwhile (another runner?); read it again' });
    const read = await p.inject({ method: 'GET', url: `${envUrl}/api/v1/executions/${created.execution_id}`, headers: bearer(viewer.access) });
    expect(read.json()).toEqual(moved.json());
  });

  it.skipIf(skip)('deleting the project removes its environments, deployments, executions and logs', async () => {
    expect((await p.inject({ method: 'DELETE', url: '/api/v1/projects/fraud', headers: bearer(owner.access), payload: { confirm_name: 'fraud' } })).statusCode).toBe(200);
    for (const table of ['environments', 'deployments', 'executions', 'execution_logs'] as const) {
      const { n } = await p.context.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(n), table).toBe(0);
    }
    expect((await p.inject({ method: 'GET', url: `${envUrl}/api/v1/environment-info`, headers: bearer(owner.access) })).statusCode).toBe(404);
  });
});
