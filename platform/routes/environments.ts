// /api/v1/projects/{name}/environments: a project's environments (each with its platform-unique URL).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { environmentCreateSchema, environmentSchema, environmentUpdateSchema } from '../../domain/environment.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, requireUser } from '../auth.js';
import { isUniqueViolation } from '../db/errors.js';
import { changedSince, currentCursor, recordChange } from '../changes.js';
import { loadProject, requireEdit } from '../projects-store.js';
import { environmentOut, loadEnvironment, newSlug } from '../environments-store.js';
import { errorResponses } from './auth.js';
import { cursorParam, projectNameParams } from './projects.js';

const json = (value: unknown) => (value === undefined ? undefined : value === null ? null : JSON.stringify(value));

export function environmentRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];
    const envParams = projectNameParams.extend({ env: z.string().max(200) });

    app.get(
      '/projects/:name/environments',
      {
        ...auth,
        schema: {
          tags: ['environments'],
          summary: 'The project\'s environments',
          description: 'With since=<cursor>: only those changed since, and the names of those deleted.',
          security,
          params: projectNameParams,
          querystring: z.object({ since: cursorParam.optional() }).strict(),
          response: { 200: z.object({ items: z.array(environmentSchema), deleted: z.array(z.string()), cursor: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const { row: project } = await loadProject(ctx, currentUser(request), request.params.name);
        let query = ctx.db.selectFrom('environments').selectAll().where('project_id', '=', project.id).orderBy('name');
        let cursor: number;
        let deleted: string[] = [];
        if (request.query.since !== undefined) {
          const changes = await changedSince(ctx.db, 'environment', request.query.since, { project_id: project.id });
          cursor = changes.cursor;
          deleted = changes.deletes.map((d) => d.key);
          if (changes.upserts.length === 0) return { items: [], deleted, cursor: String(cursor) };
          query = query.where('name', 'in', changes.upserts);
        } else {
          cursor = await currentCursor(ctx.db);
        }
        const rows = await query.execute();
        return { items: rows.map((row) => environmentOut(ctx, row, project.name)), deleted, cursor: String(cursor) };
      },
    );

    app.post(
      '/projects/:name/environments',
      {
        ...auth,
        schema: {
          tags: ['environments'],
          summary: 'Create an environment (owners, editors, admins)',
          description: 'Its URL, {platform}/environments/{slug}, is unique on the platform: the value of CRAFT_AI_ENVIRONMENT_URL. Overrides left out (or null) use the project\'s settings.',
          security,
          params: projectNameParams,
          body: environmentCreateSchema,
          response: { 201: environmentSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const { row: project, access } = await loadProject(ctx, user, request.params.name);
        requireEdit(access);
        const input = request.body;
        const duplicate = () => new AppError('conflict', `name: this project already has an environment named ${input.name}`, 'name');
        const exists = await ctx.db.selectFrom('environments').select('id').where('project_id', '=', project.id).where('name', '=', input.name).executeTakeFirst();
        if (exists) throw duplicate();
        const now = iso(ctx.now());
        for (let attempt = 0; ; attempt++) {
          const row = {
            id: randomUUID(),
            project_id: project.id,
            name: input.name,
            slug: newSlug(),
            // This platform has no infrastructure to provision: an environment is ready at once.
            status: 'ready' as const,
            default_branch: input.default_branch ?? null,
            folders: json(input.folders) ?? null,
            requirements_path: input.requirements_path ?? null,
            system_dependencies: json(input.system_dependencies) ?? null,
            created_at: now,
            created_by: user.id,
            updated_at: now,
          };
          try {
            await ctx.db.transaction().execute(async (trx) => {
              await trx.insertInto('environments').values(row).execute();
              await recordChange(trx, ctx, { resource: 'environment', key: row.name, project_id: project.id, environment_id: row.id, op: 'upsert' });
            });
            reply.code(201);
            return environmentOut(ctx, row, project.name);
          } catch (error) {
            if (!isUniqueViolation(error)) throw error;
            const again = await ctx.db.selectFrom('environments').select('id').where('project_id', '=', project.id).where('name', '=', input.name).executeTakeFirst();
            if (again || attempt >= 5) throw duplicate(); // else: the slug was taken, draw another
          }
        }
      },
    );

    app.get(
      '/projects/:name/environments/:env',
      { ...auth, schema: { tags: ['environments'], summary: 'One environment', security, params: envParams, response: { 200: environmentSchema, ...errorResponses } } },
      async (request) => {
        const { project, env } = await loadEnvironment(ctx, currentUser(request), request.params.name, request.params.env);
        return environmentOut(ctx, env, project.name);
      },
    );

    app.patch(
      '/projects/:name/environments/:env',
      {
        ...auth,
        schema: {
          tags: ['environments'],
          summary: 'Edit an environment\'s overrides or put it in standby (owners, editors, admins); its name and URL never change',
          security,
          params: envParams,
          body: environmentUpdateSchema,
          response: { 200: environmentSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { project, access, env } = await loadEnvironment(ctx, currentUser(request), request.params.name, request.params.env);
        requireEdit(access);
        const { status, default_branch, folders, requirements_path, system_dependencies } = request.body;
        const set = {
          ...(status !== undefined ? { status } : {}),
          ...(default_branch !== undefined ? { default_branch } : {}),
          ...(folders !== undefined ? { folders: json(folders) ?? null } : {}),
          ...(requirements_path !== undefined ? { requirements_path } : {}),
          ...(system_dependencies !== undefined ? { system_dependencies: json(system_dependencies) ?? null } : {}),
        };
        if (Object.keys(set).length === 0) return environmentOut(ctx, env, project.name);
        const now = iso(ctx.now());
        await ctx.db.transaction().execute(async (trx) => {
          await trx.updateTable('environments').set({ ...set, updated_at: now }).where('id', '=', env.id).execute();
          await recordChange(trx, ctx, { resource: 'environment', key: env.name, project_id: project.id, environment_id: env.id, op: 'upsert' });
        });
        return environmentOut(ctx, { ...env, ...set, updated_at: now }, project.name);
      },
    );

    app.delete(
      '/projects/:name/environments/:env',
      {
        ...auth,
        schema: {
          tags: ['environments'],
          summary: 'Delete an environment with its deployments, executions and logs (owners, editors, admins)',
          security,
          params: envParams,
          response: { 200: z.object({ deleted: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const { project, access, env } = await loadEnvironment(ctx, currentUser(request), request.params.name, request.params.env);
        requireEdit(access);
        await ctx.db.transaction().execute(async (trx) => {
          await recordChange(trx, ctx, { resource: 'environment', key: env.name, project_id: project.id, environment_id: env.id, op: 'delete' });
          await deleteEnvironmentRows(trx, env.id);
        });
        return { deleted: env.name };
      },
    );
  };
}

/** Deletes an environment and everything under it (explicitly: not every database cascades the same way). */
export async function deleteEnvironmentRows(trx: PlatformContext['db'], environmentId: string): Promise<void> {
  await trx
    .deleteFrom('execution_logs')
    .where('execution_seq', 'in', (eb) => eb.selectFrom('executions').select('id').where('environment_id', '=', environmentId))
    .execute();
  await trx.deleteFrom('executions').where('environment_id', '=', environmentId).execute();
  await trx.deleteFrom('deployments').where('environment_id', '=', environmentId).execute();
  await trx.deleteFrom('environments').where('id', '=', environmentId).execute();
}
