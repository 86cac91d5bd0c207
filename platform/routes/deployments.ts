// /api/v1/projects/{name}/environments/{env}/deployments
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { deploymentCreateSchema, deploymentSchema, deploymentUpdateSchema } from '../../domain/environment.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, requireUser } from '../auth.js';
import { isUniqueViolation } from '../db/errors.js';
import { changedSince, currentCursor, recordChange } from '../changes.js';
import { requireEdit } from '../projects-store.js';
import { loadEnvironment } from '../environments-store.js';
import type { DeploymentsTable } from '../db/schema.js';
import { errorResponses } from './auth.js';
import { cursorParam, projectNameParams } from './projects.js';

function deploymentOut(row: DeploymentsTable, environmentName: string) {
  return {
    name: row.name,
    environment_name: environmentName,
    pipeline_name: row.pipeline_name,
    type: row.type,
    enabled: row.enabled === 1,
    status: row.status,
    schedule: row.schedule,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
  };
}

export function deploymentRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];
    const envParams = projectNameParams.extend({ env: z.string().max(200) });
    const depParams = envParams.extend({ deployment: z.string().max(200) });
    const base = '/projects/:name/environments/:env/deployments';

    async function load(request: { params: z.infer<typeof depParams> } & Parameters<typeof currentUser>[0]) {
      const found = await loadEnvironment(ctx, currentUser(request), request.params.name, request.params.env);
      const row = await ctx.db.selectFrom('deployments').selectAll().where('environment_id', '=', found.env.id).where('name', '=', request.params.deployment).executeTakeFirst();
      if (!row) throw new AppError('not_found', `deployment ${request.params.deployment} does not exist in environment ${found.env.name}`);
      return { ...found, row };
    }

    app.get(
      base,
      {
        ...auth,
        schema: {
          tags: ['deployments'],
          summary: 'The environment\'s deployments (since=<cursor>: changes only)',
          security,
          params: envParams,
          querystring: z.object({ since: cursorParam.optional() }).strict(),
          response: { 200: z.object({ items: z.array(deploymentSchema), deleted: z.array(z.string()), cursor: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const { env } = await loadEnvironment(ctx, currentUser(request), request.params.name, request.params.env);
        let query = ctx.db.selectFrom('deployments').selectAll().where('environment_id', '=', env.id).orderBy('name');
        let cursor: number;
        let deleted: string[] = [];
        if (request.query.since !== undefined) {
          const changes = await changedSince(ctx.db, 'deployment', request.query.since, { environment_id: env.id });
          cursor = changes.cursor;
          deleted = changes.deletes.map((d) => d.key);
          if (changes.upserts.length === 0) return { items: [], deleted, cursor: String(cursor) };
          query = query.where('name', 'in', changes.upserts);
        } else {
          cursor = await currentCursor(ctx.db);
        }
        return { items: (await query.execute()).map((row) => deploymentOut(row, env.name)), deleted, cursor: String(cursor) };
      },
    );

    app.post(
      base,
      {
        ...auth,
        schema: {
          tags: ['deployments'],
          summary: 'Deploy a pipeline: an endpoint, or periodic with a cron schedule (owners, editors, admins)',
          security,
          params: envParams,
          body: deploymentCreateSchema,
          response: { 201: deploymentSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const { project, access, env } = await loadEnvironment(ctx, user, request.params.name, request.params.env);
        requireEdit(access);
        const input = request.body;
        const now = iso(ctx.now());
        const row: DeploymentsTable = {
          id: randomUUID(),
          environment_id: env.id,
          name: input.name,
          pipeline_name: input.pipeline_name,
          type: input.type,
          enabled: input.enabled ? 1 : 0,
          status: 'up',
          schedule: input.schedule ?? null,
          created_at: now,
          created_by: user.id,
          updated_at: now,
        };
        try {
          await ctx.db.transaction().execute(async (trx) => {
            await trx.insertInto('deployments').values(row).execute();
            await recordChange(trx, ctx, { resource: 'deployment', key: row.name, project_id: project.id, environment_id: env.id, op: 'upsert' });
          });
        } catch (error) {
          if (isUniqueViolation(error)) throw new AppError('conflict', `name: this environment already has a deployment named ${input.name}`, 'name');
          throw error;
        }
        reply.code(201);
        return deploymentOut(row, env.name);
      },
    );

    app.get(
      `${base}/:deployment`,
      { ...auth, schema: { tags: ['deployments'], summary: 'One deployment', security, params: depParams, response: { 200: deploymentSchema, ...errorResponses } } },
      async (request) => {
        const { env, row } = await load(request);
        return deploymentOut(row, env.name);
      },
    );

    app.patch(
      `${base}/:deployment`,
      {
        ...auth,
        schema: { tags: ['deployments'], summary: 'Enable, disable or reschedule a deployment (owners, editors, admins)', security, params: depParams, body: deploymentUpdateSchema, response: { 200: deploymentSchema, ...errorResponses } },
      },
      async (request) => {
        const { project, env, access, row } = await load(request);
        requireEdit(access);
        const { enabled, schedule, status } = request.body;
        if (schedule !== undefined && row.type !== 'periodic') throw new AppError('validation', 'schedule: is only for periodic deployments', 'schedule');
        const set = {
          ...(enabled !== undefined ? { enabled: enabled ? 1 : 0 } : {}),
          ...(schedule !== undefined ? { schedule } : {}),
          ...(status !== undefined ? { status } : {}),
        };
        if (Object.keys(set).length === 0) return deploymentOut(row, env.name);
        const now = iso(ctx.now());
        await ctx.db.transaction().execute(async (trx) => {
          await trx.updateTable('deployments').set({ ...set, updated_at: now }).where('id', '=', row.id).execute();
          await recordChange(trx, ctx, { resource: 'deployment', key: row.name, project_id: project.id, environment_id: env.id, op: 'upsert' });
        });
        return deploymentOut({ ...row, ...set, updated_at: now }, env.name);
      },
    );

    app.delete(
      `${base}/:deployment`,
      {
        ...auth,
        schema: { tags: ['deployments'], summary: 'Delete a deployment (its executions stay, naming it)', security, params: depParams, response: { 200: z.object({ deleted: z.string() }), ...errorResponses } },
      },
      async (request) => {
        const { project, env, access, row } = await load(request);
        requireEdit(access);
        await ctx.db.transaction().execute(async (trx) => {
          await recordChange(trx, ctx, { resource: 'deployment', key: row.name, project_id: project.id, environment_id: env.id, op: 'delete' });
          await trx.deleteFrom('deployments').where('id', '=', row.id).execute();
        });
        return { deleted: row.name };
      },
    );
  };
}
