// /api/v1/settings: platform-wide settings (admins change them; everyone signed in may read them).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { platformSettingsSchema, platformSettingsUpdateSchema } from '../../domain/access.js';
import type { PlatformContext } from '../context.js';
import { currentUser, requireAdmin, requireUser } from '../auth.js';
import { everyoneSeesEveryProject } from '../projects-store.js';
import { errorResponses } from './auth.js';

export function settingsRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];
    const read = async () => ({ every_user_sees_every_project: await everyoneSeesEveryProject(ctx) });

    app.get('/settings', { ...auth, schema: { tags: ['settings'], summary: 'Platform settings', security, response: { 200: platformSettingsSchema, ...errorResponses } } }, read);

    app.patch(
      '/settings',
      {
        ...auth,
        schema: {
          tags: ['settings'],
          summary: 'Change platform settings (admins)',
          description: 'every_user_sees_every_project (off by default): when on, every user sees and may edit every project, as the platform\'s documentation describes today; membership still decides who may delete and manage members.',
          security,
          body: platformSettingsUpdateSchema,
          response: { 200: platformSettingsSchema, ...errorResponses },
        },
      },
      async (request) => {
        requireAdmin(currentUser(request));
        if (request.body.every_user_sees_every_project !== undefined) {
          const value = String(request.body.every_user_sees_every_project);
          await ctx.db
            .insertInto('settings')
            .values({ key: 'every_user_sees_every_project', value })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
            .execute();
        }
        return read();
      },
    );
  };
}
