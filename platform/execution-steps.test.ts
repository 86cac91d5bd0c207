// Issue 15 item 8: when an execution ends, the steps its runner left pending or running end too,
// as interrupted — on the platform, so the desktop, `craft` and the SDK read the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledSteps } from '../domain/execution.js';
import { addUser, bearer, createTestPlatform, DIALECTS, validProject, type TestPlatform } from './test-helpers.js';

describe.each(DIALECTS)('steps of an execution that ends, on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let sdkAccess: string;
  let envUrl: string;

  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect });
    const owner = await addUser(p, { email: 'owner@example.com' });
    await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(owner.access), payload: validProject({ name: 'fraud' }) });
    const env = (await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(owner.access), payload: { name: 'production' } })).json();
    envUrl = `/environments/${env.slug}/api/v1`;
    const sdk = (await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: bearer(owner.access) })).json().sdk_token;
    sdkAccess = (await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: sdk } })).json().access_token;
  });
  afterAll(async () => {
    await p?.dispose();
  });

  async function run(steps: unknown[]) {
    const created = await p.inject({ method: 'POST', url: `${envUrl}/executions`, headers: bearer(sdkAccess), payload: { pipeline_name: 'scoring', steps } });
    const id = created.json().execution_id as string;
    expect((await p.inject({ method: 'PATCH', url: `${envUrl}/executions/${id}`, headers: bearer(sdkAccess), payload: { status: 'running' } })).statusCode).toBe(200);
    return id;
  }

  it.skipIf(skip)('a step left running is interrupted when its execution fails, and ends with it; one never started is interrupted without dates', async () => {
    const id = await run([
      { name: 'load', status: 'succeeded', start_date: '2030-01-01T00:00:00Z', end_date: '2030-01-01T00:00:05Z' },
      { name: 'train', status: 'running', start_date: '2030-01-01T00:00:05Z' },
      { name: 'report', status: 'pending' },
    ]);
    const ended = await p.inject({ method: 'PATCH', url: `${envUrl}/executions/${id}`, headers: bearer(sdkAccess), payload: { status: 'failed' } });
    expect(ended.statusCode).toBe(200);
    const execution = ended.json();
    expect(execution.end_date).toMatch(/Z$/);
    expect(execution.steps.map((s: { name: string; status: string; end_date: string | null }) => [s.name, s.status, s.end_date])).toEqual([
      ['load', 'succeeded', '2030-01-01T00:00:05.000Z'],
      ['train', 'interrupted', execution.end_date],
      ['report', 'interrupted', null],
    ]);
    // What the SDK's get_pipeline_execution reads is the stored document: the same steps.
    const read = (await p.inject({ method: 'GET', url: `${envUrl}/executions/${id}`, headers: bearer(sdkAccess) })).json();
    expect(read.steps).toEqual(execution.steps);
  });

  it.skipIf(skip)('steps reported in the same call that ends the execution are settled too; steps that ended keep their status', async () => {
    const id = await run([{ name: 'train', status: 'running', start_date: '2030-01-01T00:00:05Z' }]);
    const ended = await p.inject({
      method: 'PATCH',
      url: `${envUrl}/executions/${id}`,
      headers: bearer(sdkAccess),
      payload: { status: 'succeeded', steps: [{ name: 'train', status: 'succeeded', start_date: '2030-01-01T00:00:05Z', end_date: '2030-01-01T00:01:00Z' }, { name: 'upload', status: 'running', start_date: '2030-01-01T00:01:00Z' }] },
    });
    expect(ended.json().steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'interrupted']);
    // A later report of a step still "running" on the ended execution is settled as well.
    const late = await p.inject({ method: 'PATCH', url: `${envUrl}/executions/${id}`, headers: bearer(sdkAccess), payload: { steps: [{ name: 'upload', status: 'running', start_date: '2030-01-01T00:01:00Z' }] } });
    expect(late.json().steps).toMatchObject([{ name: 'upload', status: 'interrupted', end_date: ended.json().end_date }]);
  });

  it.skipIf(skip)('a running execution keeps its running steps; a runner may report a step interrupted; other statuses are refused with the rule', async () => {
    const id = await run([{ name: 'train', status: 'running', start_date: '2030-01-01T00:00:05Z' }]);
    const read = (await p.inject({ method: 'GET', url: `${envUrl}/executions/${id}`, headers: bearer(sdkAccess) })).json();
    expect(read.steps[0].status).toBe('running');
    const reported = await p.inject({ method: 'PATCH', url: `${envUrl}/executions/${id}`, headers: bearer(sdkAccess), payload: { steps: [{ name: 'train', status: 'interrupted', start_date: '2030-01-01T00:00:05Z', end_date: '2030-01-01T00:00:09Z' }] } });
    expect(reported.json().steps[0].status).toBe('interrupted');
    const bad = await p.inject({ method: 'PATCH', url: `${envUrl}/executions/${id}`, headers: bearer(sdkAccess), payload: { steps: [{ name: 'train', status: 'paused' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^steps\.0\.status: must be one of pending, running, succeeded, failed, cancelled, interrupted/);
  });
});

describe('settledSteps (also how the desktop shows an execution it cached before the platform settled its steps)', () => {
  const steps = [
    { name: 'a', status: 'succeeded', start_date: '2030-01-01T00:00:00Z', end_date: '2030-01-01T00:00:01Z' },
    { name: 'b', status: 'running', start_date: '2030-01-01T00:00:01Z', end_date: null },
    { name: 'c', status: 'pending', start_date: null, end_date: null },
  ];

  it('leaves the steps of a pending or running execution alone', () => {
    expect(settledSteps(steps, 'running', null)).toBe(steps);
    expect(settledSteps(steps, 'pending', null)).toBe(steps);
  });

  it('ends open steps of an ended execution at its end, as interrupted', () => {
    expect(settledSteps(steps, 'cancelled', '2030-01-01T00:00:09Z')).toEqual([
      steps[0],
      { ...steps[1], status: 'interrupted', end_date: '2030-01-01T00:00:09Z' },
      { ...steps[2], status: 'interrupted', end_date: null },
    ]);
  });
});
