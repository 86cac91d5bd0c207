// The environment API, under {environment_url}/api/v1 = {platform}/environments/{slug}/api/v1: what the
// Python SDK reads (environment info, executions with their inputs and outputs, logs, deployments) and what
// a runner writes. Each call authenticates and loads the environment in one query (register.ts, environment
// access). Paths, keys and status codes are the published SDK's (domain/platform-contract.ts).
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { endpointPath, platformContract, type EndpointRequest } from '../../domain/platform-contract.js';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { authenticateForEnvironment, environmentIdBySlug, environmentUrl, type PageReadInCheck } from '../environments-store.js';
import { environmentDeployments, latestDeploymentExecution, loadDeployment, sdkDeployment, sdkDeploymentItem, waitForDeployment } from '../deployments-store.js';
import {
  appendExecutionLogs,
  createExecution,
  executionLogs,
  executionOut,
  executionsPage,
  executionsPageRead,
  executionValue,
  loadExecution,
  PageCache,
  pipelineExecutions,
  updateExecution,
  waitForEnd,
} from '../executions-store.js';
import { FINAL_STATUSES } from '../../domain/execution.js';

/** Aborted when the caller goes away, so a long poll stops reading the database for nobody. */
function closedSignal(request: { raw: NodeJS.EventEmitter }): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => controller.abort());
  return controller.signal;
}

/** The executions list's page as its caller's check reads it: on PostgreSQL (a LATERAL join; SQLite keeps answered pages instead). */
export function listPageReadInCheck(ctx: PlatformContext, query: EndpointRequest<'listExecutions'>['query']): PageReadInCheck | null {
  if (ctx.dialect !== 'postgres') return null;
  const read = executionsPageRead(ctx, query);
  return { shape: read.shape, args: read.args, select: (seq, at) => read.select(seq, at, true), body: read.body };
}

export function environmentApiRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);
  const pages = new PageCache();

  route('environmentInfo', async (request) => {
    const { slug } = request.params;
    if (request.headers.authorization) {
      try {
        const { env, projectName } = await authenticateForEnvironment(ctx, request as never, slug);
        return {
          environment_id: env.id,
          environment_name: env.name,
          project_name: projectName,
          url: environmentUrl(ctx, env.slug),
          slug: env.slug,
          status: env.status,
          created_at: env.created_at,
          created_by: env.created_by,
        };
      } catch (error) {
        // A token that gives no access is answered as no token: nothing about the project is told.
        if (!(error instanceof AppError && (error.code === 'unauthorized' || error.code === 'not_found'))) throw error;
      }
    }
    return { environment_id: await environmentIdBySlug(ctx, slug) };
  });

  // PostgreSQL: the page is read in the caller's own statement (one round trip); SQLite keeps answered pages.
  route(
    'listExecutions',
    async (request, reply, { env, changesCursor }, page) => {
      reply.header('content-type', 'application/json; charset=utf-8');
      if (page) return reply.send(page.read.body(page.row, String(changesCursor ?? 0)));
      const cached = ctx.dialect === 'sqlite' && request.query.since === undefined;
      return reply.send(await executionsPage(ctx, env, request.query, cached ? { pages, cursorNow: changesCursor } : null));
    },
    { pageRead: ({ query }) => listPageReadInCheck(ctx, query) },
  );

  route('getExecution', async (request, _reply, { env }) =>
    executionOut(await loadExecution(ctx, env.id, request.params.id), { values: request.query.include_io_values === 'true' }),
  );

  // The bare value is the body (the SDK takes the whole answer as the value): sent as JSON text as it is.
  route('getExecutionInput', async (request, reply, { env }) =>
    reply.type('application/json; charset=utf-8').send(JSON.stringify(executionValue(await loadExecution(ctx, env.id, request.params.id), 'input', request.params.input_name))),
  );
  route('getExecutionOutput', async (request, reply, { env }) =>
    reply.type('application/json; charset=utf-8').send(JSON.stringify(executionValue(await loadExecution(ctx, env.id, request.params.id), 'output', request.params.output_name))),
  );

  route('getExecutionOutputs', async (request, reply, { env }) => {
    const { id } = request.params;
    const row = request.query.wait_for_completion === 'true' ? await waitForEnd(ctx, env.id, id, closedSignal(request)) : await loadExecution(ctx, env.id, id);
    if (request.query.wait_for_completion === 'true' && !FINAL_STATUSES.includes(row.status)) {
      // Not over yet: the SDK asks again at once on a 307 (it ignores Location; given for other clients).
      const again = `${endpointPath(platformContract.getExecutionOutputs, { slug: env.slug, id })}?wait_for_completion=true`;
      return reply.code(307).header('location', again).send({ message: `execution ${id} is ${row.status}: ask again` });
    }
    const execution = executionOut(row);
    return { execution_id: execution.execution_id, status: execution.status, outputs: execution.outputs };
  });

  route('listPipelineExecutions', async (request, _reply, { env }) => pipelineExecutions(ctx, env.id, request.params.name, request.query.limit));

  route('getExecutionLogs', async (request, _reply, { env }) => {
    const execution = await loadExecution(ctx, env.id, request.params.id);
    return [await executionLogs(ctx, execution.id, request.body)];
  });

  route('listEnvironmentDeployments', async (_request, _reply, { env }) => (await environmentDeployments(ctx, env)).map(sdkDeploymentItem));

  route('getEnvironmentDeployment', async (request, _reply, { env }) => {
    const { deployment } = request.params;
    return sdkDeployment(request.query.wait_for_completion === 'true' ? await waitForDeployment(ctx, env, deployment, closedSignal(request)) : await loadDeployment(ctx, env, deployment));
  });

  route('getLatestDeploymentExecution', async (request, reply, { env }) => {
    await loadDeployment(ctx, env, request.params.deployment);
    const latest = await latestDeploymentExecution(ctx, env, request.params.deployment);
    // No execution yet: 204, which the SDK reads as None (a 404 would fail get_deployment).
    return latest ?? reply.code(204).send();
  });

  // ——— what a runner calls ———
  route('createExecution', async (request, _reply, { env, user }) => createExecution(ctx, env, user.id, request.body));

  route('updateExecution', async (request, _reply, { env }) => updateExecution(ctx, env, await loadExecution(ctx, env.id, request.params.id), request.body));

  route('appendExecutionLogs', async (request, _reply, { env }) => ({ appended: await appendExecutionLogs(ctx, env.id, request.params.id, request.body.lines) }));
}
