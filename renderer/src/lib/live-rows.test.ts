import { describe, expect, it } from 'vitest';
import { mergeChangedRows } from './live-rows.js';

const row = (execution_id: string, created_at: string, status = 'running') => ({ execution_id, created_at, status });
const ids = (rows: { execution_id: string }[]) => rows.map((r) => r.execution_id);

describe('a live list read again with only what changed', () => {
  const shown = {
    rows: [row('c', '2026-03-03T00:00:00Z'), row('b', '2026-02-02T00:00:00Z'), row('a', '2026-01-01T00:00:00Z')],
    io: { 'output:score': [0.3, 0.2, 0.1] },
  };

  it('puts a new execution where the list order puts it, its values with it', () => {
    const merged = mergeChangedRows(shown, { rows: [row('new', '2026-04-04T00:00:00Z'), row('mid', '2026-02-15T00:00:00Z')], io: { 'output:score': [0.9, 0.5] } });
    expect(ids(merged.rows)).toEqual(['new', 'c', 'mid', 'b', 'a']);
    expect(merged.io).toEqual({ 'output:score': [0.9, 0.3, 0.5, 0.2, 0.1] });
    // Where each row was among those shown (the kept ones, the same objects), -1 for the new ones.
    expect([...merged.from]).toEqual([-1, 0, -1, 1, 2]);
    expect(merged.rows[1]).toBe(shown.rows[0]);
  });

  it('replaces a changed execution in its place (its status and values the new ones), never twice', () => {
    const merged = mergeChangedRows(shown, { rows: [row('b', '2026-02-02T00:00:00Z', 'succeeded')], io: { 'output:score': [0.25] } });
    expect(merged.rows.map((r) => [r.execution_id, r.status])).toEqual([['c', 'running'], ['b', 'succeeded'], ['a', 'running']]);
    expect([...merged.from]).toEqual([0, -1, 2]);
    expect(merged.io).toEqual({ 'output:score': [0.3, 0.25, 0.1] });
  });

  it('orders executions of the same moment by id, as the cache does, and keeps the last ones last', () => {
    const same = { rows: [row('m', '2026-01-01T00:00:00Z')], io: {} };
    const merged = mergeChangedRows(same, { rows: [row('k', '2026-01-01T00:00:00Z'), row('z', '2026-01-01T00:00:00Z'), row('old', '2025-01-01T00:00:00Z')], io: {} });
    expect(ids(merged.rows)).toEqual(['k', 'm', 'z', 'old']);
  });

  it('moves an execution whose date changed', () => {
    expect(ids(mergeChangedRows(shown, { rows: [row('a', '2026-05-05T00:00:00Z')], io: { 'output:score': [0.1] } }).rows)).toEqual(['a', 'c', 'b']);
  });

  it('gives the same rows back when nothing changed, and refuses changed rows without a column shown', () => {
    const same = mergeChangedRows(shown, { rows: [], io: { 'output:score': [] } });
    expect(same.rows).toBe(shown.rows);
    expect([...same.from]).toEqual([0, 1, 2]);
    expect(() => mergeChangedRows(shown, { rows: [row('x', '2026-01-01T00:00:00Z')], io: {} })).toThrow(/no values for output:score/);
  });
});
