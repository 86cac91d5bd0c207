import { describe, expect, it } from 'vitest';
import { ExecutionIndex, executionsCsv, type ExecutionRow } from './executions.js';

function row(id: string, over: Partial<ExecutionRow> = {}): ExecutionRow {
  return {
    execution_id: id,
    status: 'succeeded',
    pipeline_name: 'train',
    deployment_name: null,
    created_by: 'Ada',
    created_at: '2026-01-01T00:00:00Z',
    end_date: '2026-01-01T00:01:00Z',
    ...over,
  };
}

const rows = [
  row('a', { status: 'failed', pipeline_name: 'score', created_at: '2026-01-03T00:00:00Z', end_date: '2026-01-03T00:00:10Z' }),
  row('b', { deployment_name: 'prod', created_by: 'Bob', created_at: '2026-01-01T00:00:00Z', end_date: null, status: 'running' }),
  row('c', { deployment_name: 'dev', created_at: '2026-01-02T00:00:00Z', end_date: '2026-01-02T01:00:00Z' }),
];
const ids = (index: ExecutionIndex, order: Uint32Array) => Array.from(order, (r) => index.rows[r]!.execution_id);

describe('ExecutionIndex', () => {
  const index = new ExecutionIndex(rows);

  it('keeps the given order without a sort', () => {
    expect(ids(index, index.query())).toEqual(['a', 'b', 'c']);
  });

  it('sorts every column both ways, empty values last', () => {
    expect(ids(index, index.query({ sort: { column: 'created_at', direction: 'asc' } }))).toEqual(['b', 'c', 'a']);
    expect(ids(index, index.query({ sort: { column: 'created_at', direction: 'desc' } }))).toEqual(['a', 'c', 'b']);
    expect(ids(index, index.query({ sort: { column: 'duration', direction: 'asc' } }))).toEqual(['a', 'c', 'b']);
    expect(ids(index, index.query({ sort: { column: 'duration', direction: 'desc' } }))).toEqual(['c', 'a', 'b']);
    expect(ids(index, index.query({ sort: { column: 'deployment_name', direction: 'asc' } }))).toEqual(['c', 'b', 'a']);
    expect(ids(index, index.query({ sort: { column: 'deployment_name', direction: 'desc' } }))).toEqual(['b', 'c', 'a']);
    expect(ids(index, index.query({ sort: { column: 'execution_id', direction: 'desc' } }))).toEqual(['c', 'b', 'a']);
    expect(ids(index, index.query({ sort: { column: 'status', direction: 'asc' } }))).toEqual(['a', 'b', 'c']);
    expect(ids(index, index.query({ sort: { column: 'created_by', direction: 'desc' } }))).toEqual(['b', 'a', 'c']);
  });

  it('filters by status, pipeline, deployment, creator, date range and free text', () => {
    expect(ids(index, index.query({ status: 'failed' }))).toEqual(['a']);
    expect(ids(index, index.query({ pipeline: 'train' }))).toEqual(['b', 'c']);
    expect(ids(index, index.query({ deployment: 'prod' }))).toEqual(['b']);
    expect(ids(index, index.query({ creator: 'Bob' }))).toEqual(['b']);
    expect(ids(index, index.query({ status: 'unknown' }))).toEqual([]);
    expect(ids(index, index.query({ from: Date.parse('2026-01-02T00:00:00Z') }))).toEqual(['a', 'c']);
    expect(ids(index, index.query({ to: Date.parse('2026-01-02T00:00:00Z') }))).toEqual(['b', 'c']);
    expect(ids(index, index.query({ search: 'PROD' }))).toEqual(['b']);
    expect(ids(index, index.query({ search: 'sco', sort: { column: 'created_at', direction: 'asc' } }))).toEqual(['a']);
  });

  it('exports what is shown as CSV, defusing formulas', () => {
    const evil = new ExecutionIndex([row('=HYPERLINK("x")', { pipeline_name: 'a,b' })]);
    expect(executionsCsv(evil, evil.query())).toBe(
      'ID,Pipeline,Deployment,Status,Created by,Created at,Duration (s)\r\n' +
        `"'=HYPERLINK(""x"")","a,b",,succeeded,Ada,2026-01-01T00:00:00Z,60\r\n`,
    );
  });
});

describe('ExecutionIndex with inputs and outputs as columns', () => {
  const io = { 'output:score': [0.5, null, 0.9], 'input:model': ['b', 'a', { v: 2 }] };
  const index = new ExecutionIndex(
    rows.map((r, i) => ({ ...r, environment: i === 1 ? 'staging' : 'production' })),
    io,
  );

  it('sorts on a numeric output as numbers, executions without it last both ways', () => {
    expect(ids(index, index.query({ sort: { column: 'output:score', direction: 'asc' } }))).toEqual(['a', 'c', 'b']);
    expect(ids(index, index.query({ sort: { column: 'output:score', direction: 'desc' } }))).toEqual(['c', 'a', 'b']);
  });

  it('sorts on a text or structured input by its text; sorts and filters on the environment', () => {
    expect(ids(index, index.query({ sort: { column: 'input:model', direction: 'asc' } }))).toEqual(['c', 'b', 'a']); // punctuation (JSON) before letters
    expect(ids(index, index.query({ environment: 'staging' }))).toEqual(['b']);
    expect(ids(index, index.query({ sort: { column: 'environment', direction: 'desc' } }))).toEqual(['b', 'a', 'c']);
  });

  it('exports the environment and the chosen columns with what is shown', () => {
    const csv = executionsCsv(index, index.query({ status: 'failed' }), { environment: true, io: ['output:score', 'input:model'] });
    expect(csv.split('\r\n')[0]).toBe('ID,Pipeline,Deployment,Status,Created by,Created at,Duration (s),Environment,score (output),model (input)');
    expect(csv.split('\r\n')[1]).toBe('a,score,,failed,Ada,2026-01-03T00:00:00Z,10,production,0.5,b');
  });
});

describe('dates as the platform writes them', () => {
  it('reads toISOString dates and any other form to the same instant as Date.parse', () => {
    for (const at of ['2026-11-26T12:34:56.789Z', '2024-02-29T00:00:00.000Z', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00+01:00']) {
      const index = new ExecutionIndex([row('x', { created_at: at, end_date: null })]);
      expect(index.createdAt[0], at).toBe(Date.parse(at));
    }
  });
});
