// /api/v1/projects/{name}/environments/{env}/deployments
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { loadEnvironment } from '../environments-store.js';
import { createDeployment, deleteDeployment, deploymentOut, listDeployments, loadDeployment, updateDeployment } from '../deployments-store.js';

export function deploymentRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);

  route('listDeployments', async (request, _reply, { project }) => listDeployments(ctx, await loadEnvironment(ctx, project, request.params.env), request.query.since));
  route('createDeployment', async (request, _reply, { user, project }) => createDeployment(ctx, user.id, await loadEnvironment(ctx, project, request.params.env), request.body));
  route('getDeployment', async (request, _reply, { project }) => {
    const env = await loadEnvironment(ctx, project, request.params.env);
    return deploymentOut(await loadDeployment(ctx, env, request.params.deployment), env.name);
  });
  route('updateDeployment', async (request, _reply, { user, project }) => {
    const env = await loadEnvironment(ctx, project, request.params.env);
    return updateDeployment(ctx, user.id, env, await loadDeployment(ctx, env, request.params.deployment), request.body);
  });
  route('deleteDeployment', async (request, _reply, { project }) => {
    const env = await loadEnvironment(ctx, project, request.params.env);
    const row = await loadDeployment(ctx, env, request.params.deployment);
    await deleteDeployment(ctx, env, row);
    return { deleted: row.name };
  });
}
