// Executions and their logs: the filtered, cursor-paginated list (the desktop's and the benchmark's hot
// path), one execution, a pipeline's executions, and what a runner writes.
import { randomBytes } from 'node:crypto';
import { sql, type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { AppError } from '../domain/errors.js';
import { EXECUTION_TRANSITIONS, FINAL_STATUSES, settledSteps, type Execution, type ExecutionStep, type LogLine, type StepInput } from '../domain/execution.js';
import type { EndpointRequest } from '../domain/platform-contract.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import { isUniqueViolation } from './db/errors.js';
import { executionChangeCtes, recordExecutionChange } from './changes.js';
import type { Database, EnvironmentsTable, ExecutionsTable } from './db/schema.js';
import { executionDoc, executionDocSql, expandJoined, parseExecutionDoc, storedExecutionDoc } from './execution-doc.js';
import { arg, type WriteTransaction } from './db/prepared.js';

/** An execution as read: what its writes check (status, change_seq), its row id (its logs' key) and its API JSON. */
export interface ExecutionRow {
  id: number;
  execution_id: string;
  status: ExecutionsTable['status'];
  change_seq: number;
  creator_seq: number | null;
  doc: string;
}

/** The environment's row number (rows and indexes carry it instead of the UUID the API names it by). */
export function environmentSeq(environmentId: unknown): RawBuilder<number> {
  return sql<number>`(SELECT seq FROM environments WHERE id = ${environmentId})`;
}

/** A user's row number (executions carry it as their creator); null for a user unknown here. */
function userSeq(userId: unknown): RawBuilder<number | null> {
  return sql<number | null>`(SELECT seq FROM users WHERE id = ${userId})`;
}

const executionColumns = (ctx: PlatformContext) =>
  ctx.db.selectFrom('executions').select(['executions.id', 'executions.execution_id', 'executions.status', 'executions.change_seq', 'executions.creator_seq', executionDocSql(ctx.dialect).as('doc')]);

/** The execution as the API answers it: its stored document (the only copy of its steps, inputs and outputs). */
export function executionOut(row: ExecutionRow, options: { values?: boolean } = {}): Execution {
  const execution = parseExecutionDoc(row.doc);
  if (options.values === false) {
    for (const item of [...execution.inputs, ...execution.outputs]) delete item.value;
  }
  return execution;
}

const normalise = (date: string) => new Date(date).toISOString();

const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));

/**
 * The page's keys "created_ms:id,…" read in one scan (no array of strings, no numbers boxed per key): whether
 * they are in the page order, how many there are, and the id of the `at`-th (0-based) if there is one.
 */
export function scanPageKeys(keys: string, descending: boolean, at: number): { inOrder: boolean; count: number; idAt: string | null } {
  let count = 0;
  let inOrder = true;
  let previousMs = 0;
  let previousId = 0;
  let idAt: string | null = null;
  let i = 0;
  const end = keys.length;
  const malformed = () => new Error(`executions page: a malformed key in "${keys.slice(0, 80)}"`);
  while (i < end) {
    // created_ms may be negative (a date before 1970); ids never are.
    const sign = keys.charCodeAt(i) === 45 /* - */ ? -1 : 1;
    if (sign < 0) i++;
    let ms = 0;
    const msFrom = i;
    for (let c = keys.charCodeAt(i); c !== 58 /* : */; c = keys.charCodeAt(++i)) {
      if (c < 48 || c > 57 || i >= end) throw malformed();
      ms = ms * 10 + (c - 48);
    }
    if (i === msFrom) throw malformed();
    ms *= sign;
    const idFrom = ++i;
    let id = 0;
    for (; i < end; i++) {
      const c = keys.charCodeAt(i);
      if (c === 44 /* , */) break;
      if (c < 48 || c > 57) throw malformed();
      id = id * 10 + (c - 48);
    }
    if (i === idFrom) throw malformed();
    if (count === at) idAt = keys.slice(idFrom, i);
    if (count > 0) {
      const after = ms > previousMs || (ms === previousMs && id > previousId);
      if (descending ? after || (ms === previousMs && id === previousId) : !after) inOrder = false;
    }
    previousMs = ms;
    previousId = id;
    count++;
    // Past the comma; a comma that ends the text is malformed.
    if (i < end && ++i === end) throw malformed();
  }
  return { inOrder, count, idAt };
}

/** At most this many bytes of page answers kept per process (see PageCache). */
const PAGE_CACHE_BYTES = 16 * 1024 * 1024;
/** At most this many page keys remembered as asked once (see PageCache). */
const ASKED_KEYS = 10_000;

/** Between aggregated documents: a control character, which JSON text never holds unescaped. */
const SEPARATOR = '\u0001';

/**
 * A page answer as its UTF-8 bytes (the hot path of the desktop and the benchmark: no parse and re-encode
 * of every row), one item a line: the desktop's sync stores each line as it came (electron/services/json-items.ts).
 * Written part by part into one buffer: the page as one concatenated string was a rope, which Fastify's
 * byte count and then the socket's encoding each walked slowly (Buffer.byteLength alone: 0.8 ms a 1 MB page
 * against 0.12 ms for its flat parts; the encoding 2.4 ms against 0.1 ms).
 */
export function executionsPageBody(docs: string, nextCursor: string | null, changesCursor: string): Buffer {
  const head = docs === '' ? '{"items":[' : '{"items":[\n';
  const tail = `${docs === '' ? '' : '\n'}],"next_cursor":${text(nextCursor)},"changes_cursor":${text(changesCursor)}}`;
  const body = Buffer.allocUnsafe(head.length + Buffer.byteLength(docs) + Buffer.byteLength(tail));
  let at = body.write(head, 0, 'latin1');
  at += body.write(docs, at);
  body.write(tail, at);
  return body;
}

/**
 * Encoded page answers (SQLite), valid while max(changes.id) stays the same: every write to executions
 * records a change in the same transaction, SQLite runs one writer at a time and `changes` ids
 * (AUTOINCREMENT, never deleted) only grow, so an unchanged cursor means unchanged rows, in this process
 * or any other sharing the file. Every request still authenticates, validates and reads the cursor.
 * Not for PostgreSQL, whose sequence values may commit out of order.
 * A page is kept from its second ask on (a list polled again, a view reopened): a cursor walk asks each
 * page once, and keeping each of its pages until the cache filled (or a write emptied it) only made the
 * GC copy and mark them.
 */
export class PageCache {
  private cursor: number | null = null;
  /** Kept encoded: a hit is sent as it is, not encoded again on every ask. */
  private readonly pages = new Map<string, Buffer>();
  private bytes = 0;
  /** Keys asked at least once (whatever the cursor then), at most ASKED_KEYS of them. */
  private readonly asked = new Set<string>();

  get(key: string, cursorNow: number | null): Buffer | undefined {
    return this.cursor === cursorNow ? this.pages.get(key) : undefined;
  }

  /** Keyed by the cursor read in the same statement as the documents (one snapshot). */
  put(key: string, cursor: number | null, body: Buffer): void {
    if (this.cursor !== cursor) {
      this.pages.clear();
      this.bytes = 0;
      this.cursor = cursor;
    }
    if (!this.asked.has(key)) {
      if (this.asked.size >= ASKED_KEYS) this.asked.clear();
      this.asked.add(key);
      return;
    }
    if (this.bytes + body.length <= PAGE_CACHE_BYTES && !this.pages.has(key)) {
      this.pages.set(key, body);
      this.bytes += body.length;
    }
  }
}

type ListQuery = EndpointRequest<'listExecutions'>['query'];

/** What an aggregated page read gives: the page's documents and keys, one row. */
export interface AggregatedPage {
  docs: string | null;
  keys: string | null;
}

/** The page's aggregating SELECT (over its derived table, which Database does not name). */
type PageSelect = SelectQueryBuilder<any, any, AggregatedPage>;

/**
 * A page of the list, or of its changes (`since`), as a read that another statement can hold: the caller's
 * check on PostgreSQL runs it as a LATERAL join of the authenticated row (environments-store.ts), one round trip.
 */
export interface ExecutionsPageRead {
  /** Names the read's form: one compiled statement per form (ctx.prepared). */
  shape: string;
  /** What the read's placeholders stand for: `at(i)` is args[i]. */
  args: readonly unknown[];
  /**
   * The page as one row, for the environment whose row number `environmentSeq` gives; `ordered`: the
   * aggregates are told the order (PostgreSQL always; SQLite only if it did not keep the subquery's).
   */
  select: (environmentSeq: Expression<number>, at: <T>(i: number) => T, ordered: boolean) => PageSelect;
  /** Whether the aggregates kept the page's order (SQLite does not promise it: then the ordered form runs). */
  keptOrder: (page: AggregatedPage) => boolean;
  /** The page's answer from what the read gave, with the changes cursor read in the same statement. */
  body: (page: AggregatedPage, changesCursor: string) => Buffer;
}

/** The filters' terms on executions, their placeholders from `first` on, and the form they give. */
function pageFilters(q: ListQuery): { names: string[]; values: unknown[]; where: (query: SelectQueryBuilder<Database, 'executions', object>, at: <T>(i: number) => T, first: number) => SelectQueryBuilder<Database, 'executions', object> } {
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [name, value] of [
    ['status', q.status],
    ['pipeline_name', q.pipeline_name],
    ['deployment_name', q.deployment_name],
    ['created_by', q.created_by],
    ['created_after', q.created_after && Date.parse(q.created_after)],
    ['created_before', q.created_before && Date.parse(q.created_before)],
  ] as const) {
    if (value !== undefined) {
      values.push(value);
      names.push(name);
    }
  }
  const where = (query: SelectQueryBuilder<Database, 'executions', object>, at: <T>(i: number) => T, first: number) => {
    let i = first;
    for (const [column, value] of [
      ['status', q.status],
      ['pipeline_name', q.pipeline_name],
      ['deployment_name', q.deployment_name],
    ] as const) {
      if (value !== undefined) query = query.where(column, '=', at<string>(i++));
    }
    if (q.created_by !== undefined) query = query.where('creator_seq', '=', userSeq(at<string>(i++)));
    if (q.created_after) query = query.where('created_ms', '>=', at<number>(i++));
    if (q.created_before) query = query.where('created_ms', '<', at<number>(i));
    return query;
  };
  return { names, values, where };
}

/** The documents of the page's first `limit` of its `rows` (the row past the page only tells that a next page exists), expanded and joined in one pass. */
function pageDocs(page: AggregatedPage, rows: number, limit: number): string {
  const raw = page.docs ?? '';
  return expandJoined(rows > limit ? raw.slice(0, raw.lastIndexOf(SEPARATOR)) : raw, SEPARATOR, ',\n');
}

/**
 * The read of one page: the page's documents and keys aggregated in order by the database (string_agg is
 * PostgreSQL's and SQLite's), instead of limit + 1 rows turned into objects one by one. SQLite keeps the
 * subquery's order in the aggregate (checked on the keys; if ever not, the explicitly ordered form runs);
 * PostgreSQL is told the order. A page of the list is in (created_at, id) order, its keys "created_ms:id";
 * a page of changes (since) in change order, its keys the change numbers.
 */
export function executionsPageRead(ctx: PlatformContext, q: ListQuery): ExecutionsPageRead {
  const filters = pageFilters(q);
  const doc = executionDocSql(ctx.dialect, 'executions', { fragments: 'left' }).as('doc');
  const aggregated = (rows: SelectQueryBuilder<Database, 'executions', object>, at: <T>(i: number) => T, separator: number, key: string, order: RawBuilder<unknown>) =>
    ctx.db.selectFrom(rows.as('page')).select([sql<string | null>`string_agg(page.doc, ${at<string>(separator)}${order})`.as('docs'), sql<string | null>`string_agg(${sql.raw(key)}, ','${order})`.as('keys')]) as PageSelect;
  if (q.since !== undefined) {
    // args: limit + 1, the filters, since, the separator.
    const args: unknown[] = [q.limit + 1, ...filters.values, Number(q.since), SEPARATOR];
    const since = args.length - 2;
    const changeSeqs = (page: AggregatedPage) => (page.keys ? page.keys.split(',').map(Number) : []);
    return {
      shape: `executions-changes,${filters.names.join(',')}`,
      args,
      select: (seq, at, ordered) => {
        const rows = filters
          .where(ctx.db.selectFrom('executions').where('environment_seq', '=', seq), at, 1)
          .where('change_seq', '>', at<number>(since))
          .select(['change_seq', doc])
          .orderBy('change_seq')
          .limit(at<number>(0));
        return aggregated(rows as never, at, since + 1, 'CAST(page.change_seq AS TEXT)', ordered ? sql` ORDER BY page.change_seq` : sql``);
      },
      keptOrder: (page) => changeSeqs(page).every((seq, i, all) => i === 0 || seq > all[i - 1]!),
      body: (page) => {
        const seqs = changeSeqs(page);
        const rows = Math.min(seqs.length, q.limit);
        // The next `since` is the page's last change (the one asked from, for an empty page).
        const last = rows > 0 ? String(seqs[rows - 1]) : q.since!;
        return executionsPageBody(pageDocs(page, seqs.length, q.limit), seqs.length > q.limit ? last : null, last);
      },
    };
  }
  const descending = q.sort === '-created_at';
  // args: limit + 1, the filters, the cursor (if any), the separator.
  const args: unknown[] = [q.limit + 1, ...filters.values];
  if (q.cursor !== undefined) args.push(Number(q.cursor));
  args.push(SEPARATOR);
  const separator = args.length - 1;
  const direction = sql.raw(descending ? 'DESC' : 'ASC');
  return {
    shape: `executions-page,${filters.names.join(',')},${q.sort},${q.cursor !== undefined}`,
    args,
    select: (seq, at, ordered) => {
      let query = filters.where(ctx.db.selectFrom('executions').where('environment_seq', '=', seq), at, 1);
      // Pages in (created_at, id) order; the cursor stays the last id (its created_at read from its row).
      if (q.cursor !== undefined) {
        const cursor = at<number>(separator - 1);
        query = query.where(sql<boolean>`(executions.created_ms, executions.id) ${sql.raw(descending ? '<' : '>')} ((SELECT at_cursor.created_ms FROM executions at_cursor WHERE at_cursor.id = ${cursor}), ${cursor})`);
      }
      const rows = query
        .select(['id', 'created_ms', doc])
        .orderBy('created_ms', descending ? 'desc' : 'asc')
        .orderBy('id', descending ? 'desc' : 'asc')
        .limit(at<number>(0));
      return aggregated(rows as never, at, separator, "CAST(page.created_ms AS TEXT) || ':' || CAST(page.id AS TEXT)", ordered ? sql` ORDER BY page.created_ms ${direction}, page.id ${direction}` : sql``);
    },
    keptOrder: (page) => scanPageKeys(page.keys ?? '', descending, q.limit - 1).inOrder,
    body: (page, changesCursor) => {
      const keys = scanPageKeys(page.keys ?? '', descending, q.limit - 1);
      return executionsPageBody(pageDocs(page, keys.count, q.limit), keys.count > q.limit ? keys.idAt : null, changesCursor);
    },
  };
}

/**
 * One page of the filtered list, or of its changes, as JSON text, built once per combination of filters
 * (ctx.prepared): the arguments are substituted, not recompiled. Its bytes (executionsPageBody), which the
 * page cache keeps as they are.
 */
export async function executionsPage(ctx: PlatformContext, env: Pick<EnvironmentsTable, 'id'>, q: ListQuery, cache: { pages: PageCache; cursorNow: number | null } | null): Promise<Buffer> {
  const read = executionsPageRead(ctx, q);
  // Alone: the environment by its id (the read's placeholders after it), and the changes cursor of the same snapshot.
  const args = [env.id, ...read.args];
  const at = <T>(i: number) => arg<T>(i + 1);
  const aggregate = async (ordered: boolean) =>
    (
      await ctx.prepared.run(
        `${read.shape},alone,${ordered}`,
        () => read.select(environmentSeq(arg<string>(0)), at, ordered).select((eb) => eb.selectFrom('changes').select((c) => c.fn.max('id').as('m')).as('changes_cursor')),
        args,
      )
    )[0]!;
  // A repeated page is served from the cache while the changes cursor has not moved (checked in the database).
  const key = cache ? JSON.stringify([read.shape, args]) : null;
  if (cache && key !== null) {
    const hit = cache.pages.get(key, cache.cursorNow);
    if (hit) return hit;
  }
  let page = await aggregate(ctx.dialect === 'postgres');
  if (ctx.dialect !== 'postgres' && !read.keptOrder(page)) page = await aggregate(true);
  // An aggregate always answers one row; no change recorded yet reads as cursor 0.
  const changesCursor = page.changes_cursor === null || page.changes_cursor === undefined ? null : Number(page.changes_cursor);
  const body = read.body(page, String(changesCursor ?? 0));
  if (cache && key !== null) cache.pages.put(key, changesCursor, body);
  return body;
}

export async function loadExecution(ctx: PlatformContext, environmentId: string, executionId: string): Promise<ExecutionRow> {
  const row = await executionColumns(ctx).where('environment_seq', '=', environmentSeq(environmentId)).where('execution_id', '=', executionId).executeTakeFirst();
  if (!row) throw new AppError('not_found', `execution ${executionId} does not exist in this environment`);
  return { ...row, id: Number(row.id) };
}

/** A pipeline's executions, newest first. */
export async function pipelineExecutions(ctx: PlatformContext, environmentId: string, pipelineName: string, limit: number): Promise<Execution[]> {
  const rows = await executionColumns(ctx)
    .where('environment_seq', '=', environmentSeq(environmentId))
    .where('pipeline_name', '=', pipelineName)
    .orderBy('created_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => executionOut({ ...r, id: Number(r.id) }));
}

/** The newest execution of a deployment, or null. */
export async function newestDeploymentExecution(ctx: PlatformContext, environmentId: string, deploymentName: string): Promise<Execution | null> {
  const row = await executionColumns(ctx)
    .where('environment_seq', '=', environmentSeq(environmentId))
    .where('deployment_name', '=', deploymentName)
    .orderBy('created_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? executionOut({ ...row, id: Number(row.id) }) : null;
}

/** The step source's id (stored once for every execution whose steps share it). */
async function stepSourceId(db: Kysely<Database>, source: string | null): Promise<number | null> {
  if (source === null) return null;
  const found = await db.selectFrom('execution_step_sources').select('id').where('source', '=', source).executeTakeFirst();
  if (found) return Number(found.id);
  const inserted = await db.insertInto('execution_step_sources').values({ source }).onConflict((oc) => oc.column('source').doNothing()).returning('id').executeTakeFirst();
  return Number(inserted?.id ?? (await db.selectFrom('execution_step_sources').select('id').where('source', '=', source).executeTakeFirstOrThrow()).id);
}

/** stepSourceId inside a synchronous SQLite write (db/prepared.ts transaction). */
function stepSourceIdNow(ctx: PlatformContext, trx: WriteTransaction, source: string | null): number | null {
  if (source === null) return null;
  const find = () => trx.get('step-source', () => ctx.db.selectFrom('execution_step_sources').select('id').where('source', '=', arg<string>(0)), [source]);
  const found = find() ?? trx.get('step-source-insert', () => ctx.db.insertInto('execution_step_sources').values({ source: arg<string>(0) }).onConflict((oc) => oc.column('source').doNothing()).returning('id'), [source]) ?? find();
  return Number(found!.id);
}

/** An execution's log lines between from (included) and to (excluded), oldest first. */
export async function executionLogs(ctx: PlatformContext, executionSeq: number, range: { from?: string | undefined; to?: string | undefined; limit: number }): Promise<LogLine[]> {
  let query = ctx.db.selectFrom('execution_logs').select(['timestamp', 'message']).where('execution_seq', '=', executionSeq);
  if (range.from) query = query.where('timestamp', '>=', normalise(range.from));
  if (range.to) query = query.where('timestamp', '<', normalise(range.to));
  return query.orderBy('timestamp').orderBy('id').limit(range.limit).execute();
}

type CreateInput = EndpointRequest<'createExecution'>['body'];
type UpdateInput = EndpointRequest<'updateExecution'>['body'];

/** Where a step's code comes from unless the runner says: the environment's settings, else the project's. */
async function stepSource(ctx: PlatformContext, env: EnvironmentsTable): Promise<Omit<ExecutionStep, 'name' | 'status' | 'start_date' | 'end_date'>> {
  const project = await ctx.db.selectFrom('projects').select(['repository_url', 'default_branch', 'requirements_path']).where('id', '=', env.project_id).executeTakeFirst();
  return {
    commit_id: null,
    repository_url: project?.repository_url || null,
    repository_branch: env.default_branch || project?.default_branch || null,
    requirements_path: env.requirements_path || project?.requirements_path || null,
    origin: project ? 'git_repository' : null,
  };
}

/** The steps as stored: what the runner said, else what the same step recorded before (steps keep the settings they were created with), else the defaults. */
async function resolveSteps(ctx: PlatformContext, env: EnvironmentsTable, steps: StepInput[], previous: ExecutionStep[]): Promise<ExecutionStep[]> {
  if (steps.length === 0) return [];
  const source = await stepSource(ctx, env);
  return steps.map((step) => {
    const before = previous.find((p) => p.name === step.name);
    const pick = <K extends keyof typeof source>(key: K) => (step[key] !== undefined ? (step[key] as ExecutionStep[K]) : before ? before[key] : source[key]);
    return {
      name: step.name,
      status: step.status,
      start_date: step.start_date === null ? null : normalise(step.start_date),
      end_date: step.end_date === null ? null : normalise(step.end_date),
      commit_id: pick('commit_id'),
      repository_url: pick('repository_url'),
      repository_branch: pick('repository_branch'),
      requirements_path: pick('requirements_path'),
      origin: pick('origin'),
    };
  });
}

/** Records a new execution (pending), its change in the same transaction. */
export async function createExecution(ctx: PlatformContext, env: EnvironmentsTable, userId: string, input: CreateInput): Promise<Execution> {
  if (input.deployment_name) {
    const deployment = await ctx.db.selectFrom('deployments').select('pipeline_name').where('environment_id', '=', env.id).where('name', '=', input.deployment_name).executeTakeFirst();
    if (!deployment) throw new AppError('validation', `deployment_name: there is no deployment ${input.deployment_name} in this environment`, 'deployment_name');
    if (deployment.pipeline_name !== input.pipeline_name)
      throw new AppError('validation', `pipeline_name: deployment ${input.deployment_name} runs pipeline ${deployment.pipeline_name}`, 'pipeline_name');
  }
  const now = iso(ctx.now());
  const steps = await resolveSteps(ctx, env, input.steps, []);
  for (let attempt = 0; ; attempt++) {
    const fields = {
      execution_id: `${input.pipeline_name}-${randomBytes(5).toString('hex')}`,
      status: 'pending' as const,
      created_at: now,
      created_by: userId,
      end_date: null,
      pipeline_name: input.pipeline_name,
      deployment_name: input.deployment_name ?? null,
      steps,
      inputs: input.inputs,
      outputs: [],
    };
    const stored = storedExecutionDoc(fields, true);
    const row = {
      execution_id: fields.execution_id,
      status: fields.status,
      created_ms: stored.created_ms,
      end_ms: stored.end_ms,
      pipeline_name: fields.pipeline_name,
      deployment_name: fields.deployment_name,
      head: stored.head,
      doc: stored.doc,
    };
    const change = { key: fields.execution_id, environment_id: env.id };
    try {
      if (ctx.dialect === 'postgres') {
        // One statement, one round trip: the change (its lock held to commit) and the row. A source is
        // stored once, whether or not this insert goes through (the next execution with it reuses it).
        const sourceId = await stepSourceId(ctx.db, stored.source);
        await sql`${executionChangeCtes(ctx, change)}
          INSERT INTO executions (execution_id, environment_seq, status, created_ms, end_ms, creator_seq, pipeline_name, deployment_name, change_seq, step_source_id, head, doc)
          VALUES (${row.execution_id}, ${environmentSeq(env.id)}, ${row.status}, ${row.created_ms}, ${row.end_ms}, ${userSeq(userId)}, ${row.pipeline_name}, ${row.deployment_name}, (SELECT id FROM change), ${sourceId}, ${row.head}, ${row.doc})`.execute(ctx.db);
      } else {
        // SQLite: the change and the row as one transaction run to its end at once (db/prepared.ts).
        await ctx.prepared.transaction((trx) => {
          const seq = recordExecutionChange(trx, ctx, change);
          const values = [row.execution_id, row.status, row.created_ms, row.end_ms, row.pipeline_name, row.deployment_name, row.head, row.doc, env.id, userId, seq, stepSourceIdNow(ctx, trx, stored.source)];
          trx.run(
            'execution-insert',
            () =>
              ctx.db.insertInto('executions').values({
                execution_id: arg<string>(0),
                status: arg<ExecutionsTable['status']>(1),
                created_ms: arg<number>(2),
                end_ms: arg<number | null>(3),
                pipeline_name: arg<string>(4),
                deployment_name: arg<string | null>(5),
                head: arg<string>(6),
                doc: arg<string>(7),
                environment_seq: environmentSeq(arg<string>(8)),
                creator_seq: userSeq(arg<string>(9)),
                change_seq: arg<number>(10),
                step_source_id: arg<number | null>(11),
              }),
            values,
          );
        });
      }
      return parseExecutionDoc(executionDoc(fields));
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

/** Moves an execution through its statuses (only from the status checked: another runner may have moved it), steps and outputs. */
export async function updateExecution(ctx: PlatformContext, env: EnvironmentsTable, execution: ExecutionRow, input: UpdateInput): Promise<Execution> {
  const { status, steps, outputs } = input;
  const now = iso(ctx.now());
  const set: { status?: ExecutionsTable['status']; end_date?: string } = {};
  if (status !== undefined && status !== execution.status) {
    if (!EXECUTION_TRANSITIONS[execution.status].includes(status)) throw new AppError('conflict', `status: an execution cannot go from ${execution.status} to ${status}`, 'status');
    set.status = status;
    if (FINAL_STATUSES.includes(status)) set.end_date = now;
  }
  if (Object.keys(set).length === 0 && steps === undefined && outputs === undefined) return executionOut(execution);
  const current = executionOut(execution);
  const reported = steps === undefined ? current.steps : await resolveSteps(ctx, env, steps, current.steps);
  const next: Execution = {
    ...current,
    ...set,
    // An ended execution runs no step: those the runner left pending or running are interrupted.
    steps: settledSteps(reported, set.status ?? current.status, set.end_date ?? current.end_date),
    outputs: outputs ?? current.outputs,
  };
  const stored = storedExecutionDoc(next, execution.creator_seq !== null);
  const change = { key: execution.execution_id, environment_id: env.id };
  const changedMeanwhile = () =>
    set.status
      ? new AppError('conflict', 'status: the execution changed meanwhile; read it again', 'status')
      : new AppError('conflict', 'execution: it changed meanwhile (another runner?); read it again');
  // Only over the version read (every write moves change_seq): another runner may have changed it meanwhile.
  if (ctx.dialect === 'postgres') {
    // One statement, one round trip (as createExecution). A conflict still records its change: the cursor
    // moves with nothing new to read, which a reader takes as any other pass.
    const sourceId = await stepSourceId(ctx.db, stored.source);
    const result = await sql`${executionChangeCtes(ctx, change)}
      UPDATE executions SET ${set.status ? sql`status = ${set.status}, ` : sql``}end_ms = ${stored.end_ms}, change_seq = (SELECT id FROM change), step_source_id = ${sourceId}, head = ${stored.head}, doc = ${stored.doc}
      WHERE id = ${execution.id} AND change_seq = ${execution.change_seq}`.execute(ctx.db);
    if (Number(result.numAffectedRows) !== 1) throw changedMeanwhile();
    return next;
  }
  // SQLite: one transaction run to its end at once (db/prepared.ts); a conflict rolls the change back.
  await ctx.prepared.transaction((trx) => {
    const seq = recordExecutionChange(trx, ctx, change);
    const values = [set.status ?? null, stored.end_ms, seq, stepSourceIdNow(ctx, trx, stored.source), stored.head, stored.doc, execution.id, execution.change_seq];
    const updated = trx.run(
      `execution-update${set.status ? ',status' : ''}`,
      () =>
        ctx.db
          .updateTable('executions')
          .set({
            ...(set.status ? { status: arg<ExecutionsTable['status']>(0) } : {}),
            end_ms: arg<number | null>(1),
            change_seq: arg<number>(2),
            step_source_id: arg<number | null>(3),
            head: arg<string>(4),
            doc: arg<string>(5),
          })
          .where('id', '=', arg<number>(6))
          .where('change_seq', '=', arg<number>(7)),
      values,
    );
    if (updated !== 1) throw changedMeanwhile();
  });
  return next;
}

/**
 * Appends log lines to the execution named by its id in the environment; a line without a timestamp is
 * stamped now. One statement finds the execution's row by its indexed key (not its whole document) and
 * inserts every line in the order given (lines stamped alike keep it: the log reads by timestamp, then id).
 */
export async function appendExecutionLogs(ctx: PlatformContext, environmentId: string, executionId: string, lines: { timestamp?: string | undefined; message: string }[]): Promise<number> {
  const now = iso(ctx.now());
  const values = sql.join(lines.map((line, i) => sql`(${sql.lit(i)}, ${line.timestamp ? normalise(line.timestamp) : now}, ${line.message})`));
  const result = await sql`INSERT INTO execution_logs (execution_seq, timestamp, message)
    SELECT executions.id, line.column2, line.column3 FROM executions, (VALUES ${values}) AS line
    WHERE executions.environment_seq = ${environmentSeq(environmentId)} AND executions.execution_id = ${executionId}
    ORDER BY line.column1`.execute(ctx.db);
  const appended = Number(result.numAffectedRows ?? 0);
  if (appended !== lines.length) throw new AppError('not_found', `execution ${executionId} does not exist in this environment`);
  return appended;
}

/** The value of one input or output (null when it has none); 404 when the execution has no such one. */
export function executionValue(row: ExecutionRow, direction: 'input' | 'output', name: string): unknown {
  const execution = executionOut(row);
  const found =
    direction === 'input' ? execution.inputs.find((item) => item.pipeline_input_name === name) : execution.outputs.find((item) => item.pipeline_output_name === name);
  if (!found) throw new AppError('not_found', `execution ${execution.execution_id} has no ${direction} named ${name}`);
  return found.value ?? null;
}

const POLL_MS = 250;

/**
 * Waits a while (the policy's long poll) for an execution to reach a final status, reading the database
 * (another process may record the end); the row as it is then.
 */
export async function waitForEnd(ctx: PlatformContext, environmentId: string, executionId: string, signal?: AbortSignal): Promise<ExecutionRow> {
  const until = Date.now() + ctx.policy.longPollSeconds * 1000;
  for (;;) {
    const row = await loadExecution(ctx, environmentId, executionId);
    if (FINAL_STATUSES.includes(row.status) || Date.now() >= until || signal?.aborted) return row;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, until - Date.now()))));
  }
}
