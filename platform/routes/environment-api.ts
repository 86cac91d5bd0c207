// The environment API, under {environment_url}/api/v1 = {platform}/environments/{slug}/api/v1:
// what the Python SDK reads (environment info, executions, logs) and what a runner writes.
// Each call authenticates and loads the environment in one query (register.ts, environment access).
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { environmentUrl } from '../environments-store.js';
import {
  appendExecutionLogs,
  createExecution,
  executionLogs,
  executionOut,
  executionsPage,
  loadExecution,
  PageCache,
  pipelineExecutions,
  updateExecution,
} from '../executions-store.js';

export function environmentApiRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);
  const pages = new PageCache();

  route('environmentInfo', async (_request, _reply, { env, projectName }) => ({
    environment_name: env.name,
    project_name: projectName,
    url: environmentUrl(ctx, env.slug),
    slug: env.slug,
    status: env.status,
    created_at: env.created_at,
    created_by: env.created_by,
  }));

  route('listExecutions', async (request, reply, { env, changesCursor }) => {
    const cached = ctx.dialect === 'sqlite' && request.query.since === undefined;
    reply.header('content-type', 'application/json; charset=utf-8');
    return reply.send(await executionsPage(ctx, env, request.query, cached ? { pages, cursorNow: changesCursor } : null));
  });

  route('getExecution', async (request, _reply, { env }) => executionOut(await loadExecution(ctx, env.id, request.params.id)));

  route('listPipelineExecutions', async (request, _reply, { env }) => pipelineExecutions(ctx, env.id, request.params.name, request.query.limit));

  route('getExecutionLogs', async (request, _reply, { env }) => {
    const execution = await loadExecution(ctx, env.id, request.params.id);
    return executionLogs(ctx, execution.id, request.body);
  });

  // ——— what a runner calls ———
  route('createExecution', async (request, _reply, { env, user }) => createExecution(ctx, env, user.id, request.body));

  route('updateExecution', async (request, _reply, { env }) => updateExecution(ctx, env, await loadExecution(ctx, env.id, request.params.id), request.body));

  route('appendExecutionLogs', async (request, _reply, { env }) => {
    const execution = await loadExecution(ctx, env.id, request.params.id);
    return { appended: await appendExecutionLogs(ctx, execution.id, request.body.lines) };
  });
}
