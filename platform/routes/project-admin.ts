// /api/v1/projects/{name}: edit (with history), delete (repeating the name), members.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import {
  memberPutSchema,
  memberSchema,
  PROJECT_CHANGES_NOTICE,
  projectDeleteSchema,
  projectHistoryEntrySchema,
  projectPatchResultSchema,
  projectPatchSchema,
} from '../../domain/access.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { currentUser, requireUser } from '../auth.js';
import { checkDeployKey } from '../deploy-key.js';
import { encryptSecret } from '../secrets.js';
import { loadProject, projectOut, requireEdit, requireManage } from '../projects-store.js';
import { projectStats } from '../project-stats.js';
import { changedSince, currentCursor, recordChange } from '../changes.js';
import { errorResponses } from './auth.js';
import { cursorParam, projectNameParams } from './projects.js';
import { deleteEnvironmentRows } from './environments.js';

const LIST_FIELDS = new Set(['folders', 'system_dependencies']);

export function projectAdminRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    const auth = { preHandler: requireUser(ctx) };
    const security = [{ bearer: [] }];

    app.patch(
      '/projects/:name',
      {
        ...auth,
        schema: {
          tags: ['projects'],
          summary: 'Edit a project (owners, editors, admins); the name never changes',
          description: `Records who changed which fields when (GET …/history). ${PROJECT_CHANGES_NOTICE} deploy_key replaces the key (write-only).`,
          security,
          params: projectNameParams,
          body: projectPatchSchema,
          response: { 200: projectPatchResultSchema, ...errorResponses },
        },
      },
      async (request) => {
        const user = currentUser(request);
        const { row, access } = await loadProject(ctx, user, request.params.name);
        requireEdit(access);
        const { deploy_key, name: _name, ...fields } = request.body;
        const set: Record<string, string> = {};
        const changes: { field: string; from: unknown; to: unknown }[] = [];
        for (const [field, value] of Object.entries(fields)) {
          if (value === undefined) continue;
          const stored = LIST_FIELDS.has(field) ? JSON.stringify(value) : (value as string);
          const current = row[field as keyof typeof row];
          if (stored === current) continue;
          set[field] = stored;
          changes.push({ field, from: LIST_FIELDS.has(field) ? JSON.parse(current) : current, to: value });
        }
        if (deploy_key !== undefined) {
          const key = checkDeployKey(deploy_key);
          if (key.fingerprint !== row.deploy_key_fingerprint) {
            set.deploy_key_encrypted = encryptSecret(ctx.masterKey, key.privatePem, `project:${row.id}`);
            set.deploy_key_public = key.publicKey;
            set.deploy_key_fingerprint = key.fingerprint;
            changes.push({ field: 'deploy_key', from: row.deploy_key_fingerprint, to: key.fingerprint });
          }
        }
        const now = iso(ctx.now());
        if (changes.length > 0) {
          await ctx.db.transaction().execute(async (trx) => {
            await trx.updateTable('projects').set({ ...set, updated_at: now }).where('id', '=', row.id).execute();
            await trx.insertInto('project_history').values({ project_id: row.id, changed_at: now, changed_by: user.id, changes: JSON.stringify(changes) }).execute();
            await recordChange(trx, ctx, { resource: 'project', key: row.name, project_id: row.id, op: 'upsert' });
          });
        }
        const { deploy_key_encrypted: _secret, ...updated } = { ...row, ...set, updated_at: changes.length > 0 ? now : row.updated_at } as typeof row & { deploy_key_encrypted?: string };
        const stats = await projectStats(ctx, [row.id]);
        return { ...projectOut(updated, { role: access, ...stats.get(row.id) }), changed_fields: changes.map((c) => c.field), notice: PROJECT_CHANGES_NOTICE };
      },
    );

    app.get(
      '/projects/:name/history',
      {
        ...auth,
        schema: {
          tags: ['projects'],
          summary: 'Who changed which fields of the project, and when (newest first)',
          description: 'History is append-only: since=<id> gives only the entries after that one.',
          security,
          params: projectNameParams,
          querystring: z.object({ since: cursorParam.optional() }).strict(),
          response: { 200: z.object({ items: z.array(projectHistoryEntrySchema) }), ...errorResponses },
        },
      },
      async (request) => {
        const { row } = await loadProject(ctx, currentUser(request), request.params.name);
        let query = ctx.db
          .selectFrom('project_history')
          .leftJoin('users', 'users.id', 'project_history.changed_by')
          .select(['project_history.id', 'project_history.changed_at', 'project_history.changed_by', 'project_history.changes', 'users.name as changed_by_name'])
          .where('project_history.project_id', '=', row.id);
        if (request.query.since !== undefined) query = query.where('project_history.id', '>', request.query.since);
        const rows = await query.orderBy('project_history.id', 'desc').execute();
        return { items: rows.map((r) => ({ ...r, id: Number(r.id), changes: JSON.parse(r.changes) as { field: string; from: unknown; to: unknown }[] })) };
      },
    );

    app.delete(
      '/projects/:name',
      {
        ...auth,
        schema: {
          tags: ['projects'],
          summary: 'Delete a project (its owners and admins), repeating its name in confirm_name',
          security,
          params: projectNameParams,
          body: projectDeleteSchema,
          response: { 200: z.object({ deleted: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const { row, access } = await loadProject(ctx, currentUser(request), request.params.name);
        requireManage(access);
        if (request.body.confirm_name !== row.name)
          throw new AppError('validation', `confirm_name: must repeat the project's name (${row.name}) to delete it`, 'confirm_name');
        await ctx.db.transaction().execute(async (trx) => {
          await recordChange(trx, ctx, { resource: 'project', key: row.name, project_id: row.id, op: 'delete' });
          await deleteProjectRows(trx, row.id);
        });
        return { deleted: row.name };
      },
    );

    app.get(
      '/projects/:name/members',
      {
        ...auth,
        schema: {
          tags: ['members'],
          summary: 'The project\'s members and their roles',
          description: 'With since=<cursor>: only the members added or changed since then, and the user ids of those removed.',
          security,
          params: projectNameParams,
          querystring: z.object({ since: cursorParam.optional() }).strict(),
          response: { 200: z.object({ items: z.array(memberSchema), deleted: z.array(z.string()), cursor: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const { row } = await loadProject(ctx, currentUser(request), request.params.name);
        let query = ctx.db
          .selectFrom('members')
          .innerJoin('users', 'users.id', 'members.user_id')
          .select(['members.user_id', 'users.name', 'users.email', 'members.role', 'members.created_at'])
          .where('members.project_id', '=', row.id)
          .orderBy('users.name');
        let cursor: number;
        let deleted: string[] = [];
        if (request.query.since !== undefined) {
          const changes = await changedSince(ctx.db, 'member', request.query.since, { project_id: row.id });
          cursor = changes.cursor;
          deleted = changes.deletes.map((d) => d.key);
          if (changes.upserts.length === 0) return { items: [], deleted, cursor: String(cursor) };
          query = query.where('members.user_id', 'in', changes.upserts);
        } else {
          cursor = await currentCursor(ctx.db);
        }
        return { items: await query.execute(), deleted, cursor: String(cursor) };
      },
    );

    const memberParams = projectNameParams.extend({ user_id: z.string().max(100) });

    async function requireOtherOwner(projectId: string, userId: string) {
      const other = await ctx.db.selectFrom('members').select('user_id').where('project_id', '=', projectId).where('role', '=', 'owner').where('user_id', '!=', userId).executeTakeFirst();
      if (!other) throw new AppError('conflict', 'role: a project needs at least one owner: make someone else owner first', 'role');
    }

    app.put(
      '/projects/:name/members/:user_id',
      {
        ...auth,
        schema: {
          tags: ['members'],
          summary: 'Add a member or change their role (owners and admins)',
          security,
          params: memberParams,
          body: memberPutSchema,
          response: { 200: memberSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { row, access } = await loadProject(ctx, currentUser(request), request.params.name);
        requireManage(access);
        const target = await ctx.db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', request.params.user_id).where('deleted_at', 'is', null).executeTakeFirst();
        if (!target) throw new AppError('not_found', `user_id: user ${request.params.user_id} does not exist`, 'user_id');
        const existing = await ctx.db.selectFrom('members').select(['role', 'created_at']).where('project_id', '=', row.id).where('user_id', '=', target.id).executeTakeFirst();
        if (existing?.role === 'owner' && request.body.role !== 'owner') await requireOtherOwner(row.id, target.id);
        const now = iso(ctx.now());
        await ctx.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('members')
            .values({ project_id: row.id, user_id: target.id, role: request.body.role, created_at: now })
            .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ role: request.body.role }))
            .execute();
          await recordChange(trx, ctx, { resource: 'member', key: target.id, project_id: row.id, op: 'upsert' });
        });
        return { user_id: target.id, name: target.name, email: target.email, role: request.body.role, created_at: existing?.created_at ?? now };
      },
    );

    app.delete(
      '/projects/:name/members/:user_id',
      {
        ...auth,
        schema: {
          tags: ['members'],
          summary: 'Remove a member (owners and admins)',
          security,
          params: memberParams,
          response: { 200: z.object({ removed: z.string() }), ...errorResponses },
        },
      },
      async (request) => {
        const { row, access } = await loadProject(ctx, currentUser(request), request.params.name);
        requireManage(access);
        const existing = await ctx.db.selectFrom('members').select('role').where('project_id', '=', row.id).where('user_id', '=', request.params.user_id).executeTakeFirst();
        if (!existing) throw new AppError('not_found', `user_id: user ${request.params.user_id} is not a member of ${row.name}`, 'user_id');
        if (existing.role === 'owner') await requireOtherOwner(row.id, request.params.user_id);
        await ctx.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('members').where('project_id', '=', row.id).where('user_id', '=', request.params.user_id).execute();
          await recordChange(trx, ctx, { resource: 'member', key: request.params.user_id, project_id: row.id, op: 'delete' });
        });
        return { removed: request.params.user_id };
      },
    );
  };
}

/** Deletes a project and everything under it. */
export async function deleteProjectRows(trx: PlatformContext['db'], projectId: string): Promise<void> {
  const environments = await trx.selectFrom('environments').select('id').where('project_id', '=', projectId).execute();
  for (const env of environments) await deleteEnvironmentRows(trx, env.id);
  await trx.deleteFrom('project_history').where('project_id', '=', projectId).execute();
  await trx.deleteFrom('members').where('project_id', '=', projectId).execute();
  await trx.deleteFrom('projects').where('id', '=', projectId).execute();
}
