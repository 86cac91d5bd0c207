// Issue 10, item 7: an execution's input and output values are bounded in depth and size by the
// schema: a value nested 5,000 levels deep (or too large) is a 400 naming the field, never a 500,
// and nothing is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, createTestPlatform, DIALECTS, validProject, type TestPlatform } from './test-helpers.js';
import { MAX_VALUE_DEPTH } from '../domain/execution.js';

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe.each(DIALECTS)('execution values on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let owner: { id: string; access: string };
  let api: string;
  const send = (method: 'POST' | 'PATCH', url: string, json: string) =>
    p.inject({ method, url, headers: { ...bearer(owner.access), 'content-type': 'application/json' }, payload: json });
  const executionCount = async () => (await p.context.db.selectFrom('executions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect });
    owner = await addUser(p, { email: 'owner@example.com' });
    await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(owner.access), payload: validProject({ name: 'fraud' }) });
    const env = (await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: bearer(owner.access), payload: { name: 'production' } })).json();
    api = `/environments/${env.slug}/api/v1`;
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('an input nested 5,000 levels deep is refused (400 naming the field), and nothing is recorded', async () => {
    const before = await executionCount();
    const answer = await send('POST', `${api}/executions`, `{"pipeline_name":"train","inputs":[{"pipeline_input_name":"x","data_type":"json","value":${nested(5000)}}]}`);
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: 'validation', field: 'inputs.0.value', message: `inputs.0.value: must be nested at most ${MAX_VALUE_DEPTH} levels deep` });
    expect(await executionCount()).toBe(before);
  });

  it.skipIf(skip)('an input too large is refused, naming the field; one as deep as allowed is recorded', async () => {
    const large = await send('POST', `${api}/executions`, JSON.stringify({ pipeline_name: 'train', inputs: [{ pipeline_input_name: 'x', data_type: 'string', value: 'a' }, { pipeline_input_name: 'big', data_type: 'string', value: 'x'.repeat(70 * 1024) }] }));
    expect(large.statusCode).toBe(400);
    expect(large.json()).toMatchObject({ error: 'validation', field: 'inputs.1.value', message: 'inputs.1.value: must be at most 64 KiB as JSON' });
    const deepest = await send('POST', `${api}/executions`, `{"pipeline_name":"train","inputs":[{"pipeline_input_name":"x","data_type":"json","value":${nested(MAX_VALUE_DEPTH)}}]}`);
    expect(deepest.statusCode, deepest.body).toBe(201);
  });

  it.skipIf(skip)('an output nested 5,000 levels deep is refused the same way, and the execution is unchanged', async () => {
    const created = (await send('POST', `${api}/executions`, JSON.stringify({ pipeline_name: 'train' }))).json();
    const url = `${api}/executions/${created.execution_id}`;
    const answer = await send('PATCH', url, `{"outputs":[{"pipeline_output_name":"y","data_type":"json","value":{"a":${nested(5000)}}}]}`);
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: 'validation', field: 'outputs.0.value' });
    expect((await p.inject({ method: 'GET', url, headers: bearer(owner.access) })).json().outputs).toEqual([]);
  });
});
