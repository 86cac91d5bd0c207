// Project rows, access rules and the shape the API returns; a project's history and deletion.
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Project, ProjectCreate } from '../domain/project.js';
import { PROJECT_CHANGES_NOTICE, type ProjectHistoryEntry } from '../domain/access.js';
import type { AuthenticatedUser } from './auth.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import type { ProjectsTable } from './db/schema.js';
import { isUniqueViolation } from './db/errors.js';
import { changesList, recordChange } from './changes.js';
import { checkDeployKey } from './deploy-key.js';
import { encryptSecret } from './secrets.js';
import { projectStats } from './project-stats.js';
import { deleteEnvironmentRows } from './environments-store.js';

export type ProjectRole = 'owner' | 'editor' | 'viewer';
/** The caller's rights on a project: a member role, or 'admin' for administrators who are not members. */
export type ProjectAccess = ProjectRole | 'admin';

export const PROJECT_COLUMNS = [
  'id',
  'name',
  'python_version',
  'repository_url',
  'default_branch',
  'folders',
  'requirements_path',
  'system_dependencies',
  'deploy_key_public',
  'deploy_key_fingerprint',
  'created_at',
  'created_by',
  'updated_at',
] as const;

export type ProjectRow = Omit<ProjectsTable, 'deploy_key_encrypted'>;

export function projectOut(row: ProjectRow, extra: { role?: string; environment_count?: number; last_execution_status?: string | null } = {}): Project {
  return {
    name: row.name,
    python_version: row.python_version,
    repository_url: row.repository_url,
    default_branch: row.default_branch,
    folders: JSON.parse(row.folders) as string[],
    requirements_path: row.requirements_path,
    system_dependencies: JSON.parse(row.system_dependencies) as string[],
    deploy_key_public: row.deploy_key_public,
    deploy_key_fingerprint: row.deploy_key_fingerprint,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    environment_count: extra.environment_count ?? 0,
    last_execution_status: extra.last_execution_status ?? null,
    ...(extra.role ? { role: extra.role } : {}),
  };
}

export async function everyoneSeesEveryProject(ctx: PlatformContext): Promise<boolean> {
  const row = await ctx.db.selectFrom('settings').select('value').where('key', '=', 'every_user_sees_every_project').executeTakeFirst();
  return row?.value === 'true';
}

export async function setEveryoneSeesEveryProject(ctx: PlatformContext, on: boolean): Promise<void> {
  const value = String(on);
  await ctx.db
    .insertInto('settings')
    .values({ key: 'every_user_sees_every_project', value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

export function notFound(name: string): AppError {
  return new AppError('not_found', `project ${name} does not exist or you are not a member of it`);
}

/** The project and the caller's access, or 404 when the caller may not see it (never 403: no leak of existence). */
export async function loadProject(ctx: PlatformContext, user: AuthenticatedUser, name: string): Promise<{ row: ProjectRow; access: ProjectAccess }> {
  const row = await ctx.db
    .selectFrom('projects')
    .leftJoin('members', (join) => join.onRef('members.project_id', '=', 'projects.id').on('members.user_id', '=', user.id))
    .select(PROJECT_COLUMNS.map((c) => `projects.${c}` as const))
    .select('members.role as member_role')
    .where('projects.name', '=', name)
    .executeTakeFirst();
  if (!row) throw notFound(name);
  const { member_role, ...project } = row;
  if (member_role) return { row: project, access: member_role };
  if (user.role === 'admin') return { row: project, access: 'admin' };
  if (await everyoneSeesEveryProject(ctx)) return { row: project, access: 'editor' };
  throw notFound(name);
}

export function canEdit(access: ProjectAccess): boolean {
  return access === 'owner' || access === 'editor' || access === 'admin';
}

export function canManage(access: ProjectAccess): boolean {
  return access === 'owner' || access === 'admin';
}

export function requireEdit(access: ProjectAccess): void {
  if (!canEdit(access)) throw new AppError('forbidden', 'you are a viewer of this project: ask an owner for the editor role');
}

export function requireManage(access: ProjectAccess): void {
  if (!canManage(access)) throw new AppError('forbidden', 'only the project\'s owners and administrators can do this');
}

function duplicate(name: string): AppError {
  return new AppError('conflict', `name: a project named ${name} already exists; choose another name`, 'name');
}

/**
 * The projects a user can see (all for admins, or when everyone sees every project), with their role and
 * figures. With `since`, what changed for this user: projects changed or deleted, and projects they
 * joined or left (their own membership changes), so a cache never keeps a project its user lost.
 */
export async function listProjects(ctx: PlatformContext, user: AuthenticatedUser, since: number | undefined) {
  const seeAll = user.role === 'admin' || (await everyoneSeesEveryProject(ctx));
  const visibleProjects = (names: string[] | null) => {
    let query = ctx.db
      .selectFrom('projects')
      .leftJoin('members', (join) => join.onRef('members.project_id', '=', 'projects.id').on('members.user_id', '=', user.id))
      .select(PROJECT_COLUMNS.map((c) => `projects.${c}` as const))
      .select('members.role as member_role')
      .orderBy('projects.name');
    if (!seeAll) query = query.where('members.role', 'is not', null);
    if (names) query = query.where('projects.name', 'in', names);
    return query.execute();
  };
  let { rows, deleted, cursor } = await changesList(ctx.db, { resource: 'project', since, visible: (d) => seeAll || (d.audience ?? []).includes(user.id), rows: visibleProjects });
  if (since !== undefined) {
    // This user's own memberships that changed: a project joined comes in, a project left goes.
    const memberships = await ctx.db
      .selectFrom('changes')
      .innerJoin('projects', 'projects.id', 'changes.project_id')
      .select(['changes.id', 'projects.name'])
      .where('changes.resource', '=', 'member')
      .where('changes.key', '=', user.id)
      .where('changes.id', '>', since)
      .execute();
    if (memberships.length > 0) {
      const touched = [...new Set(memberships.map((m) => m.name))].filter((name) => !rows.some((row) => row.name === name));
      const seen = touched.length > 0 ? await visibleProjects(touched) : [];
      rows = [...rows, ...seen].sort((a, b) => a.name.localeCompare(b.name));
      deleted = [...new Set([...deleted, ...touched.filter((name) => !seen.some((row) => row.name === name))])];
      cursor = String(Math.max(Number(cursor), ...memberships.map((m) => Number(m.id))));
    }
  }
  const stats = await projectStats(ctx, rows.map((r) => r.id));
  const items = rows.map(({ member_role, ...row }) => projectOut(row, { role: member_role ?? (user.role === 'admin' ? 'admin' : 'editor'), ...stats.get(row.id) }));
  return { items, deleted, cursor };
}

/** One project as its reader sees it: their role and its figures. */
export async function projectView(ctx: PlatformContext, row: ProjectRow, access: ProjectAccess): Promise<Project> {
  const stats = await projectStats(ctx, [row.id]);
  return projectOut(row, { role: access, ...stats.get(row.id) });
}

/** Creates a project with its deploy key (stored encrypted); its creator becomes its owner. */
export async function createProject(ctx: PlatformContext, user: AuthenticatedUser, input: Required<Omit<ProjectCreate, 'deploy_key'>> & { deploy_key: string }): Promise<Project> {
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
      await recordChange(trx, ctx, { resource: 'project', key: input.name, project_id: id, op: 'upsert' });
      await trx
        .insertInto('projects')
        .values({ ...row, deploy_key_encrypted: encryptSecret(ctx.masterKey, key.privatePem, `project:${id}`) })
        .execute();
      await trx.insertInto('members').values({ project_id: id, user_id: user.id, role: 'owner', created_at: now }).execute();
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(input.name);
    throw error;
  }
  return projectOut(row, { role: 'owner' });
}

const LIST_FIELDS = new Set(['folders', 'system_dependencies']);

/** Applies the changed fields (a new deploy key by its fingerprint), recording who changed what in the history. */
export async function updateProject(
  ctx: PlatformContext,
  user: AuthenticatedUser,
  row: ProjectRow,
  access: ProjectAccess,
  input: { deploy_key?: string | undefined } & Record<string, unknown>,
) {
  const { deploy_key, name: _name, ...fields } = input;
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
      await recordChange(trx, ctx, { resource: 'project', key: row.name, project_id: row.id, op: 'upsert' });
      await trx.updateTable('projects').set({ ...set, updated_at: now }).where('id', '=', row.id).execute();
      await trx.insertInto('project_history').values({ project_id: row.id, changed_at: now, changed_by: user.id, changes: JSON.stringify(changes) }).execute();
    });
  }
  const { deploy_key_encrypted: _secret, ...updated } = { ...row, ...set, updated_at: changes.length > 0 ? now : row.updated_at } as ProjectRow & { deploy_key_encrypted?: string };
  return { ...(await projectView(ctx, updated, access)), changed_fields: changes.map((c) => c.field), notice: PROJECT_CHANGES_NOTICE };
}

/** Who changed which fields, newest first; after `since` (an entry id) only the later entries. */
export async function projectHistory(ctx: PlatformContext, projectId: string, since: number | undefined): Promise<ProjectHistoryEntry[]> {
  let query = ctx.db
    .selectFrom('project_history')
    .leftJoin('users', 'users.id', 'project_history.changed_by')
    .select(['project_history.id', 'project_history.changed_at', 'project_history.changed_by', 'project_history.changes', 'users.name as changed_by_name'])
    .where('project_history.project_id', '=', projectId);
  if (since !== undefined) query = query.where('project_history.id', '>', since);
  const rows = await query.orderBy('project_history.id', 'desc').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), changes: JSON.parse(r.changes) as { field: string; from: unknown; to: unknown }[] }));
}

/** Deletes a project and everything under it, once its name is repeated. */
export async function deleteProject(ctx: PlatformContext, row: ProjectRow, confirmName: string): Promise<void> {
  if (confirmName !== row.name) throw new AppError('validation', `confirm_name: must repeat the project's name (${row.name}) to delete it`, 'confirm_name');
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'project', key: row.name, project_id: row.id, op: 'delete' });
    await deleteProjectRows(trx, row.id);
  });
}

/** Deletes a project's rows and everything under them. */
export async function deleteProjectRows(trx: PlatformContext['db'], projectId: string): Promise<void> {
  const environments = await trx.selectFrom('environments').select('id').where('project_id', '=', projectId).execute();
  for (const env of environments) await deleteEnvironmentRows(trx, env.id);
  await trx.deleteFrom('project_history').where('project_id', '=', projectId).execute();
  await trx.deleteFrom('members').where('project_id', '=', projectId).execute();
  await trx.deleteFrom('projects').where('id', '=', projectId).execute();
}
