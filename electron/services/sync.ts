// Incremental, resumable, crash-safe sync of one connection into the cache.
//
// Feeds, walked top-down (endpoints of the platform contract, called through the typed client):
//   projects      listProjects[?since=C]                    -> {items, deleted, cursor}
//   environments  listEnvironments (per project)[?since=C]  -> {items, deleted, cursor}
//   deployments   listDeployments (per environment)[?since=C] (same shape; 404: not offered, skipped)
//   executions    listExecutions (the environment's own API) ?limit=N[&cursor=P] (first pass), then
//                 ?limit=N&since=C (changes, oldest first) -> {items, next_cursor, changes_cursor}
//                 (executions are never deleted alone)
//   users         listUsers -> {items} (small: replaced whole; 403/404: skipped)
// The first pass of a list feed (no cursor) is the whole list: whatever the cache has
// beyond it is deleted. Later passes apply changes and deletions only.
//
// Every page is applied in ONE SQLite transaction together with the feed's new cursor, so a
// crash or a lost connection at any moment leaves a consistent cache that the next sync
// resumes from the last applied page. Deleting a project or environment drops what hangs
// under it (environments, deployments, executions, cursors). Execution pages are written by the
// cache writer's thread (cache-writer.ts) while the next page arrives and is decoded here.
import { isAscii } from 'node:buffer';
import { AppError, type ApiError } from '../../domain/errors.js';
import type { Cache, ListItem, ListKind, ListParent } from './cache.js';
import { scopeOf } from './cache.js';
import { ExecutionPageWriter, sentSlices, type SentTexts } from './cache-writer.js';
import { answerBytes, answerText, type PlatformClient } from './platform-client.js';
import { pageItemRanges, pageTail } from './json-items.js';

/** What the sync needs of the platform: the typed client's calls. */
export type SyncTransport = Pick<PlatformClient, 'call'> & Partial<Pick<PlatformClient, 'receive'>>;

/** Where each execution of a page lies in the answer as received, when the transport kept it (PlatformClient does) and the platform laid it out one a line. */
function sentTexts(page: { items: { execution_id: string }[] }): SentTexts | undefined {
  const text = answerText(page);
  const ranges = text === undefined ? null : pageItemRanges(text);
  if (text === undefined || !ranges || ranges.length !== 2 * page.items.length) return undefined;
  // Each text is its item's (the platform writes execution_id first): else encode them again.
  for (let i = 0; i < page.items.length; i++) if (!text.startsWith(`{"execution_id":"${page.items[i]!.execution_id}",`, ranges[2 * i])) return undefined;
  // The bytes cross to the writer's thread instead of the text when they are all ASCII (then the
  // ranges in the text are theirs too, and they are valid UTF-8).
  const bytes = answerBytes(page);
  return { text, ranges, bytes: bytes && bytes.length === text.length && isAscii(bytes) ? bytes : undefined };
}

export interface SyncProgress {
  scope: string;
  /** Records received so far in this run, all feeds together. */
  received: number;
  pages: number;
}

export interface SyncOptions {
  /** Executions per page (the platform allows up to 1000). */
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  now?: () => string;
  /** Receives the writer of execution pages (the benchmark reads how long it wrote). */
  onWriter?: (writer: ExecutionPageWriter) => void;
  /** Which feeds to walk (default all). */
  feeds?: { environments?: boolean; deployments?: boolean; executions?: boolean; users?: boolean };
  /** Walk only this project (and environment) below the projects feed: what one screen shows. */
  scope?: { project: string; environment?: string };
}

export interface SyncReport {
  ok: boolean;
  synced_at: string;
  /** Records received per kind in this run. */
  received: Record<'projects' | 'environments' | 'deployments' | 'executions' | 'users', number>;
  /** Feeds the platform does not offer (404) or this user may not read (403). */
  skipped: string[];
  error?: ApiError;
}

/** Where a paged feed stands: the change cursor (null until the first pass ends), the page inside the first pass, the first pass's snapshot. */
interface PagedCursor {
  since: string | null;
  page: string | null;
  pass: string | null;
}

function isSkippable(error: unknown): boolean {
  return error instanceof AppError && (error.code === 'not_found' || error.code === 'forbidden');
}

export async function syncConnection(
  cache: Cache,
  transport: SyncTransport,
  connectionId: string,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const syncedAt = (options.now ?? (() => new Date().toISOString()))();
  const pageSize = options.pageSize ?? 1000;
  const feeds = { environments: true, deployments: true, executions: true, users: true, ...options.feeds };
  const report: SyncReport = { ok: true, synced_at: syncedAt, received: { projects: 0, environments: 0, deployments: 0, executions: 0, users: 0 }, skipped: [] };
  let pages = 0;
  const writer = new ExecutionPageWriter(cache);
  options.onWriter?.(writer);

  const checkAbort = () => {
    if (options.signal?.aborted) throw new AppError('cancelled', 'The sync was stopped; it resumes from here next time');
  };
  const progress = (scope: string) => {
    pages++;
    options.onProgress?.({ scope, received: Object.values(report.received).reduce((a, b) => a + b, 0), pages });
  };

  const sinceQuery = (since: string | null) => (since === null ? {} : { since });

  async function changesFeed<K extends ListKind>(
    kind: K,
    parent: ListParent[K],
    page: (since: string | null) => Promise<{ items: ListItem[K][]; deleted: string[]; cursor: string }>,
  ): Promise<void> {
    const { project, environment } = parent as { project?: string; environment?: string };
    const scope = scopeOf(kind, project, environment);
    let cursor = cache.syncCursor(connectionId, scope);
    for (;;) {
      checkAbort();
      const { items, deleted, cursor: next } = await page(cursor);
      const full = cursor === null;
      cache.applyChanges(connectionId, kind, parent, { items, deleted, full }, next, syncedAt);
      report.received[kind] += items.length;
      progress(scope);
      if (full || next === cursor || (items.length === 0 && deleted.length === 0)) return;
      cursor = next;
    }
  }

  async function executionsFeed(project: string, environment: string, slug: string): Promise<void> {
    const scope = scopeOf('executions', project, environment);
    const stored = cache.syncCursor(connectionId, scope);
    let state: PagedCursor = stored ? (JSON.parse(stored) as PagedCursor) : { since: null, page: null, pass: null };
    // First pass (no change cursor yet): the whole list, page by page (cursor=next_cursor);
    // its first page's changes_cursor is kept as the snapshot to continue from.
    // Afterwards: since=<change cursor>, oldest change first; each page's changes_cursor
    // is the next since, until next_cursor is null.
    const query = (s: PagedCursor) => ({ params: { slug }, query: { limit: pageSize, ...(s.since !== null ? { since: s.since } : s.page !== null ? { cursor: s.page } : {}) } });
    type Page = Awaited<ReturnType<typeof transport.call<'listExecutions'>>>;
    /** A page asked for: its text once received (when the transport gives it), parsed on demand. */
    type Incoming = Promise<{ text?: string; parse: () => Page }>;
    const fetchPage = (s: PagedCursor): Incoming => {
      const incoming: Incoming = transport.receive
        ? transport.receive('listExecutions', query(s))
        : transport.call('listExecutions', query(s)).then((page) => ({ parse: () => page }));
      incoming.catch(() => undefined); // awaited later, or dropped by a failure before
      return incoming;
    };
    const advance = (s: PagedCursor, data: { next_cursor?: unknown; changes_cursor?: unknown }): { next: PagedCursor; more: boolean } => {
      const nextCursor = typeof data.next_cursor === 'string' ? data.next_cursor : null;
      const changesCursor = typeof data.changes_cursor === 'string' ? data.changes_cursor : null;
      const more = !!nextCursor;
      if (s.since === null) {
        const pass = s.pass ?? changesCursor;
        return more ? { next: { since: null, page: nextCursor, pass }, more } : { next: { since: pass, page: null, pass: null }, more };
      }
      return { next: { since: changesCursor ?? nextCursor ?? s.since, page: null, pass: null }, more };
    };
    const same = (a: PagedCursor, b: PagedCursor) => a.since === b.since && a.page === b.page && a.pass === b.pass;
    checkAbort();
    let pending: Incoming = fetchPage(state);
    // Pages handed to the writer's thread, written in order while the next ones arrive and are
    // decoded here; at most two wait there (memory stays bounded when the disk is the slower side).
    const writing: Promise<void>[] = [];
    for (;;) {
      const received = await pending;
      // The next page is asked for as soon as this one's text is in (its cursors read from the text's
      // tail, json-items.ts): the platform reads it while this one is decoded here, instead of after.
      const tail = received.text === undefined ? null : pageTail(received.text);
      const ahead = tail ? advance(state, tail) : null;
      let aheadPage: Incoming | null = null;
      if (ahead?.more) {
        checkAbort();
        aheadPage = fetchPage(ahead.next);
        // Let the request leave before this page is decoded (JSON.parse holds the thread).
        await new Promise((resolve) => setImmediate(resolve));
      }
      const data = received.parse();
      const { next, more } = advance(state, data);
      if (more) {
        // The page asked for ahead is the one the decoded answer points to (the same text): else ask again.
        if (aheadPage && same(ahead!.next, next)) pending = aheadPage;
        else {
          checkAbort();
          pending = fetchPage(next);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      // Each execution stored as the platform sent it (the answer is checked whole): not encoded again.
      const sent = sentTexts(data);
      if (!more && !writer.started) cache.applyExecutions(connectionId, project, environment, data.items, JSON.stringify(next), syncedAt, sent && sentSlices(sent));
      else {
        const written = writer.write({ connectionId, project, environment, items: data.items, sent, cursor: JSON.stringify(next), syncedAt });
        written.catch(() => undefined);
        writing.push(written);
        if (writing.length > 2) await writing.shift();
      }
      report.received.executions += data.items.length;
      progress(scope);
      if (!more) {
        await Promise.all(writing);
        return;
      }
      state = next;
    }
  }

  try {
    await changesFeed('projects', {}, (since) => transport.call('listProjects', { query: sinceQuery(since) }));
    if (feeds.environments) {
      for (const project of cache.listProjects(connectionId).items) {
        if (options.scope && project.name !== options.scope.project) continue;
        try {
          await changesFeed('environments', { project: project.name }, (since) => transport.call('listEnvironments', { params: { name: project.name }, query: sinceQuery(since) }));
        } catch (error) {
          if (!isSkippable(error)) throw error;
          report.skipped.push(scopeOf('environments', project.name));
          continue;
        }
        for (const { item: env } of cache.listEnvironments(connectionId, project.name)) {
          const name = env.name;
          if (options.scope?.environment !== undefined && name !== options.scope.environment) continue;
          if (feeds.deployments) {
            try {
              await changesFeed('deployments', { project: project.name, environment: name }, (since) =>
                transport.call('listDeployments', { params: { name: project.name, env: name }, query: sinceQuery(since) }),
              );
            } catch (error) {
              if (!isSkippable(error)) throw error;
              report.skipped.push(scopeOf('deployments', project.name, name));
            }
          }
          if (feeds.executions) {
            try {
              await executionsFeed(project.name, name, env.slug);
            } catch (error) {
              if (!isSkippable(error)) throw error;
              report.skipped.push(scopeOf('executions', project.name, name));
            }
          }
        }
      }
    }
    if (feeds.users) {
      try {
        checkAbort();
        const { items: users } = await transport.call('listUsers');
        cache.replaceUsers(connectionId, users, syncedAt);
        report.received.users = users.length;
        progress('users');
      } catch (error) {
        if (!isSkippable(error)) throw error;
        report.skipped.push('users');
      }
    }
  } catch (error) {
    report.ok = false;
    report.error = error instanceof AppError ? error.toJSON() : { error: 'internal', message: `The sync failed: ${(error as Error).message?.slice(0, 200)}` };
  } finally {
    // Pages already handed to the writer are committed before the sync answers.
    await writer.close();
  }
  return report;
}
