// The environment API, under {environment_url}/api/v1 = {platform}/environments/{slug}/api/v1:
// what the Python SDK reads (environment info, executions, logs) and what a runner writes.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { environmentStatus } from '../../domain/environment.js';
import {
  EXECUTION_TRANSITIONS,
  executionCreateSchema,
  executionListQuerySchema,
  executionPageSchema,
  executionSchema,
  executionUpdateSchema,
  FINAL_STATUSES,
  logAppendSchema,
  logLineSchema,
  logQuerySchema,
  type Execution,
} from '../../domain/execution.js';
import type { PlatformContext } from '../context.js';
import { iso } from '../context.js';
import { isUniqueViolation } from '../db/errors.js';
import { currentCursor, recordChange } from '../changes.js';
import { requireEdit } from '../projects-store.js';
import { authenticateForEnvironment, environmentUrl } from '../environments-store.js';
import type { FastifyRequest } from 'fastify';
import type { ExecutionsTable } from '../db/schema.js';
import { errorResponses } from './auth.js';
import { executionDoc } from '../execution-doc.js';
import { arg } from '../db/prepared.js';
import { sql } from 'kysely';

export const EXECUTION_COLUMNS = [
  'id',
  'execution_id',
  'status',
  'created_at',
  'created_by',
  'end_date',
  'pipeline_name',
  'deployment_name',
  'steps',
  'inputs',
  'outputs',
  'change_seq',
] as const;
type ExecutionRow = Pick<ExecutionsTable, Exclude<(typeof EXECUTION_COLUMNS)[number], 'id'>> & { id: number };

export function executionOut(row: ExecutionRow): Execution {
  return {
    execution_id: row.execution_id,
    status: row.status,
    created_at: row.created_at,
    created_by: row.created_by,
    end_date: row.end_date,
    pipeline_name: row.pipeline_name,
    deployment_name: row.deployment_name,
    steps: JSON.parse(row.steps),
    inputs: JSON.parse(row.inputs),
    outputs: JSON.parse(row.outputs),
  };
}

const normalise = (date: string) => new Date(date).toISOString();

const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));

function inOrder(ids: string, descending: boolean): boolean {
  const list = ids.split(',').map(Number);
  for (let i = 1; i < list.length; i++) if (descending ? list[i]! >= list[i - 1]! : list[i]! <= list[i - 1]!) return false;
  return true;
}

/** At most this many bytes of page answers kept per process (see pageCache). */
const PAGE_CACHE_BYTES = 16 * 1024 * 1024;

/** Between aggregated documents: a control character, which JSON text never holds unescaped. */
const SEPARATOR = '\u0001';

/** A page answer as JSON text (the hot path of the desktop and the benchmark: no parse and re-encode of every row). */
function pageJson(rows: { doc: string }[], nextCursor: string | null, changesCursor: string): string {
  return `{"items":[${rows.map((r) => r.doc).join(',')}],"next_cursor":${text(nextCursor)},"changes_cursor":${text(changesCursor)}}`;
}

export function environmentApiRoutes(ctx: PlatformContext): FastifyPluginAsyncZod {
  return async (app) => {
    // Each handler authenticates and loads the environment in one query (environment()).
    const auth = {};
    const security = [{ bearer: [] }];
    const slugParams = z.object({ slug: z.string().max(200) });
    const executionParams = slugParams.extend({ id: z.string().max(200) });

    /**
     * Encoded page answers (SQLite), valid while max(changes.id) stays the same: every write to executions
     * records a change in the same transaction, SQLite runs one writer at a time and `changes` ids
     * (AUTOINCREMENT, never deleted) only grow, so an unchanged cursor means unchanged rows, in this process
     * or any other sharing the file. Every request still authenticates, validates and reads the cursor.
     * Not for PostgreSQL, whose sequence values may commit out of order.
     */
    const pageCache: { cursor: number | null; pages: Map<string, Buffer>; bytes: number } = { cursor: null, pages: new Map(), bytes: 0 };

    async function environment(request: FastifyRequest & { params: { slug: string } }) {
      return authenticateForEnvironment(ctx, request, request.params.slug);
    }

    async function loadExecution(environmentId: string, executionId: string): Promise<ExecutionRow> {
      const row = await ctx.db.selectFrom('executions').select(EXECUTION_COLUMNS).where('environment_id', '=', environmentId).where('execution_id', '=', executionId).executeTakeFirst();
      if (!row) throw new AppError('not_found', `execution ${executionId} does not exist in this environment`);
      return { ...row, id: Number(row.id) };
    }

    app.get(
      '/environment-info',
      {
        ...auth,
        schema: {
          tags: ['environment API'],
          summary: 'The environment this URL points at',
          security,
          params: slugParams,
          response: {
            200: z.object({ environment_name: z.string(), project_name: z.string(), url: z.string(), slug: z.string(), status: environmentStatus, created_at: z.string(), created_by: z.string() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { env, projectName } = await environment(request);
        return { environment_name: env.name, project_name: projectName, url: environmentUrl(ctx, env.slug), slug: env.slug, status: env.status, created_at: env.created_at, created_by: env.created_by };
      },
    );

    app.get(
      '/executions',
      {
        ...auth,
        schema: {
          tags: ['environment API'],
          summary: 'Executions, filtered by status, pipeline, deployment, creator and creation date, sorted, cursor-paginated',
          description:
            'Pass next_cursor back as cursor for the next page (null: last page). With since=<changes_cursor of a previous answer>: the executions created or changed since then, oldest change first (the desktop cache\'s incremental sync).',
          security,
          params: slugParams,
          querystring: executionListQuerySchema,
          response: { 200: executionPageSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const cached = ctx.dialect === 'sqlite' && q.since === undefined;
        const { env, changesCursor: cursorNow } = await authenticateForEnvironment(ctx, request, request.params.slug, { changesCursor: cached });
        reply.header('content-type', 'application/json; charset=utf-8');
        // Built once per combination of filters (ctx.prepared): the arguments are substituted, not recompiled.
        const args: unknown[] = [env.id, q.limit + 1];
        const shape: string[] = ['executions-page'];
        const build = () => {
          let i = 2;
          let query = ctx.db.selectFrom('executions').where('environment_id', '=', arg<string>(0));
          for (const [column, value] of [
            ['status', q.status],
            ['pipeline_name', q.pipeline_name],
            ['deployment_name', q.deployment_name],
            ['created_by', q.created_by],
          ] as const) {
            if (value !== undefined) query = query.where(column, '=', arg<string>(i++));
          }
          if (q.created_after) query = query.where('created_at', '>=', arg<string>(i++));
          if (q.created_before) query = query.where('created_at', '<', arg<string>(i++));
          return query;
        };
        for (const [name, value] of [
          ['status', q.status],
          ['pipeline_name', q.pipeline_name],
          ['deployment_name', q.deployment_name],
          ['created_by', q.created_by],
          ['created_after', q.created_after && normalise(q.created_after)],
          ['created_before', q.created_before && normalise(q.created_before)],
        ] as const) {
          if (value !== undefined) {
            args.push(value);
            shape.push(name);
          }
        }
        if (q.since !== undefined) {
          args.push(Number(q.since));
          const rows = await ctx.prepared.run(`${shape.join(',')},since`, () => build().select(['id', 'change_seq', 'doc']).where('change_seq', '>', arg<number>(args.length - 1)).orderBy('change_seq').limit(arg<number>(1)), args);
          const page = rows.slice(0, q.limit);
          const last = page.length > 0 ? String(page[page.length - 1]!.change_seq) : q.since;
          return reply.send(pageJson(page, rows.length > q.limit ? last : null, last) as never);
        }
        const descending = q.sort === '-created_at';
        if (q.cursor !== undefined) args.push(Number(q.cursor));
        args.push(SEPARATOR);
        const separator = args.length - 1;
        // One row back: the page's documents and ids aggregated in order by the database (string_agg is
        // PostgreSQL's and SQLite's), instead of limit + 1 rows turned into objects one by one.
        // SQLite keeps the subquery's order in the aggregate (checked on the ids below; if ever not, the
        // explicitly ordered form runs); PostgreSQL is told the order.
        const aggregate = (ordered: boolean) =>
          ctx.prepared.run(
            `${shape.join(',')},${q.sort},${q.cursor !== undefined},aggregated,${ordered}`,
            () => {
              let query = build();
              if (q.cursor !== undefined) query = query.where('id', descending ? '<' : '>', arg<number>(separator - 1));
              const rows = query.select(['id', 'doc']).orderBy('id', descending ? 'desc' : 'asc').limit(arg<number>(1));
              const order = ordered ? sql` ORDER BY page.id ${sql.raw(descending ? 'DESC' : 'ASC')}` : sql``;
              return ctx.db
                .selectFrom(rows.as('page'))
                .select([
                  sql<string | null>`string_agg(page.doc, ${arg<string>(separator)}${order})`.as('docs'),
                  sql<string | null>`string_agg(CAST(page.id AS TEXT), ','${order})`.as('ids'),
                ])
                .select((eb) => eb.selectFrom('changes').select((c) => c.fn.max('id').as('m')).as('changes_cursor'));
            },
            args,
          );
        // A repeated page is served from pageCache while the changes cursor has not moved (checked in the database).
        const key = cached ? JSON.stringify([q.sort, shape, args]) : null;
        if (key !== null) {
          const hit = pageCache.cursor === cursorNow ? pageCache.pages.get(key) : undefined;
          if (hit) return reply.send(hit as never);
        }
        let [page] = await aggregate(ctx.dialect === 'postgres');
        if (ctx.dialect !== 'postgres' && page?.ids && !inOrder(page.ids, descending)) [page] = await aggregate(true);
        const ids = page?.ids ? page.ids.split(',') : [];
        let docs = page?.docs ?? '';
        if (ids.length > q.limit) docs = docs.slice(0, docs.lastIndexOf(SEPARATOR));
        const nextCursor = ids.length > q.limit ? ids[q.limit - 1]! : null;
        const changesCursor = String(page?.changes_cursor ?? (await currentCursor(ctx.db)));
        const body = Buffer.from(`{"items":[${docs.replaceAll(SEPARATOR, ',')}],"next_cursor":${text(nextCursor)},"changes_cursor":${text(changesCursor)}}`);
        if (key !== null) {
          // Keyed by the cursor read in the same statement as the documents (one snapshot).
          const cursor = page?.changes_cursor === null || page?.changes_cursor === undefined ? null : Number(page.changes_cursor);
          if (pageCache.cursor !== cursor) {
            pageCache.pages.clear();
            pageCache.bytes = 0;
            pageCache.cursor = cursor;
          }
          if (pageCache.bytes + body.length <= PAGE_CACHE_BYTES && !pageCache.pages.has(key)) {
            pageCache.pages.set(key, body);
            pageCache.bytes += body.length;
          }
        }
        return reply.send(body as never);
      },
    );

    app.get(
      '/executions/:id',
      { ...auth, schema: { tags: ['environment API'], summary: 'One execution', security, params: executionParams, response: { 200: executionSchema, ...errorResponses } } },
      async (request) => {
        const { env } = await environment(request);
        return executionOut(await loadExecution(env.id, request.params.id));
      },
    );

    app.get(
      '/pipelines/:name/executions',
      {
        ...auth,
        schema: {
          tags: ['environment API'],
          summary: 'The executions of a pipeline, newest first (at most limit)',
          security,
          params: slugParams.extend({ name: z.string().max(200) }),
          querystring: z.object({ limit: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(1000) }).strict(),
          response: { 200: z.array(executionSchema), ...errorResponses },
        },
      },
      async (request) => {
        const { env } = await environment(request);
        const rows = await ctx.db
          .selectFrom('executions')
          .select(EXECUTION_COLUMNS)
          .where('environment_id', '=', env.id)
          .where('pipeline_name', '=', request.params.name)
          .orderBy('id', 'desc')
          .limit(request.query.limit)
          .execute();
        return rows.map((r) => executionOut({ ...r, id: Number(r.id) }));
      },
    );

    app.post(
      '/executions/:id/logs',
      {
        ...auth,
        schema: {
          tags: ['environment API'],
          summary: 'An execution\'s logs between from and to (ISO 8601), oldest first, at most limit lines',
          security,
          params: executionParams,
          body: logQuerySchema,
          response: { 200: z.array(logLineSchema), ...errorResponses },
        },
      },
      async (request) => {
        const { env } = await environment(request);
        const execution = await loadExecution(env.id, request.params.id);
        const { from, to, limit } = request.body;
        let query = ctx.db.selectFrom('execution_logs').select(['timestamp', 'message']).where('execution_seq', '=', execution.id);
        if (from) query = query.where('timestamp', '>=', normalise(from));
        if (to) query = query.where('timestamp', '<', normalise(to));
        return query.orderBy('timestamp').orderBy('id').limit(limit).execute();
      },
    );

    // ——— what a runner calls (with an access token from the SDK token of a user who may edit the project) ———

    app.post(
      '/executions',
      {
        ...auth,
        schema: {
          tags: ['runner'],
          summary: 'Record a new execution (status pending)',
          security,
          params: slugParams,
          body: executionCreateSchema,
          response: { 201: executionSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { user, env, access } = await environment(request);
        requireEdit(access);
        const input = request.body;
        if (input.deployment_name) {
          const deployment = await ctx.db.selectFrom('deployments').select('pipeline_name').where('environment_id', '=', env.id).where('name', '=', input.deployment_name).executeTakeFirst();
          if (!deployment) throw new AppError('validation', `deployment_name: there is no deployment ${input.deployment_name} in this environment`, 'deployment_name');
          if (deployment.pipeline_name !== input.pipeline_name)
            throw new AppError('validation', `pipeline_name: deployment ${input.deployment_name} runs pipeline ${deployment.pipeline_name}`, 'pipeline_name');
        }
        const now = iso(ctx.now());
        for (let attempt = 0; ; attempt++) {
          const row = {
            execution_id: `${input.pipeline_name}-${randomBytes(5).toString('hex')}`,
            environment_id: env.id,
            status: 'pending' as const,
            created_at: now,
            created_by: user.id,
            end_date: null,
            pipeline_name: input.pipeline_name,
            deployment_name: input.deployment_name ?? null,
            steps: JSON.stringify(input.steps),
            inputs: JSON.stringify(input.inputs),
            outputs: '[]',
            updated_at: now,
          };
          try {
            await ctx.db.transaction().execute(async (trx) => {
              const seq = await recordChange(trx, ctx, { resource: 'execution', key: row.execution_id, environment_id: env.id, op: 'upsert' });
              await trx.insertInto('executions').values({ ...row, change_seq: seq, doc: executionDoc(row) }).execute();
            });
            reply.code(201);
            return executionOut({ ...row, id: 0, change_seq: 0 });
          } catch (error) {
            if (!isUniqueViolation(error) || attempt >= 5) throw error;
          }
        }
      },
    );

    app.patch(
      '/executions/:id',
      {
        ...auth,
        schema: {
          tags: ['runner'],
          summary: 'Move an execution through its statuses (pending → running → succeeded | failed | cancelled), report steps and outputs',
          security,
          params: executionParams,
          body: executionUpdateSchema,
          response: { 200: executionSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { env, access } = await environment(request);
        requireEdit(access);
        const execution = await loadExecution(env.id, request.params.id);
        const { status, steps, outputs } = request.body;
        const now = iso(ctx.now());
        const set: { status?: ExecutionsTable['status']; end_date?: string; steps?: string; outputs?: string } = {};
        if (status !== undefined && status !== execution.status) {
          if (!EXECUTION_TRANSITIONS[execution.status].includes(status))
            throw new AppError('conflict', `status: an execution cannot go from ${execution.status} to ${status}`, 'status');
          set.status = status;
          if (FINAL_STATUSES.includes(status)) set.end_date = now;
        }
        if (steps !== undefined) set.steps = JSON.stringify(steps);
        if (outputs !== undefined) set.outputs = JSON.stringify(outputs);
        if (Object.keys(set).length === 0) return executionOut(execution);
        await ctx.db.transaction().execute(async (trx) => {
          const seq = await recordChange(trx, ctx, { resource: 'execution', key: execution.execution_id, environment_id: env.id, op: 'upsert' });
          const doc = executionDoc({ ...execution, ...set });
          let update = trx.updateTable('executions').set({ ...set, updated_at: now, change_seq: seq, doc }).where('id', '=', execution.id);
          // Another runner may have moved it meanwhile: only from the status we checked.
          if (set.status) update = update.where('status', '=', execution.status);
          const result = await update.executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) throw new AppError('conflict', 'status: the execution changed meanwhile; read it again', 'status');
        });
        return executionOut({ ...execution, ...set } as ExecutionRow);
      },
    );

    app.post(
      '/executions/:id/log-lines',
      {
        ...auth,
        schema: {
          tags: ['runner'],
          summary: 'Append log lines to an execution (timestamp defaults to now)',
          security,
          params: executionParams,
          body: logAppendSchema,
          response: { 200: z.object({ appended: z.number().int() }), ...errorResponses },
        },
      },
      async (request) => {
        const { env, access } = await environment(request);
        requireEdit(access);
        const execution = await loadExecution(env.id, request.params.id);
        const now = iso(ctx.now());
        const lines = request.body.lines.map((line) => ({ execution_seq: execution.id, timestamp: line.timestamp ? normalise(line.timestamp) : now, message: line.message }));
        await ctx.db.insertInto('execution_logs').values(lines).execute();
        return { appended: lines.length };
      },
    );
  };
}
