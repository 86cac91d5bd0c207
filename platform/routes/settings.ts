// /api/v1/settings: platform-wide settings (admins change them; everyone signed in may read them).
import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../context.js';
import { routesOf } from './register.js';
import { everyoneSeesEveryProject, setEveryoneSeesEveryProject } from '../projects-store.js';

export function settingsRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  const route = routesOf(app, ctx);
  const read = async () => ({ every_user_sees_every_project: await everyoneSeesEveryProject(ctx) });

  route('getSettings', read);
  route('updateSettings', async (request) => {
    if (request.body.every_user_sees_every_project !== undefined) await setEveryoneSeesEveryProject(ctx, request.body.every_user_sees_every_project);
    return read();
  });
}
