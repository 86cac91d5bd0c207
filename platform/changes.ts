// The incremental feed behind every "what changed since cursor C" list: each write adds a row
// to `changes`; its id is the cursor. Deletions are rows too, so caches can drop what is gone.
// Executions keep only their newest row (recordExecutionChange): their rows carry their change's id.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './db/schema.js';
import type { PlatformContext } from './context.js';
import { arg, type WriteTransaction } from './db/prepared.js';
import { iso } from './context.js';

export interface ChangeInput {
  resource: 'project' | 'environment' | 'deployment' | 'execution' | 'user' | 'member';
  key: string;
  project_id?: string | null;
  environment_id?: string | null;
  op: 'upsert' | 'delete';
}

/** The key of the advisory lock that orders change writers on PostgreSQL. */
const CHANGES_LOCK = sql`hashtext('craft-platform:changes')`;

/**
 * Records a write; returns its cursor. Call it first in the write's transaction.
 *
 * A reader that got cursor C must never later find a change ≤ C. SQLite has one writer at a time, so
 * ids commit in order. PostgreSQL draws sequence values at insert and commits in any order (two
 * processes, or two pooled connections): a reader could see id 11 before id 10 commits, and skip 10
 * for good. So on PostgreSQL a writer takes a transaction advisory lock before drawing its id and holds
 * it to commit: change ids commit in order. Taking it first in every transaction that records a change
 * keeps one lock order (this lock, then rows), so writers queue instead of deadlocking.
 */
export async function recordChange(db: Kysely<Database>, ctx: PlatformContext, change: ChangeInput): Promise<number> {
  if (ctx.dialect === 'postgres') {
    if (!db.isTransaction) return db.transaction().execute((trx) => recordChange(trx, ctx, change));
    await sql`SELECT pg_advisory_xact_lock(${CHANGES_LOCK})`.execute(db);
  }
  let audience: string | null = null;
  if (change.op === 'delete' && (change.resource === 'project' || change.resource === 'environment' || change.resource === 'deployment') && change.project_id) {
    // Members are about to go with the project: remember who may learn of its deletion. (Called before or after the rows go.)
    const members = await db.selectFrom('members').select('user_id').where('project_id', '=', change.project_id).execute();
    audience = JSON.stringify(members.map((m) => m.user_id));
  }
  const row = await db
    .insertInto('changes')
    .values({
      resource: change.resource,
      key: change.key,
      project_id: change.project_id ?? null,
      environment_id: change.environment_id ?? null,
      op: change.op,
      audience,
      at: iso(ctx.now()),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * Executions carry their own change's id (executions.change_seq) and their feed is read from their rows
 * (the list's `since`), so their `changes` rows serve only to draw that id and to be the cursor,
 * max(changes.id): a write of an execution adds its row and drops the older execution rows. The newest
 * stays, so the cursor never goes back, and an id is never drawn twice (AUTOINCREMENT, a sequence). One
 * row kept instead of one per execution (about 200 B each on PostgreSQL with its indexes).
 * On SQLite, inside the synchronous write transaction (db/prepared.ts), its two statements compiled once;
 * PostgreSQL writes it as the start of one statement (executionChangeCtes).
 */
export function recordExecutionChange(trx: WriteTransaction, ctx: PlatformContext, change: { key: string; environment_id: string }): number {
  const row = trx.get(
    'execution-change',
    () =>
      ctx.db
        .insertInto('changes')
        .values({ resource: 'execution', key: arg<string>(0), project_id: null, environment_id: arg<string>(1), op: 'upsert', audience: null, at: arg<string>(2) })
        .returning('id'),
    [change.key, change.environment_id, iso(ctx.now())],
  );
  const seq = Number(row!.id);
  trx.run('execution-change-drop-older', () => ctx.db.deleteFrom('changes').where('resource', '=', 'execution').where('id', '<', arg<number>(0)), [seq]);
  return seq;
}

/** Drops the execution changes before `newest` (see recordExecutionChange). */
export async function dropOlderExecutionChanges(db: Kysely<Database>, newest: number): Promise<void> {
  await db.deleteFrom('changes').where('resource', '=', 'execution').where('id', '<', newest).execute();
}

/**
 * PostgreSQL: recordExecutionChange as the start of one statement (one round trip, no BEGIN and COMMIT):
 * the advisory lock, the change's row, the older ones dropped; the statement that follows reads the
 * change's id from `change` (its snapshot may predate a writer it queued behind: that writer's row then
 * stays until the next write drops it, and an UPDATE re-checks the row it changes).
 */
export function executionChangeCtes(ctx: PlatformContext, change: { key: string; environment_id: string }): RawBuilder<unknown> {
  return sql`WITH locked AS (SELECT pg_advisory_xact_lock(${CHANGES_LOCK})),
    change AS (INSERT INTO changes (resource, key, environment_id, op, at) SELECT 'execution', ${change.key}, ${change.environment_id}, 'upsert', ${iso(ctx.now())} FROM locked RETURNING id),
    older AS (DELETE FROM changes WHERE resource = 'execution' AND id < (SELECT id FROM change))`;
}

/** The newest cursor (0 when nothing was ever written). */
export async function currentCursor(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('changes').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
  return Number(row?.max ?? 0);
}

/** Keys of `resource` changed after `since` (last op wins), and the cursor to ask from next time. */
export async function changedSince(
  db: Kysely<Database>,
  resource: ChangeInput['resource'],
  since: number,
  scope: { project_id?: string; environment_id?: string } = {},
  limit = 10_000,
): Promise<{ upserts: string[]; deletes: { key: string; audience: string[] | null; project_id: string | null }[]; cursor: number; more: boolean }> {
  let query = db.selectFrom('changes').selectAll().where('resource', '=', resource).where('id', '>', since).orderBy('id').limit(limit + 1);
  if (scope.project_id) query = query.where('project_id', '=', scope.project_id);
  if (scope.environment_id) query = query.where('environment_id', '=', scope.environment_id);
  const rows = await query.execute();
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = new Map<string, (typeof page)[number]>();
  for (const row of page) {
    last.delete(row.key);
    last.set(row.key, row);
  }
  const upserts: string[] = [];
  const deletes: { key: string; audience: string[] | null; project_id: string | null }[] = [];
  for (const [key, row] of last) {
    if (row.op === 'delete') deletes.push({ key, audience: row.audience ? (JSON.parse(row.audience) as string[]) : null, project_id: row.project_id });
    else upserts.push(key);
  }
  const cursor = page.length > 0 ? Number(page[page.length - 1]!.id) : since;
  return { upserts, deletes, cursor, more };
}

/**
 * The one shape of every "changed since" list (projects, environments, deployments, members, users):
 * without `since`, every row and the current cursor; with it, the rows whose keys changed since then and
 * the keys deleted (those `visible` lets the caller learn of).
 */
export async function changesList<Row>(
  db: Kysely<Database>,
  options: {
    resource: ChangeInput['resource'];
    since: number | undefined;
    scope?: { project_id?: string; environment_id?: string };
    visible?: (deleted: { audience: string[] | null }) => boolean;
    /** The rows to answer: every row (keys null), or those with these keys. */
    rows: (keys: string[] | null) => Promise<Row[]>;
  },
): Promise<{ rows: Row[]; deleted: string[]; cursor: string }> {
  if (options.since === undefined) {
    const cursor = await currentCursor(db);
    return { rows: await options.rows(null), deleted: [], cursor: String(cursor) };
  }
  const changes = await changedSince(db, options.resource, options.since, options.scope);
  const deleted = changes.deletes.filter((d) => options.visible?.(d) ?? true).map((d) => d.key);
  const rows = changes.upserts.length === 0 ? [] : await options.rows(changes.upserts);
  return { rows, deleted, cursor: String(changes.cursor) };
}
