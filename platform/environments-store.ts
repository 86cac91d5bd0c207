// Environment rows, their platform-unique slug and URL, and access through the project.
import { randomInt, randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Environment, EnvironmentCreate } from '../domain/environment.js';
import { environmentUrlPath } from '../domain/platform-contract.js';
import { isUniqueViolation } from './db/errors.js';
import { changesList, recordChange } from './changes.js';
import { environmentSeq, type AggregatedPage, type ExecutionsPageRead } from './executions-store.js';
import type { FastifyRequest } from 'fastify';
import { accessTokenClaims, type AuthenticatedUser } from './auth.js';
import { refuseUntilPasswordChanged } from './first-admin.js';
import { iso } from './context.js';
import { sql, type Expression } from 'kysely';
import { arg } from './db/prepared.js';
import type { PlatformContext } from './context.js';
import type { EnvironmentsTable } from './db/schema.js';
import { type ProjectAccess, type ProjectRow, everyoneSeesEveryProject } from './projects-store.js';

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
  return `${ctx.publicUrl()}${environmentUrlPath(slug)}`;
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

/** An environment of a project the caller may see (its access checked when the route registered). */
export async function loadEnvironment(ctx: PlatformContext, project: ProjectRow, environmentName: string): Promise<EnvironmentsTable> {
  const env = await ctx.db.selectFrom('environments').selectAll().where('project_id', '=', project.id).where('name', '=', environmentName).executeTakeFirst();
  if (!env) throw environmentNotFound(environmentName);
  return env;
}

const json = (value: unknown) => (value === undefined ? undefined : value === null ? null : JSON.stringify(value));

export async function listEnvironments(ctx: PlatformContext, project: ProjectRow, since: number | undefined) {
  const { rows, deleted, cursor } = await changesList(ctx.db, {
    resource: 'environment',
    since,
    scope: { project_id: project.id },
    rows: (names) => {
      let query = ctx.db.selectFrom('environments').selectAll().where('project_id', '=', project.id).orderBy('name');
      if (names) query = query.where('name', 'in', names);
      return query.execute();
    },
  });
  return { items: rows.map((row) => environmentOut(ctx, row, project.name)), deleted, cursor };
}

/** Creates an environment with a platform-unique slug (drawn again in the rare case it is taken). */
export async function createEnvironment(ctx: PlatformContext, user: AuthenticatedUser, project: ProjectRow, input: EnvironmentCreate): Promise<Environment> {
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
        await recordChange(trx, ctx, { resource: 'environment', key: row.name, project_id: project.id, environment_id: row.id, op: 'upsert' });
        await trx.insertInto('environments').values(row).execute();
      });
      return environmentOut(ctx, row, project.name);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const again = await ctx.db.selectFrom('environments').select('id').where('project_id', '=', project.id).where('name', '=', input.name).executeTakeFirst();
      if (again || attempt >= 5) throw duplicate(); // else: the slug was taken, draw another
    }
  }
}

export async function updateEnvironment(
  ctx: PlatformContext,
  project: ProjectRow,
  env: EnvironmentsTable,
  input: { status?: 'ready' | 'standby'; default_branch?: string | null; folders?: string[] | null; requirements_path?: string | null; system_dependencies?: string[] | null },
): Promise<Environment> {
  const { status, default_branch, folders, requirements_path, system_dependencies } = input;
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
    await recordChange(trx, ctx, { resource: 'environment', key: env.name, project_id: project.id, environment_id: env.id, op: 'upsert' });
    await trx.updateTable('environments').set({ ...set, updated_at: now }).where('id', '=', env.id).execute();
  });
  return environmentOut(ctx, { ...env, ...set, updated_at: now }, project.name);
}

export async function deleteEnvironment(ctx: PlatformContext, project: ProjectRow, env: EnvironmentsTable): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'environment', key: env.name, project_id: project.id, environment_id: env.id, op: 'delete' });
    await deleteEnvironmentRows(trx, env.id);
  });
}

/** Deletes an environment and everything under it (explicitly: not every database cascades the same way). */
export async function deleteEnvironmentRows(trx: PlatformContext['db'], environmentId: string): Promise<void> {
  await trx
    .deleteFrom('execution_logs')
    .where('execution_seq', 'in', (eb) => eb.selectFrom('executions').select('id').where('environment_seq', '=', environmentSeq(environmentId)))
    .execute();
  await trx.deleteFrom('executions').where('environment_seq', '=', environmentSeq(environmentId)).execute();
  await trx.deleteFrom('deployments').where('environment_id', '=', environmentId).execute();
  await trx.deleteFrom('environments').where('id', '=', environmentId).execute();
}

/** A page read that the caller's check can hold (executionsPageRead, its aggregate told the order). */
export type PageReadInCheck = Pick<ExecutionsPageRead, 'shape' | 'args' | 'body'> & { select: (environmentSeq: Expression<number>, at: <T>(i: number) => T) => ReturnType<ExecutionsPageRead['select']> };

/** Who the caller's statement reads a page for: a member of the environment's project or an administrator (the other checks, after it, in code). */
const PAGE_READ_GATE = sql<boolean>`(members.role IS NOT NULL OR users.role = 'admin')`;

/**
 * The environment API's hot path: checks the access token's session and loads the environment with the
 * caller's membership in one query. Same answers as authenticate() + loadEnvironmentBySlug().
 * With `page` (PostgreSQL): the page is read in the same statement, a LATERAL join of the caller's row,
 * one round trip instead of two. It is read only for a caller the statement finds a member or an
 * administrator, and given back only once every check below has passed (else the call is refused as
 * without it); null when it was not read (a caller who sees the project by the open-projects setting),
 * for the route to read it then.
 */
export async function authenticateForEnvironment(
  ctx: PlatformContext,
  request: FastifyRequest,
  slug: string,
  options: { changesCursor?: boolean; page?: PageReadInCheck } = {},
): Promise<{ user: AuthenticatedUser; env: EnvironmentsTable; projectName: string; access: ProjectAccess; changesCursor?: number | null; page?: AggregatedPage | null }> {
  const claims = await accessTokenClaims(ctx, request);
  const page = options.page;
  // The page's placeholders come after the caller's three.
  const at = <T>(i: number) => arg<T>(3 + i);
  const [row] = await ctx.prepared.run(
    `authenticate-for-environment${options.changesCursor ? ',changes-cursor' : ''}${page ? `,${page.shape}` : ''}`,
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
        .$if(!!options.changesCursor, (qb) => qb.select((eb) => eb.selectFrom('changes').select((c) => c.fn.max('id').as('m')).as('changes_cursor')))
        // The gate inside the read is a one-time filter: for anyone else the page's rows are never scanned.
        .$if(!!page, (qb) =>
          qb
            .leftJoinLateral(page!.select(sql.ref<number>('environments.seq'), at).where(PAGE_READ_GATE).as('page_read'), (join) => join.onTrue())
            .select(['page_read.docs as page_docs', 'page_read.keys as page_keys', sql<number | null>`CASE WHEN ${PAGE_READ_GATE} THEN 1 END`.as('page_was_read')]),
        ),
    [slug, claims.sid, claims.sub, ...(page?.args ?? [])],
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
  const read = row as { page_docs?: string | null; page_keys?: string | null; page_was_read?: number | null };
  return {
    user,
    env,
    projectName: row.project_name,
    access,
    ...(options.changesCursor ? { changesCursor: row.changes_cursor === null || row.changes_cursor === undefined ? null : Number(row.changes_cursor) } : {}),
    ...(page ? { page: read.page_was_read === null || read.page_was_read === undefined ? null : { docs: read.page_docs ?? null, keys: read.page_keys ?? null } } : {}),
  };
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

/** An environment's id by its slug, for a caller without a token (the SDK's environment-info): nothing more. */
export async function environmentIdBySlug(ctx: PlatformContext, slug: string): Promise<string> {
  const row = await ctx.db.selectFrom('environments').select('id').where('slug', '=', slug).executeTakeFirst();
  if (!row) throw new AppError('not_found', `environment ${slug} does not exist`);
  return row.id;
}
