// /api/v1/projects: list, create, read, edit (with history), test and replace the deploy key, delete (repeating the name), members.
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { createProject, deleteProject, listProjects, projectHistory, projectView, updateProject } from '../projects-store.js';
import { listMembers, removeMember, setMember } from '../members-store.js';
import { replaceDeployKey, testHeldDeployKey } from '../deploy-key-access.js';
import { currentCursor } from '../changes.js';

export function projectRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);

  // What a client polls while a view is on screen: one indexed max(), nothing else read.
  route('getChangeCursor', async () => ({ cursor: String(await currentCursor(ctx.db)) }));
  route('listProjects', async (request, _reply, { user }) => listProjects(ctx, user, request.query.since));
  route('createProject', async (request, _reply, { user }) => createProject(ctx, user, request.body));
  route('getProject', async (_request, _reply, { project, access }) => projectView(ctx, project, access));
  route('updateProject', async (request, _reply, { user, project, access }) => updateProject(ctx, user, project, access, request.body));
  route('getProjectHistory', async (request, _reply, { project }) => ({ items: await projectHistory(ctx, project.id, request.query.since) }));
  route('testProjectDeployKey', async (request, _reply, { project }) => testHeldDeployKey(ctx, project, request.body.trusted_host_fingerprints));
  route('replaceProjectDeployKey', async (request, _reply, { user, project, access }) => replaceDeployKey(ctx, user, project, access, request.body));
  route('deleteProject', async (request, _reply, { project }) => {
    await deleteProject(ctx, project, request.body.confirm_name);
    return { deleted: project.name };
  });

  route('listMembers', async (request, _reply, { project }) => {
    const { rows, deleted, cursor } = await listMembers(ctx, project.id, request.query.since);
    return { items: rows, deleted, cursor };
  });
  route('setMember', async (request, _reply, { project }) => setMember(ctx, project, request.params.user_id, request.body.role));
  route('removeMember', async (request, _reply, { project }) => {
    await removeMember(ctx, project, request.params.user_id);
    return { removed: request.params.user_id };
  });
}
