// The cache writer's thread against the in-place path (cache.applyExecutions): the same rows, revisions
// and cursors, whichever side writes.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution } from '../../domain/execution.js';
import { Cache, scopeOf } from './cache.js';
import { ExecutionPageWriter, sentSlices, type SentTexts } from './cache-writer.js';
import { pageItemRanges } from './json-items.js';

const root = mkdtempSync(join(tmpdir(), 'craft-cache-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function execution(id: string, overrides: Partial<Execution> = {}): Execution {
  return {
    execution_id: id,
    status: 'succeeded',
    created_at: '2026-05-01T12:00:00.000Z',
    created_by: 'u-1',
    end_date: '2026-05-01T12:05:00.000Z',
    pipeline_name: 'train',
    deployment_name: 'nightly',
    steps: [{ name: 'train', status: 'succeeded', start_date: '2026-05-01T12:00:00.000Z', end_date: '2026-05-01T12:05:00.000Z', commit_id: null, repository_url: null, repository_branch: null, requirements_path: null, origin: 'local' }],
    inputs: [{ pipeline_input_name: 'rows', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 1000 }],
    outputs: [],
    ...overrides,
  };
}

/** A page's answer as the platform lays it out (one item a line), with where each item lies and, when all ASCII, its bytes. */
function sent(items: Execution[]): SentTexts {
  const text = `{"items":[\n${items.map((e) => JSON.stringify(e)).join(',\n')}\n],"next_cursor":null,"changes_cursor":"c"}`;
  const ranges = pageItemRanges(text)!;
  const bytes = new TextEncoder().encode(text);
  return { text, ranges, bytes: bytes.length === text.length ? bytes : undefined };
}

const rowsOf = (cache: Cache) => cache.database.prepare('SELECT * FROM executions ORDER BY connection_id, execution_id').raw().all();
const cursorsOf = (cache: Cache) => cache.database.prepare('SELECT * FROM sync_state ORDER BY connection_id, scope').raw().all();

describe('ExecutionPageWriter', () => {
  it('writes the rows the in-place path writes: text as sent (non-ASCII included), null fields, an upsert over an existing row, revisions, cursor', async () => {
    const pages: Execution[][] = [
      [execution('e-1'), execution('e-2', { end_date: null, deployment_name: null, status: 'running' }), execution('e-3')],
      // Not all ASCII: the text crosses instead of the bytes.
      [execution('e-4', { pipeline_name: 'entraîner', created_by: 'Zoë ✓', inputs: [{ pipeline_input_name: 'note', data_type: 'string', mapping_type: 'run', mapping_value: {}, value: 'größe 🚀' }] })],
      // e-2 again, finished: the row is updated in place and takes a new revision.
      [execution('e-2', { status: 'failed', end_date: '2026-05-01T13:00:00.000Z' }), execution('e-5', { deployment_name: null })],
    ];
    const threaded = Cache.open(join(root, 'threaded.sqlite'));
    const inPlace = Cache.open(join(root, 'in-place.sqlite'));
    const writer = new ExecutionPageWriter(threaded);
    const written: Promise<void>[] = [];
    pages.forEach((items, i) => {
      const page = { connectionId: 'c1', project: 'p', environment: 'prod', items, sent: sent(items), cursor: `cursor-${i}`, syncedAt: `2026-05-02T00:00:0${i}.000Z` };
      written.push(writer.write(page));
      inPlace.applyExecutions(page.connectionId, page.project, page.environment, items, page.cursor, page.syncedAt, sentSlices(page.sent));
    });
    // Written by the thread, not by the in-place fallback.
    expect(writer.started).toBe(true);
    await Promise.all(written);
    await writer.close();
    expect(sent(pages[1]!).bytes).toBeUndefined();
    expect(rowsOf(threaded)).toEqual(rowsOf(inPlace));
    expect(cursorsOf(threaded)).toEqual(cursorsOf(inPlace));
    expect(rowsOf(threaded)).toHaveLength(5);
    const e2 = threaded.database.prepare("SELECT status, end_date, deployment_name, rev FROM executions WHERE execution_id = 'e-2'").get();
    expect(e2).toEqual({ status: 'failed', end_date: '2026-05-01T13:00:00.000Z', deployment_name: 'nightly', rev: 5 });
    expect(threaded.database.prepare("SELECT data FROM executions WHERE execution_id = 'e-4'").pluck().get()).toBe(sentSlices(sent(pages[1]!))[0]);
    expect(threaded.syncCursor('c1', scopeOf('executions', 'p', 'prod'))).toBe('cursor-2');
    threaded.close();
    inPlace.close();
  });
});
