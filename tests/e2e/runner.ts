// What a pipeline runner does against the platform, from a test: exchange the user's SDK token for
// an access token, then record executions in an environment (the environment API, as the SDK calls it).
import type { BrowserMode } from './browser-mode.js';
import { callApp } from './seeded-app.js';

export async function runnerToken(app: BrowserMode): Promise<string> {
  const { token } = await callApp<{ token: string }>(app, 'getSdkToken', { reveal: true });
  const refreshed = await fetch(`${app.platformUrl}/api/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  });
  if (!refreshed.ok) throw new Error(`auth/refresh answered ${refreshed.status}`);
  return ((await refreshed.json()) as { access_token: string }).access_token;
}

export async function recordExecution(
  app: BrowserMode,
  accessToken: string,
  project: string,
  environment: string,
  body: { pipeline_name: string; inputs?: unknown[] },
  update?: Record<string, unknown>,
): Promise<{ execution_id: string }> {
  const env = await callApp<{ item: { url: string } }>(app, 'getEnvironment', { project, environment });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
  const created = await fetch(`${env.item.url}/api/v1/executions`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (created.status !== 201) throw new Error(`createExecution answered ${created.status}: ${await created.text()}`);
  const execution = (await created.json()) as { execution_id: string };
  if (update) await updateExecution(app, accessToken, project, environment, execution.execution_id, update);
  return execution;
}

/** Moves an execution on (its status, steps, outputs), as a runner reports it. */
export async function updateExecution(app: BrowserMode, accessToken: string, project: string, environment: string, executionId: string, update: Record<string, unknown>): Promise<void> {
  const env = await callApp<{ item: { url: string } }>(app, 'getEnvironment', { project, environment });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
  const patched = await fetch(`${env.item.url}/api/v1/executions/${encodeURIComponent(executionId)}`, { method: 'PATCH', headers, body: JSON.stringify(update) });
  if (patched.status !== 200) throw new Error(`updateExecution answered ${patched.status}: ${await patched.text()}`);
}
