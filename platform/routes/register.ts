// Routes register from the platform contract (domain/platform-contract.ts): its path, schemas and
// OpenAPI words, and who may call — enforced here, before the handler runs, for every endpoint alike.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import {
  ERROR_RESPONSES,
  platformContract,
  type Access,
  type EndpointName,
  type EndpointRequest,
  type EndpointResult,
  type PlatformContract,
} from '../../domain/platform-contract.js';
import type { PlatformContext } from '../context.js';
import { authenticate, requireAdmin, type AuthenticatedUser } from '../auth.js';
import { loadProject, requireEdit, requireManage, type ProjectAccess, type ProjectRow } from '../projects-store.js';
import { authenticateForEnvironment, type PageReadInCheck } from '../environments-store.js';
import type { AggregatedPage } from '../executions-store.js';
import type { EnvironmentsTable } from '../db/schema.js';

export interface UserCaller {
  user: AuthenticatedUser;
}
export interface ProjectCaller extends UserCaller {
  project: ProjectRow;
  access: ProjectAccess;
}
export interface EnvironmentCaller extends UserCaller {
  env: EnvironmentsTable;
  projectName: string;
  access: ProjectAccess;
  /** The newest change's cursor, read in the same query as the session (null when nothing was written yet). */
  changesCursor: number | null;
}

/** What the handler learns of its caller, by the endpoint's access level. */
export type CallerOf<A extends Access> = A extends 'anonymous'
  ? Record<string, never>
  : A extends 'user' | 'admin'
    ? UserCaller
    : A extends `project:${string}`
      ? ProjectCaller
      : EnvironmentCaller;

/** The request as the handler sees it: params, query and body parsed by the endpoint's schemas. */
export type EndpointFastifyRequest<N extends EndpointName> = Omit<FastifyRequest, 'params' | 'query' | 'body'> & EndpointRequest<N>;

export type EndpointHandler<N extends EndpointName> = (
  request: EndpointFastifyRequest<N>,
  reply: FastifyReply,
  caller: CallerOf<PlatformContract[N]['access']>,
  /** What the caller's statement read for the endpoint's `pageRead`, with that read (its answer's body), once the caller passed every check; null if it did not read it (see EndpointOptions). */
  page: PageReadInCheckResult | null,
) => Promise<EndpointResult<N> | FastifyReply>;

/** A page read in the caller's check: the read, and the row it gave. */
export interface PageReadInCheckResult {
  read: PageReadInCheck;
  row: AggregatedPage;
}

export interface EndpointOptions<N extends EndpointName> {
  /**
   * Environment access: a page read in the same statement as the caller's check (one round trip instead
   * of two; authenticateForEnvironment's `page`), or null not to. The handler sees what it read only once
   * the caller has passed every check.
   */
  pageRead?: (request: EndpointFastifyRequest<N>) => PageReadInCheck | null;
}

const ACCESS_WORDS: Record<Access, string> = {
  anonymous: 'anyone, no sign-in needed',
  user: 'any signed-in user',
  admin: 'administrators',
  'project:viewer': "the project's members (viewers and up) and administrators",
  'project:editor': "the project's owners and editors, and administrators",
  'project:owner': "the project's owners and administrators",
  'environment:viewer': "the members of the environment's project (viewers and up) and administrators",
  'environment:editor': "the owners and editors of the environment's project, and administrators",
};

async function resolveCaller(ctx: PlatformContext, access: Access, request: FastifyRequest, pageRead: PageReadInCheck | null): Promise<{ caller: unknown; page: PageReadInCheckResult | null }> {
  if (access === 'anonymous') return { caller: {}, page: null };
  const params = request.params as Record<string, string>;
  if (access === 'environment:viewer' || access === 'environment:editor') {
    const { page, ...found } = await authenticateForEnvironment(ctx, request, params.slug!, { changesCursor: true, ...(pageRead ? { page: pageRead } : {}) });
    if (access === 'environment:editor') requireEdit(found.access);
    return { caller: { ...found, changesCursor: found.changesCursor ?? null }, page: page && pageRead ? { read: pageRead, row: page } : null };
  }
  const user = await authenticate(ctx, request);
  request.user = user;
  if (access === 'user') return { caller: { user }, page: null };
  if (access === 'admin') {
    requireAdmin(user);
    return { caller: { user }, page: null };
  }
  const { row, access: role } = await loadProject(ctx, user, params.name!);
  if (access === 'project:editor') requireEdit(role);
  if (access === 'project:owner') requireManage(role);
  return { caller: { user, project: row, access: role }, page: null };
}

function openApiSchema(name: EndpointName): FastifySchema {
  const definition = platformContract[name];
  const parts = definition as { params?: unknown; query?: unknown; body?: unknown; description?: string };
  return {
    operationId: name,
    tags: [...definition.tags],
    summary: definition.summary,
    description: `${parts.description ? `${parts.description} ` : ''}Who may call: ${ACCESS_WORDS[definition.access]}.`,
    ...(definition.access === 'anonymous' ? {} : { security: [{ bearer: [] }] }),
    ...(parts.params ? { params: parts.params } : {}),
    ...(parts.query ? { querystring: parts.query } : {}),
    ...(parts.body ? { body: parts.body } : {}),
    response: { ...definition.responses, ...ERROR_RESPONSES },
  } as FastifySchema;
}

/** Registers one endpoint of the contract: its route, its schemas, its access check, then the handler. */
export function registerEndpoint<N extends EndpointName>(app: FastifyInstance, ctx: PlatformContext, name: N, handler: EndpointHandler<N>, options: EndpointOptions<N> = {}): void {
  const definition = platformContract[name];
  const [successStatus] = Object.keys(definition.responses).map(Number);
  app.route({
    method: definition.method,
    url: definition.path,
    schema: openApiSchema(name),
    handler: async (request, reply) => {
      const pageRead = options.pageRead?.(request as unknown as EndpointFastifyRequest<N>) ?? null;
      const { caller, page } = await resolveCaller(ctx, definition.access, request, pageRead);
      reply.code(successStatus!);
      return handler(request as unknown as EndpointFastifyRequest<N>, reply, caller as CallerOf<PlatformContract[N]['access']>, page);
    },
  });
}

/** The routes of one area of the API, registered from the contract. */
export type EndpointRoutes = (app: FastifyInstance, ctx: PlatformContext) => void;

/** Binds an area's handlers to the app: `route('getProject', handler)`. */
export function routesOf(app: FastifyInstance, ctx: PlatformContext) {
  return <N extends EndpointName>(name: N, handler: EndpointHandler<N>, options?: EndpointOptions<N>) => registerEndpoint(app, ctx, name, handler, options);
}
