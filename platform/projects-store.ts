// Project rows, access rules and the shape the API returns.
import { AppError } from '../domain/errors.js';
import type { Project } from '../domain/project.js';
import type { AuthenticatedUser } from './auth.js';
import type { PlatformContext } from './context.js';
import type { ProjectsTable } from './db/schema.js';

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
