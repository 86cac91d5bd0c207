// /api/v1/projects/{name}/environments: a project's environments (each with its platform-unique URL).
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { createEnvironment, deleteEnvironment, environmentOut, listEnvironments, loadEnvironment, updateEnvironment } from '../environments-store.js';

export function environmentRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);

  route('listEnvironments', async (request, _reply, { project }) => listEnvironments(ctx, project, request.query.since));
  route('createEnvironment', async (request, _reply, { user, project }) => createEnvironment(ctx, user, project, request.body));
  route('getEnvironment', async (request, _reply, { project }) => environmentOut(ctx, await loadEnvironment(ctx, project, request.params.env), project.name));
  route('updateEnvironment', async (request, _reply, { project }) => updateEnvironment(ctx, project, await loadEnvironment(ctx, project, request.params.env), request.body));
  route('deleteEnvironment', async (request, _reply, { project }) => {
    const env = await loadEnvironment(ctx, project, request.params.env);
    await deleteEnvironment(ctx, project, env);
    return { deleted: env.name };
  });
}
