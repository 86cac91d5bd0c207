// Issue 9: the published craft-ai-sdk (0.71) works against this platform unmodified. Each SDK call in
// the product's scope is sent as the SDK sends it (method, path, the headers it sends or leaves out, its
// body) and its answer holds the keys the SDK reads; the calls outside the scope get a clean 404 the SDK
// turns into a clear SdkException. Then a standard-library Python client that does what the SDK does
// (platform/testing/craft_sdk_stdlib.py) runs the same calls against a listening platform.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_PROVIDED_ROUTES, platformContract } from '../domain/platform-contract.js';
import { addUser, bearer, createTestPlatform, DIALECTS, validProject, type TestPlatform } from './test-helpers.js';

/** The one header the SDK's session adds to every request. */
const SDK_CLIENT = { 'craft-ai-client': 'craft-ai-sdk@0.71.0rc1' };
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const STEP_KEYS = ['name', 'status', 'start_date', 'end_date', 'commit_id', 'repository_url', 'repository_branch', 'requirements_path', 'origin'];
const SCENARIO = join(dirname(fileURLToPath(import.meta.url)), 'testing', 'sdk_scenario.py');

interface PythonCall {
  ok: boolean;
  result?: unknown;
  type?: string;
  error?: string;
  status_code?: number;
  name?: string;
}

/** Runs a scenario of SDK calls in python3, with the SDK variables a `craft exec` child gets; resolves with what each call gave. */
function python(scenario: string, env: Record<string, string>, facts: unknown, onStderr?: (text: string) => void): Promise<Record<string, PythonCall>> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [SCENARIO, scenario], { cwd: dirname(SCENARIO), env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      onStderr?.(err);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`python3 ${scenario} exited ${code}: ${err}`));
      resolve(JSON.parse(out) as Record<string, PythonCall>);
    });
    child.stdin.end(JSON.stringify(facts));
  });
}

describe.each(DIALECTS)('the published craft-ai-sdk against the platform on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let base: string; // the platform's URL: CRAFT_AI_CONTROL_URL
  let env: { slug: string; url: string };
  let api: string; // {environment_url}/api/v1, as a path
  let owner: { id: string };
  let sdkToken: string;
  let access: Record<string, string>;
  let executionId: string;
  const logTimes = ['2030-01-01T00:00:01.000Z', '2030-01-01T00:00:02.000Z', '2030-01-01T00:00:03.000Z'];

  /** The tables an SDK call could change: bad input must leave them as they were. */
  async function snapshot(): Promise<string> {
    const parts = [];
    for (const table of ['executions', 'execution_logs', 'deployments', 'changes'] as const) parts.push(await p.context.db.selectFrom(table).selectAll().orderBy('id').execute());
    return JSON.stringify(parts);
  }

  const sdkVariables = () => ({ CRAFT_AI_ENVIRONMENT_URL: env.url, CRAFT_AI_SDK_TOKEN: sdkToken, CRAFT_AI_CONTROL_URL: base });

  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect, policy: { longPollSeconds: 1 } });
    await p.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
    const user = await addUser(p, { email: 'ada@example.com', name: 'Ada Lovelace' });
    owner = user;
    const as = bearer(user.access);
    expect((await p.inject({ method: 'POST', url: '/api/v1/projects', headers: as, payload: validProject({ name: 'fraud', default_branch: 'main', requirements_path: 'requirements.txt' }) })).statusCode).toBe(201);
    env = (await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments', headers: as, payload: { name: 'production' } })).json();
    api = `/environments/${env.slug}/api/v1`;
    for (const payload of [
      { name: 'score', pipeline_name: 'scoring', type: 'endpoint' },
      { name: 'nightly', pipeline_name: 'training', type: 'periodic', schedule: '0 3 * * *' },
      { name: 'paused', pipeline_name: 'training', type: 'periodic', schedule: '*/15 * * * *', enabled: false },
    ]) {
      expect((await p.inject({ method: 'POST', url: '/api/v1/projects/fraud/environments/production/deployments', headers: as, payload })).statusCode).toBe(201);
    }
    sdkToken = (await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: as })).json().sdk_token;
    const refreshed = await p.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: SDK_CLIENT, payload: { refresh_token: sdkToken } });
    access = { ...SDK_CLIENT, ...bearer(refreshed.json().access_token) };

    // A runner records an execution of the endpoint, with inputs of every kind of source.
    const created = await p.inject({
      method: 'POST',
      url: `${api}/executions`,
      headers: access,
      payload: {
        pipeline_name: 'scoring',
        deployment_name: 'score',
        steps: [{ name: 'predict', status: 'pending', commit_id: '4f2a9c1' }],
        inputs: [
          { pipeline_input_name: 'customer_id', data_type: 'string', mapping_type: 'endpoint', mapping_value: { endpoint_input_name: 'customer' }, value: 'c-42' },
          { pipeline_input_name: 'threshold', data_type: 'number', mapping_type: 'constant', mapping_value: { constant_value: 0.5 }, value: 0.5 },
          { pipeline_input_name: 'model_path', data_type: 'string', mapping_type: 'environment_variable', mapping_value: { environment_variable_name: 'MODEL_PATH' }, value: '/models/m.pkl' },
          { pipeline_input_name: 'history', data_type: 'file', mapping_type: 'datastore', mapping_value: { datastore_path: 'customers/c-42.csv' } },
          { pipeline_input_name: 'options', data_type: 'json', value: { explain: true } },
          { pipeline_input_name: 'segment', data_type: 'string', mapping_type: 'is_null', mapping_value: { is_null: true }, value: null },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    executionId = created.json().execution_id;
    await p.inject({ method: 'PATCH', url: `${api}/executions/${executionId}`, headers: access, payload: { status: 'running' } });
    await p.inject({ method: 'POST', url: `${api}/executions/${executionId}/log-lines`, headers: access, payload: { lines: logTimes.map((timestamp, i) => ({ timestamp, message: `line ${i + 1}` })) } });
    const done = await p.inject({
      method: 'PATCH',
      url: `${api}/executions/${executionId}`,
      headers: access,
      payload: {
        status: 'succeeded',
        steps: [{ name: 'predict', status: 'succeeded', start_date: '2030-01-01T00:00:00Z', end_date: '2030-01-01T00:00:04+00:00' }],
        outputs: [
          { pipeline_output_name: 'score', data_type: 'number', mapping_type: 'endpoint', mapping_value: { endpoint_output_name: 'score' }, value: 0.93 },
          { pipeline_output_name: 'labels', data_type: 'array', value: ['fraud', 'review'] },
          { pipeline_output_name: 'report', data_type: 'file', mapping_type: 'datastore', mapping_value: { datastore_path: 'reports/c-42.html' } },
        ],
      },
    });
    expect(done.statusCode, done.body).toBe(200);
  });
  afterAll(async () => {
    await p?.dispose();
  });

  // ——— the environment ———

  it.skipIf(skip)('get_environment_id: GET environment-info without a token answers environment_id, and nothing about the project', async () => {
    const answer = await p.inject({ method: 'GET', url: `${api}/environment-info`, headers: SDK_CLIENT });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const stored = await p.context.db.selectFrom('environments').select('id').where('slug', '=', env.slug).executeTakeFirstOrThrow();
    expect(answer.json()).toEqual({ environment_id: stored.id });
    // A member's token tells more; an unknown environment is a 404 the SDK reads.
    expect((await p.inject({ method: 'GET', url: `${api}/environment-info`, headers: access })).json()).toMatchObject({ environment_id: stored.id, environment_name: 'production', project_name: 'fraud' });
    const unknown = await p.inject({ method: 'GET', url: '/environments/no-such-env/api/v1/environment-info', headers: SDK_CLIENT });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ name: 'NotFound', message: expect.stringContaining('no-such-env'), request_id: expect.any(String) });
  });

  // ——— one execution ———

  it.skipIf(skip)('get_pipeline_execution: GET executions/{id} has each input and output with its name, data type, mapping and value, and steps with where their code came from', async () => {
    const answer = await p.inject({ method: 'GET', url: `${api}/executions/${executionId}`, headers: access });
    expect(answer.statusCode).toBe(200);
    const execution = answer.json();
    expect(execution).toMatchObject({ execution_id: executionId, status: 'succeeded', created_by: owner.id, pipeline_name: 'scoring', deployment_name: 'score' });
    for (const date of [execution.created_at, execution.end_date]) expect(date).toMatch(ISO_UTC);
    expect(execution.steps).toEqual([
      {
        name: 'predict', status: 'succeeded', start_date: '2030-01-01T00:00:00.000Z', end_date: '2030-01-01T00:00:04.000Z',
        // The commit the runner gave at creation stays; the rest is the project's settings.
        commit_id: '4f2a9c1', repository_url: 'git@github.com:acme/churn.git', repository_branch: 'main', requirements_path: 'requirements.txt', origin: 'git_repository',
      },
    ]);
    for (const step of execution.steps) expect(Object.keys(step).sort()).toEqual([...STEP_KEYS].sort());
    expect(execution.inputs).toEqual([
      { pipeline_input_name: 'customer_id', data_type: 'string', mapping_type: 'endpoint', mapping_value: { endpoint_input_name: 'customer' }, value: 'c-42' },
      { pipeline_input_name: 'threshold', data_type: 'number', mapping_type: 'constant', mapping_value: { constant_value: 0.5 }, value: 0.5 },
      { pipeline_input_name: 'model_path', data_type: 'string', mapping_type: 'environment_variable', mapping_value: { environment_variable_name: 'MODEL_PATH' }, value: '/models/m.pkl' },
      { pipeline_input_name: 'history', data_type: 'file', mapping_type: 'datastore', mapping_value: { datastore_path: 'customers/c-42.csv' } },
      { pipeline_input_name: 'options', data_type: 'json', mapping_type: 'run', mapping_value: {}, value: { explain: true } },
      { pipeline_input_name: 'segment', data_type: 'string', mapping_type: 'is_null', mapping_value: { is_null: true }, value: null },
    ]);
    expect(execution.outputs.map((o: { pipeline_output_name: string; mapping_type: string }) => [o.pipeline_output_name, o.mapping_type])).toEqual([['score', 'endpoint'], ['labels', 'run'], ['report', 'datastore']]);
    // The keys the SDK indexes (a missing one is a KeyError in the SDK).
    for (const item of execution.inputs) for (const key of ['pipeline_input_name', 'data_type', 'mapping_type']) expect(typeof item[key], key).toBe('string');
    for (const item of [...execution.inputs, ...execution.outputs]) expect(item.mapping_value).toBeTypeOf('object');
  });

  it.skipIf(skip)('get_pipeline_execution_input/_output: GET executions/{id}?include_io_values=false lists them without values, then inputs/{name} and outputs/{name} answer the bare value', async () => {
    const listed = (await p.inject({ method: 'GET', url: `${api}/executions/${executionId}?include_io_values=false`, headers: access })).json();
    for (const item of [...listed.inputs, ...listed.outputs]) expect(item).not.toHaveProperty('value');
    expect(listed.inputs[0]).toEqual({ pipeline_input_name: 'customer_id', data_type: 'string', mapping_type: 'endpoint', mapping_value: { endpoint_input_name: 'customer' } });
    const values: Record<string, unknown> = { customer_id: 'c-42', threshold: 0.5, options: { explain: true }, segment: null, history: null };
    for (const [name, value] of Object.entries(values)) {
      const answer = await p.inject({ method: 'GET', url: `${api}/executions/${executionId}/inputs/${name}`, headers: access });
      expect(answer.statusCode, name).toBe(200);
      expect(answer.headers['content-type'], name).toMatch(/^application\/json/);
      expect(answer.json(), name).toEqual(value);
    }
    expect((await p.inject({ method: 'GET', url: `${api}/executions/${executionId}/outputs/labels`, headers: access })).json()).toEqual(['fraud', 'review']);
    const missing = await p.inject({ method: 'GET', url: `${api}/executions/${executionId}/outputs/nothing`, headers: access });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found', name: 'NotFound', message: `execution ${executionId} has no output named nothing`, request_id: expect.any(String) });
  });

  it.skipIf(skip)('retrieve_pipeline_execution_outputs: GET executions/{id}/outputs?wait_for_completion=true answers the outputs of an ended execution at once, a 307 to ask again while it runs', async () => {
    const ended = await p.inject({ method: 'GET', url: `${api}/executions/${executionId}/outputs?wait_for_completion=true`, headers: access });
    expect(ended.statusCode).toBe(200);
    expect(ended.json().outputs[0]).toEqual({ pipeline_output_name: 'score', data_type: 'number', mapping_type: 'endpoint', mapping_value: { endpoint_output_name: 'score' }, value: 0.93 });
    const running = (await p.inject({ method: 'POST', url: `${api}/executions`, headers: access, payload: { pipeline_name: 'scoring' } })).json();
    const started = Date.now();
    const again = await p.inject({ method: 'GET', url: `${api}/executions/${running.execution_id}/outputs?wait_for_completion=true`, headers: access });
    expect(again.statusCode).toBe(307);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // held a while (the long poll), not a busy loop
    expect(again.headers.location).toBe(`${api}/executions/${running.execution_id}/outputs?wait_for_completion=true`);
    expect((await p.inject({ method: 'GET', url: `${api}/executions/${running.execution_id}/outputs`, headers: access })).json()).toEqual({ execution_id: running.execution_id, status: 'pending', outputs: [] });
    await p.inject({ method: 'PATCH', url: `${api}/executions/${running.execution_id}`, headers: access, payload: { status: 'cancelled' } });
  });

  it.skipIf(skip)('get_pipeline_execution_logs: POST executions/{id}/logs with from/to in epoch milliseconds answers a list of log lists', async () => {
    const all = await p.inject({ method: 'POST', url: `${api}/executions/${executionId}/logs`, headers: access, payload: {} });
    expect(all.json()).toEqual([logTimes.map((timestamp, i) => ({ timestamp, message: `line ${i + 1}` }))]);
    const window = await p.inject({ method: 'POST', url: `${api}/executions/${executionId}/logs`, headers: access, payload: { from: Date.parse(logTimes[1]!), to: Date.parse(logTimes[2]!), limit: 10 } });
    expect(window.json()).toEqual([[{ timestamp: logTimes[1], message: 'line 2' }]]);
    // The desktop's ISO dates are read too.
    expect((await p.inject({ method: 'POST', url: `${api}/executions/${executionId}/logs`, headers: access, payload: { from: logTimes[2] } })).json()).toEqual([[{ timestamp: logTimes[2], message: 'line 3' }]]);
  });

  it.skipIf(skip)('list_pipeline_executions: GET pipelines/{name}/executions lists the documented keys, dates in ISO 8601 UTC', async () => {
    const list = (await p.inject({ method: 'GET', url: `${api}/pipelines/scoring/executions`, headers: access })).json();
    expect(Array.isArray(list)).toBe(true);
    const item = list.find((e: { execution_id: string }) => e.execution_id === executionId);
    expect(item).toMatchObject({ execution_id: executionId, status: 'succeeded', created_by: owner.id, pipeline_name: 'scoring', deployment_name: 'score' });
    expect(item.created_at).toMatch(ISO_UTC);
    expect(item.end_date).toMatch(ISO_UTC);
  });

  // ——— deployments ———

  it.skipIf(skip)('list_deployments: GET deployments lists each with name, pipeline_name, execution_rule, mode, is_enabled, created_at', async () => {
    const list = (await p.inject({ method: 'GET', url: `${api}/deployments`, headers: access })).json();
    expect(list.map((d: Record<string, unknown>) => [d.name, d.pipeline_name, d.execution_rule, d.mode, d.is_enabled, d.status])).toEqual([
      ['nightly', 'training', 'periodic', 'elastic', true, 'up'],
      ['paused', 'training', 'periodic', 'elastic', false, 'disabled'],
      ['score', 'scoring', 'endpoint', 'elastic', true, 'up'],
    ]);
    for (const d of list) expect(d.created_at).toMatch(ISO_UTC);
  });

  it.skipIf(skip)('get_deployment: GET deployments/{name} (also ?wait_for_completion=true, answered at once), then its latest execution: 200 with execution_id, 204 when it has none', async () => {
    const score = await p.inject({ method: 'GET', url: `${api}/deployments/score`, headers: access });
    expect(score.json()).toEqual({
      name: 'score', execution_rule: 'endpoint', mode: 'elastic', is_enabled: true, status: 'up', pipeline: { name: 'scoring' }, description: null, inputs_mapping: [], outputs_mapping: [],
      created_at: expect.stringMatching(ISO_UTC), created_by: owner.id, updated_at: expect.stringMatching(ISO_UTC), updated_by: owner.id,
    });
    const nightly = (await p.inject({ method: 'GET', url: `${api}/deployments/nightly?wait_for_completion=true`, headers: access })).json();
    expect(nightly).toMatchObject({ execution_rule: 'periodic', status: 'up', schedule: '0 3 * * *', human_readable_schedule: 'At 03:00, every day' });
    expect((await p.inject({ method: 'GET', url: `${api}/deployments/paused`, headers: access })).json()).toMatchObject({ status: 'disabled', human_readable_schedule: 'Every 15 minutes, every day' });
    const latest = await p.inject({ method: 'GET', url: `${api}/deployments/score/executions/latest`, headers: access });
    expect(latest.statusCode).toBe(200);
    expect(latest.json().execution_id).toBe(executionId);
    const none = await p.inject({ method: 'GET', url: `${api}/deployments/nightly/executions/latest`, headers: access });
    expect(none.statusCode).toBe(204);
    expect(none.body).toBe('');
    for (const url of [`${api}/deployments/gone`, `${api}/deployments/gone/executions/latest`]) {
      const missing = await p.inject({ method: 'GET', url, headers: access });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ name: 'NotFound', message: expect.stringContaining('gone') });
    }
  });

  it.skipIf(skip)('the desktop keeps its project routes to the same deployments', async () => {
    const desktop = (await p.inject({ method: 'GET', url: '/api/v1/projects/fraud/environments/production/deployments', headers: access })).json();
    expect(desktop.items.map((d: { name: string; type: string; enabled: boolean }) => [d.name, d.type, d.enabled])).toEqual([
      ['nightly', 'periodic', true],
      ['paused', 'periodic', false],
      ['score', 'endpoint', true],
    ]);
  });

  // ——— errors ———

  it.skipIf(skip)("errors are JSON objects with the SDK's message, name and request_id: a bad token is a 401 the SDK raises cleanly", async () => {
    const answer = await p.inject({ method: 'GET', url: `${api}/executions/${executionId}`, headers: { ...SDK_CLIENT, ...bearer('eyJhbGciOiJIUzI1NiJ9.e30.x') } });
    expect(answer.statusCode).toBe(401);
    expect(answer.json()).toEqual({ error: 'unauthorized', name: 'Unauthorized', message: expect.any(String), request_id: expect.stringMatching(/^[A-Za-z0-9._:-]{8,128}$/) });
    const noRoute = await p.inject({ method: 'GET', url: `${api}/no-such-call`, headers: access });
    expect(noRoute.statusCode).toBe(404);
    expect(noRoute.json()).toMatchObject({ name: 'NotFound', request_id: expect.any(String) });
  });

  it.skipIf(skip)('every SDK call outside the scope is a 404 {name: NotProvided, message, request_id}, never a 500', async () => {
    for (const { method, path } of NOT_PROVIDED_ROUTES) {
      const url = path.replace(':slug', env.slug).replace(':id', executionId).replace(/\*$/, 'some/thing');
      const answer = await p.inject({ method, url, headers: access, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
      expect(answer.statusCode, `${method} ${url}`).toBe(404);
      expect(answer.json(), `${method} ${url}`).toEqual({ error: 'not_found', name: 'NotProvided', message: expect.stringMatching(/^This platform does not provide .+ \((GET|POST|PUT|PATCH|DELETE) \/.*\)\.$/), request_id: expect.any(String) });
    }
  });

  it.skipIf(skip)('the OpenAPI document lists the routes the SDK calls', async () => {
    const doc = (await p.inject({ method: 'GET', url: platformContract.openApiDocument.path })).json();
    for (const name of ['environmentInfo', 'getExecution', 'getExecutionInput', 'getExecutionOutput', 'getExecutionOutputs', 'getExecutionLogs', 'listPipelineExecutions', 'listEnvironmentDeployments', 'getEnvironmentDeployment', 'getLatestDeploymentExecution'] as const) {
      const { method, path } = platformContract[name];
      expect(doc.paths[path.replace(/:([a-z_]+)/g, '{$1}')]?.[method.toLowerCase()]?.operationId, name).toBe(name);
    }
  });

  // ——— bad input ———

  it.skipIf(skip)('bad input to each new route gets a 4xx naming the field and the rule, and changes nothing', async () => {
    const before = await snapshot();
    const cases: [string, 'GET' | 'POST' | 'PATCH', string, unknown, string][] = [
      ['include_io_values', 'GET', `${api}/executions/${executionId}?include_io_values=maybe`, undefined, 'include_io_values: must be true or false'],
      ['wait_for_completion', 'GET', `${api}/executions/${executionId}/outputs?wait_for_completion=soon`, undefined, 'wait_for_completion: must be true or false'],
      ['wait_for_completion', 'GET', `${api}/deployments/score?wait_for_completion=1`, undefined, 'wait_for_completion: must be true or false'],
      ['from', 'POST', `${api}/executions/${executionId}/logs`, { from: 'yesterday' }, 'from: must be epoch milliseconds'],
      ['to', 'POST', `${api}/executions/${executionId}/logs`, { to: -5 }, 'to: must be epoch milliseconds'],
      ['limit', 'POST', `${api}/executions/${executionId}/logs`, { limit: 0 }, 'limit: must be at least 1'],
      ['inputs.0.pipeline_input_name', 'POST', `${api}/executions`, { pipeline_name: 'scoring', inputs: [{ name: 'epochs', value: 3 }] }, 'inputs.0.pipeline_input_name: is required'],
      ['inputs.0.value', 'POST', `${api}/executions`, { pipeline_name: 'scoring', inputs: [{ pipeline_input_name: 'epochs', data_type: 'number', value: 'three' }] }, 'inputs.0.value: must be a number (data_type number)'],
      ['inputs.0.data_type', 'POST', `${api}/executions`, { pipeline_name: 'scoring', inputs: [{ pipeline_input_name: 'epochs', data_type: 'float' }] }, 'inputs.0.data_type: must be one of string, number, boolean, json, array, file'],
      ['inputs.0.mapping_value.environment_variable_name', 'POST', `${api}/executions`, { pipeline_name: 'scoring', inputs: [{ pipeline_input_name: 'path', data_type: 'string', mapping_type: 'environment_variable' }] }, 'is required when mapping_type is environment_variable'],
      ['inputs.1.pipeline_input_name', 'POST', `${api}/executions`, { pipeline_name: 'scoring', inputs: [{ pipeline_input_name: 'a', data_type: 'json' }, { pipeline_input_name: 'a', data_type: 'json' }] }, 'is given twice'],
      ['inputs.0.pipeline_input_name', 'POST', `${api}/executions`, { pipeline_name: 'scoring', inputs: [{ pipeline_input_name: 'a/b', data_type: 'json' }] }, "part of the SDK's URLs"],
      ['steps.0.commit_id', 'POST', `${api}/executions`, { pipeline_name: 'scoring', steps: [{ name: 'fit', status: 'pending', commit_id: 'not a hash' }] }, 'steps.0.commit_id: must be a commit hash'],
      ['outputs.0.value', 'PATCH', `${api}/executions/${executionId}`, { outputs: [{ pipeline_output_name: 'model', data_type: 'file', value: 'bytes?' }] }, 'this platform keeps no file contents'],
      ['outputs.0.mapping_type', 'PATCH', `${api}/executions/${executionId}`, { outputs: [{ pipeline_output_name: 'model', data_type: 'json', mapping_type: 'constant' }] }, 'outputs.0.mapping_type: must be one of endpoint, datastore, is_null, run'],
    ];
    for (const [field, method, url, payload, rule] of cases) {
      const answer = await p.inject({ method, url, headers: access, ...(payload === undefined ? {} : { payload: payload as object }) });
      expect(answer.statusCode, `${method} ${url}`).toBe(400);
      expect(answer.json(), `${method} ${url}`).toMatchObject({ error: 'validation', field, name: 'BadRequest', message: expect.stringContaining(rule) });
      expect(answer.json().message.startsWith(`${field}: `), answer.json().message).toBe(true);
    }
    // A name longer than any the platform keeps is refused by the router itself (414), before any handler.
    expect((await p.inject({ method: 'GET', url: `${api}/executions/${executionId}/inputs/${'x'.repeat(300)}`, headers: access })).statusCode).toBe(414);
    expect(await snapshot()).toBe(before);
  });

  // ——— the same calls from Python, as a user's script makes them ———

  it.skipIf(skip)('from Python (CraftAiSdk() with the variables craft exec sets): every call in scope answers what the SDK reads', { timeout: 60_000 }, async () => {
    const r = await python('in-scope', sdkVariables(), {
      execution_id: executionId, user_id: owner.id, input_name: 'threshold', output_name: 'score', pipeline_name: 'scoring',
      logs_from: logTimes[0], logs_to: logTimes[2], deployments: ['score', 'nightly', 'paused'],
    });
    const result = (name: string) => {
      expect(r[name], `${name}: ${JSON.stringify(r[name])}`).toMatchObject({ ok: true });
      return r[name]!.result as any;  
    };
    expect(result('who_am_i')).toEqual({ id: owner.id, name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(result('get_user')).toMatchObject({ id: owner.id, name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(result('get_environment_id')).toEqual(expect.any(String));
    const execution = result('get_pipeline_execution');
    expect(execution.inputs).toEqual([
      { pipeline_input_name: 'customer_id', data_type: 'string', endpoint_input_name: 'customer', source: 'endpoint', value: 'c-42' },
      { pipeline_input_name: 'threshold', data_type: 'number', constant_value: 0.5, source: 'constant', value: 0.5 },
      { pipeline_input_name: 'model_path', data_type: 'string', environment_variable_name: 'MODEL_PATH', source: 'environment_variable', value: '/models/m.pkl' },
      { pipeline_input_name: 'history', data_type: 'file', datastore_path: 'customers/c-42.csv', source: 'datastore', value: null },
      { pipeline_input_name: 'options', data_type: 'json', source: 'run', value: { explain: true } },
      { pipeline_input_name: 'segment', data_type: 'string', is_null: true, source: 'is_null', value: null },
    ]);
    expect(execution.outputs).toEqual([
      { pipeline_output_name: 'score', data_type: 'number', endpoint_output_name: 'score', destination: 'endpoint', value: 0.93 },
      { pipeline_output_name: 'labels', data_type: 'array', destination: 'run', value: ['fraud', 'review'] },
      { pipeline_output_name: 'report', data_type: 'file', datastore_path: 'reports/c-42.html', destination: 'datastore', value: null },
    ]);
    expect(execution.steps[0]).toMatchObject({ name: 'predict', commit_id: '4f2a9c1', origin: 'git_repository' });
    expect(result('get_pipeline_execution_input')).toEqual({ pipeline_input_name: 'threshold', data_type: 'number', constant_value: 0.5, source: 'constant', value: 0.5 });
    expect(r.get_pipeline_execution_input_unknown).toMatchObject({ ok: false, type: 'SdkException', error: `Cannot find input no_such_input for execution ${executionId}` });
    expect(result('get_pipeline_execution_output')).toEqual({ pipeline_output_name: 'score', data_type: 'number', endpoint_output_name: 'score', destination: 'endpoint', value: 0.93 });
    expect(result('retrieve_pipeline_execution_outputs')).toEqual({ execution_id: executionId, outputs: { score: 0.93, labels: ['fraud', 'review'], report: null } });
    expect(result('list_pipeline_executions').map((e: { execution_id: string }) => e.execution_id)).toContain(executionId);
    expect(result('get_pipeline_execution_logs')).toEqual(logTimes.map((timestamp, i) => ({ timestamp, message: `line ${i + 1}` })));
    expect(result('get_pipeline_execution_logs_window')).toEqual([{ timestamp: logTimes[0], message: 'line 1' }, { timestamp: logTimes[1], message: 'line 2' }]);
    expect(r.get_pipeline_execution_unknown).toMatchObject({ ok: false, type: 'SdkException', status_code: 404, name: 'NotFound' });
    expect(r.get_pipeline_execution_unknown!.error).toMatch(/^\[NotFound\] execution no-such-execution does not exist in this environment\nRequest id: [A-Za-z0-9._:-]{8,128}$/);
    expect(result('list_deployments').map((d: { name: string }) => d.name)).toEqual(['nightly', 'paused', 'score']);
    expect(result('get_deployment score')).toMatchObject({ name: 'score', pipeline: { name: 'scoring' }, execution_rule: 'endpoint', last_execution_id: executionId });
    expect(result('get_deployment nightly')).toMatchObject({ name: 'nightly', status: 'up', last_execution_id: null, human_readable_schedule: 'At 03:00, every day' });
    expect(result('get_deployment paused waiting')).toMatchObject({ status: 'disabled', is_enabled: false, last_execution_id: null });
    expect(r.get_deployment_unknown).toMatchObject({ ok: false, type: 'SdkException', status_code: 404 });
    expect(result('token_lifetime_s')).toBeGreaterThan(120 * 10); // the SDK refreshes 120 s before expiry: far from every call
    // environment-info is the one call sent without a token (refresh sends its token in the body).
    const sent = result('sent') as [string, string, boolean][];
    expect(sent.filter(([, , withToken]) => !withToken).map(([method, url]) => `${method} ${url.replace(base, '')}`)).toEqual(['POST /api/v1/auth/refresh', `GET ${api}/environment-info`]);
    expect(sent.filter(([, url]) => url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it.skipIf(skip)('from Python: retrieve_pipeline_execution_outputs of a running execution follows the 307s until it ends, then has its outputs', { timeout: 60_000 }, async () => {
    const running = (await p.inject({ method: 'POST', url: `${api}/executions`, headers: access, payload: { pipeline_name: 'scoring' } })).json();
    await p.inject({ method: 'PATCH', url: `${api}/executions/${running.execution_id}`, headers: access, payload: { status: 'running' } });
    // It ends once the SDK has been told 307 once (not after a fixed time: a slow start would find it ended already).
    let finished = false;
    const finishAfterFirstRedirect = (stderr: string) => {
      if (finished || !/^redirected 1$/m.test(stderr)) return;
      finished = true;
      void p.inject({ method: 'PATCH', url: `${api}/executions/${running.execution_id}`, headers: access, payload: { status: 'succeeded', outputs: [{ pipeline_output_name: 'score', data_type: 'number', value: 0.5 }] } });
    };
    const r = await python('outputs-when-done', sdkVariables(), { execution_id: running.execution_id }, finishAfterFirstRedirect);
    expect(r.retrieve_pipeline_execution_outputs).toEqual({ ok: true, result: { execution_id: running.execution_id, outputs: { score: 0.5 } } });
    expect(r.redirects!.result).toBeGreaterThanOrEqual(1); // at least one long poll ended in a 307
    expect(r.redirects!.result).toBeLessThan(10); // …each held about a second, not a busy loop
  });

  it.skipIf(skip)('from Python: every call outside the scope raises a clear SdkException "[NotProvided] This platform does not provide …"', { timeout: 60_000 }, async () => {
    const before = await snapshot();
    const r = await python('out-of-scope', sdkVariables(), { deployment: 'score', execution_id: executionId });
    const calls = Object.entries(r).filter(([name]) => name !== 'sent');
    expect(calls.length).toBeGreaterThanOrEqual(16);
    for (const [name, call] of calls) {
      expect(call, name).toMatchObject({ ok: false, type: 'SdkException', status_code: 404, name: 'NotProvided' });
      expect(call.error, name).toMatch(/^\[NotProvided\] This platform does not provide .+\nRequest id: [A-Za-z0-9._:-]{8,128}$/);
    }
    expect(r.run_pipeline!.error).toContain('pipelines or their runs (GET /pipelines/train)');
    expect(r.get_vector_database_credentials!.error).toContain('a vector database');
    expect(await snapshot()).toBe(before);
  });

  it.skipIf(skip)('from Python: after the token is regenerated, the old one is a clean SdkException (401), not a crash', { timeout: 60_000 }, async () => {
    const old = sdkToken;
    sdkToken = (await p.inject({ method: 'POST', url: '/api/v1/users/me/sdk-token', headers: access })).json().sdk_token;
    const r = await python('signed-out', { ...sdkVariables(), CRAFT_AI_SDK_TOKEN: old }, {});
    expect(r.who_am_i).toMatchObject({ ok: false, type: 'SdkException', status_code: 401 });
    const fresh = await python('signed-out', sdkVariables(), {});
    expect(fresh.who_am_i).toMatchObject({ ok: true, result: { id: owner.id } });
  });
});
