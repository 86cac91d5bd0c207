// /api/v1/projects: list, create, read (more in project-admin.ts).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { projectCreateSchema, projectSchema } from '../../domain/project.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, requireUser } from '../auth.js';
import { checkDeployKey } from '../deploy-key.js';
import { encryptSecret } from '../secrets.js';
import { isUniqueViolation } from '../db/errors.js';
import { everyoneSeesEveryProject, loadProject, PROJECT_COLUMNS, projectOut } from '../projects-store.js';
import { errorResponses } from './auth.js';
import { projectStats } from '../project-stats.js';
import { changedSince, currentCursor, recordChange } from '../changes.js';

/** A feed cursor: the string of a non-negative integer. */
export const cursorParam = z.coerce.number({ error: 'must be a cursor from a previous answer' }).int('must be a cursor from a previous answer').min(0, 'must be a cursor from a previous answer').max(Number.MAX_SAFE_INTEGER, 'must be a cursor from a previous answer');

export const projectNameParams = z.object({ name: z.string().max(200) });

function duplicate(name: string): AppError {
  return new AppError('conflict', `name: a project named ${name} already exists; choose another name`, 'name');
}

export function projectRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];

    app.get(
      '/projects',
      {
        ...auth,
        schema: {
          tags: ['projects'],
          summary: 'The projects the caller can see (admins: all), with the caller\'s role',
          description:
            'With since=<cursor> (from a previous answer), only the projects changed since then, and the names of those deleted: the desktop cache\'s incremental sync.',
          security,
          querystring: z.object({ since: cursorParam.optional() }).strict(),
          response: { 200: z.object({ items: z.array(projectSchema), deleted: z.array(z.string()), cursor: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const user = currentUser(request);
        const seeAll = user.role === 'admin' || (await everyoneSeesEveryProject(ctx));
        let query = ctx.db
          .selectFrom('projects')
          .leftJoin('members', (join) => join.onRef('members.project_id', '=', 'projects.id').on('members.user_id', '=', user.id))
          .select(PROJECT_COLUMNS.map((c) => `projects.${c}` as const))
          .select('members.role as member_role')
          .orderBy('projects.name');
        if (!seeAll) query = query.where('members.role', 'is not', null);
        let cursor: number;
        let deleted: string[] = [];
        if (request.query.since !== undefined) {
          const changes = await changedSince(ctx.db, 'project', request.query.since);
          cursor = changes.cursor;
          deleted = changes.deletes.filter((d) => seeAll || (d.audience ?? []).includes(user.id)).map((d) => d.key);
          if (changes.upserts.length === 0) return { items: [], deleted, cursor: String(cursor) };
          query = query.where('projects.name', 'in', changes.upserts);
        } else {
          cursor = await currentCursor(ctx.db);
        }
        const rows = await query.execute();
        const stats = await projectStats(ctx, rows.map((r) => r.id));
        return {
          items: rows.map(({ member_role, ...row }) =>
            projectOut(row, { role: member_role ?? (user.role === 'admin' ? 'admin' : 'editor'), ...stats.get(row.id) }),
          ),
          deleted,
          cursor: String(cursor),
        };
      },
    );

    app.post(
      '/projects',
      {
        ...auth,
        schema: {
          tags: ['projects'],
          summary: 'Create a project; the caller becomes its owner',
          description:
            'deploy_key is write-only: an RSA private key (PEM, PKCS#1 or PKCS#8, at least 2048 bits). It is stored encrypted and never returned; the answer carries its public key and SHA256 fingerprint.',
          security,
          body: projectCreateSchema,
          response: { 201: projectSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const input = request.body;
        const key = checkDeployKey(input.deploy_key);
        const exists = await ctx.db.selectFrom('projects').select('id').where('name', '=', input.name).executeTakeFirst();
        if (exists) throw duplicate(input.name);
        const now = iso(ctx.now());
        const id = randomUUID();
        const row = {
          id,
          name: input.name,
          python_version: input.python_version,
          repository_url: input.repository_url,
          default_branch: input.default_branch,
          folders: JSON.stringify(input.folders),
          requirements_path: input.requirements_path,
          system_dependencies: JSON.stringify(input.system_dependencies),
          deploy_key_public: key.publicKey,
          deploy_key_fingerprint: key.fingerprint,
          created_at: now,
          created_by: user.id,
          updated_at: now,
        };
        try {
          await ctx.db.transaction().execute(async (trx) => {
            await trx
              .insertInto('projects')
              .values({ ...row, deploy_key_encrypted: encryptSecret(ctx.masterKey, key.privatePem, `project:${id}`) })
              .execute();
            await trx.insertInto('members').values({ project_id: id, user_id: user.id, role: 'owner', created_at: now }).execute();
            await recordChange(trx, ctx, { resource: 'project', key: input.name, project_id: id, op: 'upsert' });
          });
        } catch (error) {
          if (isUniqueViolation(error)) throw duplicate(input.name);
          throw error;
        }
        reply.code(201);
        return projectOut(row, { role: 'owner' });
      },
    );

    app.get(
      '/projects/:name',
      {
        ...auth,
        schema: { tags: ['projects'], summary: 'One project (404 for non-members)', security, params: projectNameParams, response: { 200: projectSchema, ...errorResponses } },
      },
      async (request) => {
        const { row, access } = await loadProject(ctx, currentUser(request), request.params.name);
        const stats = await projectStats(ctx, [row.id]);
        return projectOut(row, { role: access, ...stats.get(row.id) });
      },
    );
  };
}
