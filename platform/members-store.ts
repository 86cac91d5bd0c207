// A project's members and their roles; a project always keeps an owner.
import { AppError } from '../domain/errors.js';
import type { Member, MemberRole } from '../domain/access.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import { changesList, recordChange } from './changes.js';
import type { ProjectRow } from './projects-store.js';

export async function listMembers(ctx: PlatformContext, projectId: string, since: number | undefined) {
  return changesList(ctx.db, {
    resource: 'member',
    since,
    scope: { project_id: projectId },
    rows: (userIds) => {
      let query = ctx.db
        .selectFrom('members')
        .innerJoin('users', 'users.id', 'members.user_id')
        .select(['members.user_id', 'users.name', 'users.email', 'members.role', 'members.created_at'])
        .where('members.project_id', '=', projectId)
        .orderBy('users.name');
      if (userIds) query = query.where('members.user_id', 'in', userIds);
      return query.execute();
    },
  });
}

async function requireOtherOwner(ctx: PlatformContext, projectId: string, userId: string): Promise<void> {
  const other = await ctx.db.selectFrom('members').select('user_id').where('project_id', '=', projectId).where('role', '=', 'owner').where('user_id', '!=', userId).executeTakeFirst();
  if (!other) throw new AppError('conflict', 'role: a project needs at least one owner: make someone else owner first', 'role');
}

/** Adds a member or changes their role. */
export async function setMember(ctx: PlatformContext, project: ProjectRow, userId: string, role: MemberRole): Promise<Member> {
  const target = await ctx.db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', userId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!target) throw new AppError('not_found', `user_id: user ${userId} does not exist`, 'user_id');
  const existing = await ctx.db.selectFrom('members').select(['role', 'created_at']).where('project_id', '=', project.id).where('user_id', '=', target.id).executeTakeFirst();
  if (existing?.role === 'owner' && role !== 'owner') await requireOtherOwner(ctx, project.id, target.id);
  const now = iso(ctx.now());
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'member', key: target.id, project_id: project.id, op: 'upsert' });
    await trx
      .insertInto('members')
      .values({ project_id: project.id, user_id: target.id, role, created_at: now })
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ role }))
      .execute();
  });
  return { user_id: target.id, name: target.name, email: target.email, role, created_at: existing?.created_at ?? now };
}

export async function removeMember(ctx: PlatformContext, project: ProjectRow, userId: string): Promise<void> {
  const existing = await ctx.db.selectFrom('members').select('role').where('project_id', '=', project.id).where('user_id', '=', userId).executeTakeFirst();
  if (!existing) throw new AppError('not_found', `user_id: user ${userId} is not a member of ${project.name}`, 'user_id');
  if (existing.role === 'owner') await requireOtherOwner(ctx, project.id, userId);
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'member', key: userId, project_id: project.id, op: 'delete' });
    await trx.deleteFrom('members').where('project_id', '=', project.id).where('user_id', '=', userId).execute();
  });
}
