// Environment rows, their platform-unique slug and URL, and access through the project.
import { randomInt } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Environment } from '../domain/environment.js';
import type { FastifyRequest } from 'fastify';
import { accessTokenClaims, type AuthenticatedUser } from './auth.js';
import { refuseUntilPasswordChanged } from './first-admin.js';
import { iso } from './context.js';
import { arg } from './db/prepared.js';
import type { PlatformContext } from './context.js';
import type { EnvironmentsTable } from './db/schema.js';
import { loadProject, type ProjectAccess, type ProjectRow, everyoneSeesEveryProject } from './projects-store.js';

const ADJECTIVES = ['brisk', 'calm', 'eager', 'gentle', 'bold', 'quiet', 'swift', 'bright', 'clever', 'daring', 'fuzzy', 'happy', 'jolly', 'keen', 'lucky', 'mellow', 'nimble', 'proud', 'rapid', 'sunny', 'witty', 'zesty', 'noble', 'lively'];
const ANIMALS = ['hawk', 'otter', 'lynx', 'heron', 'panda', 'tiger', 'whale', 'zebra', 'koala', 'raven', 'bison', 'falcon', 'gecko', 'ibis', 'jaguar', 'lemur', 'marten', 'newt', 'orca', 'puffin', 'quail', 'seal', 'viper', 'wombat'];
const COLOURS = ['charcoal', 'amber', 'azure', 'coral', 'crimson', 'ebony', 'ivory', 'jade', 'lilac', 'maroon', 'ochre', 'olive', 'pearl', 'ruby', 'sage', 'teal', 'umber', 'violet', 'indigo', 'silver'];
const GREEK = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega'];

const pick = (words: string[]) => words[randomInt(words.length)]!;

/** e.g. brisk-hawk-charcoal-zeta-42, the way the platform's environment URLs look. */
export function newSlug(): string {
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${pick(COLOURS)}-${pick(GREEK)}-${randomInt(10, 100)}`;
}

export function environmentUrl(ctx: PlatformContext, slug: string): string {
  return `${ctx.publicUrl()}/environments/${slug}`;
}

export function environmentOut(ctx: PlatformContext, row: EnvironmentsTable, projectName: string): Environment {
  return {
    name: row.name,
    project_name: projectName,
    slug: row.slug,
    url: environmentUrl(ctx, row.slug),
    status: row.status,
    default_branch: row.default_branch,
    folders: row.folders === null ? null : (JSON.parse(row.folders) as string[]),
    requirements_path: row.requirements_path,
    system_dependencies: row.system_dependencies === null ? null : (JSON.parse(row.system_dependencies) as string[]),
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
  };
}

export function environmentNotFound(name: string): AppError {
  return new AppError('not_found', `environment ${name} does not exist in this project`);
}

export async function loadEnvironment(
  ctx: PlatformContext,
  user: AuthenticatedUser,
  projectName: string,
  environmentName: string,
): Promise<{ project: ProjectRow; access: ProjectAccess; env: EnvironmentsTable }> {
  const { row: project, access } = await loadProject(ctx, user, projectName);
  const env = await ctx.db.selectFrom('environments').selectAll().where('project_id', '=', project.id).where('name', '=', environmentName).executeTakeFirst();
  if (!env) throw environmentNotFound(environmentName);
  return { project, access, env };
}

/**
 * The environment API's hot path: checks the access token's session and loads the environment with the
 * caller's membership in one query. Same answers as authenticate() + loadEnvironmentBySlug().
 */
export async function authenticateForEnvironment(
  ctx: PlatformContext,
  request: FastifyRequest,
  slug: string,
  options: { changesCursor?: boolean } = {},
): Promise<{ user: AuthenticatedUser; env: EnvironmentsTable; projectName: string; access: ProjectAccess; changesCursor?: number | null }> {
  const claims = await accessTokenClaims(ctx, request);
  const [row] = await ctx.prepared.run(
    options.changesCursor ? 'authenticate-for-environment,changes-cursor' : 'authenticate-for-environment',
    () =>
      ctx.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .leftJoin('environments', (join) => join.on('environments.slug', '=', arg<string>(0)))
        .leftJoin('projects', 'projects.id', 'environments.project_id')
        .leftJoin('members', (join) => join.onRef('members.project_id', '=', 'environments.project_id').onRef('members.user_id', '=', 'users.id'))
        .select(['users.id as user_id', 'users.name as user_name', 'users.email as user_email', 'users.role as user_role', 'users.created_at as user_created_at'])
        .select(['users.password_change_required', 'users.password_expires_at'])
        .select(['sessions.id as session_id', 'sessions.expires_at as session_expires_at'])
        .select(['environments.id', 'environments.project_id', 'environments.name', 'environments.slug', 'environments.status', 'environments.default_branch', 'environments.folders'])
        .select(['environments.requirements_path', 'environments.system_dependencies', 'environments.created_at', 'environments.created_by', 'environments.updated_at'])
        .select(['projects.name as project_name', 'members.role as member_role'])
        .where('sessions.id', '=', arg<string>(1))
        .where('sessions.user_id', '=', arg<string>(2))
        .where('sessions.revoked_at', 'is', null)
        .where('users.deleted_at', 'is', null)
        // With changesCursor: the newest change, read in the same statement (saves a query to a caller that needs it).
        .$if(!!options.changesCursor, (qb) => qb.select((eb) => eb.selectFrom('changes').select((c) => c.fn.max('id').as('m')).as('changes_cursor'))),
    [slug, claims.sid, claims.sub],
  );
  if (!row || row.session_expires_at <= iso(ctx.now())) throw new AppError('unauthorized', 'sign in again: the access token is missing, expired or revoked');
  refuseUntilPasswordChanged(ctx, row, `${request.method} ${request.routeOptions.url}`);
  const user: AuthenticatedUser = { id: row.user_id, name: row.user_name, email: row.user_email, role: row.user_role, created_at: row.user_created_at, sessionId: row.session_id, passwordChangeRequired: false };
  request.user = user;
  const missing = () => new AppError('not_found', `environment ${slug} does not exist or you are not a member of its project`);
  if (!row.id || !row.project_name) throw missing();
  let access: ProjectAccess | null = row.member_role ?? null;
  if (!access && user.role === 'admin') access = 'admin';
  if (!access && (await everyoneSeesEveryProject(ctx))) access = 'editor';
  if (!access) throw missing();
  const env: EnvironmentsTable = {
    id: row.id,
    project_id: row.project_id!,
    name: row.name!,
    slug: row.slug!,
    status: row.status!,
    default_branch: row.default_branch,
    folders: row.folders,
    requirements_path: row.requirements_path,
    system_dependencies: row.system_dependencies,
    created_at: row.created_at!,
    created_by: row.created_by!,
    updated_at: row.updated_at!,
  };
  return { user, env, projectName: row.project_name, access, ...(options.changesCursor ? { changesCursor: row.changes_cursor === null || row.changes_cursor === undefined ? null : Number(row.changes_cursor) } : {}) };
}

/** The environment API: by slug; 404 unless the caller may see its project (same rules as projects). */
export async function loadEnvironmentBySlug(
  ctx: PlatformContext,
  user: AuthenticatedUser,
  slug: string,
): Promise<{ env: EnvironmentsTable; projectName: string; access: ProjectAccess }> {
  const row = await ctx.db
    .selectFrom('environments')
    .innerJoin('projects', 'projects.id', 'environments.project_id')
    .leftJoin('members', (join) => join.onRef('members.project_id', '=', 'environments.project_id').on('members.user_id', '=', user.id))
    .selectAll('environments')
    .select(['projects.name as project_name', 'members.role as member_role'])
    .where('environments.slug', '=', slug)
    .executeTakeFirst();
  const missing = () => new AppError('not_found', `environment ${slug} does not exist or you are not a member of its project`);
  if (!row) throw missing();
  const { project_name, member_role, ...env } = row;
  let access: ProjectAccess | null = member_role ?? null;
  if (!access && user.role === 'admin') access = 'admin';
  if (!access && (await everyoneSeesEveryProject(ctx))) access = 'editor';
  if (!access) throw missing();
  return { env, projectName: project_name, access };
}
