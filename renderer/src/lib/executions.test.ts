import { describe, expect, it } from 'vitest';
import { generateExecutions } from '../bench/generate.js';
import { EXECUTION_COLUMNS, epochMs, ExecutionIndex, executionsCsv, rowsKey, type ExecutionQuery, type ExecutionRow, type SortColumn } from './executions.js';
import { mergeChangedRows } from './live-rows.js';
import { settled } from './slices.js';

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

  it('reads a date of that form exactly as Date.parse does: years 0 to 9999, a day past its month rolled over, a field out of range or not digits refused', () => {
    const same = (at: string) => expect(Object.is(epochMs(at), Date.parse(at)) || (Number.isNaN(epochMs(at)) && Number.isNaN(Date.parse(at))), `${at}: ${epochMs(at)} vs ${Date.parse(at)}`).toBe(true);
    for (const at of ['0000-01-01T00:00:00.000Z', '0050-06-15T12:00:00.000Z', '0099-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999Z', '1900-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-04-31T08:00:00.000Z', '9999-12-31T23:59:59.999Z'])
      same(at);
    for (const at of ['2026-13-01T00:00:00.000Z', '2026-00-01T00:00:00.000Z', '2026-01-00T00:00:00.000Z', '2026-01-32T00:00:00.000Z', '2026-12-01T24:00:00.000Z', '2026-12-01T23:60:00.000Z', '2026-12-01T23:59:60.000Z', '2026-1a-01T00:00:00.000Z', '2026-01-01T00:00:00.0a0Z', '2026-01-01 00:00:00.000Z'])
      same(at);
    // Seeded, so a failure names a date that fails again: every field over its range and one past it.
    let seed = 12345;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    for (let i = 0; i < 20_000; i++) same(`${pad(next(10_000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}T${pad(next(26), 2)}:${pad(next(61), 2)}:${pad(next(61), 2)}.${pad(next(1000), 3)}Z`);
  });
});

describe('ExecutionIndex.query against a plain filter and sort of the same rows', () => {
  // Busy-environment rows, with ties on dates and durations (shared timestamps) and no deployment for some.
  const many = generateExecutions(3000, 7).map((r, i, all) => (i % 5 === 0 && i > 0 ? { ...r, created_at: all[i - 1]!.created_at, end_date: all[i - 1]!.end_date } : r));
  const index = new ExecutionIndex(many);
  index.warm();

  const dictionaryKey: Partial<Record<SortColumn, (r: ExecutionRow) => string>> = {
    status: (r) => r.status,
    pipeline_name: (r) => r.pipeline_name,
    deployment_name: (r) => r.deployment_name ?? '',
    created_by: (r) => r.created_by,
  };
  const numericKey: Partial<Record<SortColumn, (r: ExecutionRow) => number>> = {
    created_at: (r) => Date.parse(r.created_at),
    duration: (r) => (r.end_date ? Date.parse(r.end_date) - Date.parse(r.created_at) : Number.NaN),
  };

  /** The documented order: empty values last in both directions; ties by position, reversed in a descending walk of dates, durations and ids. */
  function reference(query: ExecutionQuery): string[] {
    const needle = (query.search ?? '').trim().toLowerCase();
    const kept = many
      .map((r, position) => ({ r, position }))
      .filter(({ r }) => {
        const at = Date.parse(r.created_at);
        return (
          (!query.status || r.status === query.status) &&
          (!query.pipeline || r.pipeline_name === query.pipeline) &&
          (query.deployment === undefined || (r.deployment_name ?? '') === query.deployment) &&
          (!query.creator || r.created_by === query.creator) &&
          (query.from === undefined || at >= query.from) &&
          (query.to === undefined || at <= query.to) &&
          (!needle || [r.execution_id, r.pipeline_name, r.deployment_name ?? '', r.status, r.created_by].some((v) => v.toLowerCase().includes(needle)))
        );
      });
    const sort = query.sort;
    if (sort) {
      const desc = sort.direction === 'desc' ? -1 : 1;
      const text = dictionaryKey[sort.column];
      const number = numericKey[sort.column];
      kept.sort((a, b) => {
        if (text) {
          const [x, y] = [text(a.r), text(b.r)];
          if (x === y) return a.position - b.position;
          if (x === '') return 1;
          if (y === '') return -1;
          return desc * x.localeCompare(y);
        }
        if (number) {
          const [x, y] = [number(a.r), number(b.r)];
          if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? a.position - b.position : Number.isNaN(x) ? 1 : -1;
          return desc * (x - y || a.position - b.position);
        }
        const [x, y] = [a.r.execution_id, b.r.execution_id];
        return desc * (x < y ? -1 : x > y ? 1 : a.position - b.position);
      });
    }
    return kept.map(({ r }) => r.execution_id);
  }

  const filters: ExecutionQuery[] = [
    {},
    { status: 'failed' },
    { pipeline: 'train', creator: 'Ada Lovelace' },
    { deployment: '' },
    { deployment: 'nightly', status: 'succeeded' },
    { status: 'no such status' },
    { from: Date.parse('2026-10-01T00:00:00Z'), to: Date.parse('2026-10-20T00:00:00Z') },
    { search: 'fail' },
    { search: 'fail', status: 'cancelled' }, // narrowing the kept search answer must not change it
    { search: 'fail' },
    { search: 'EXEC-0' },
    { search: 'deploy', pipeline: 'score' },
    { search: 'nothing matches this' },
  ];
  const sorts: ExecutionQuery['sort'][] = [undefined];
  for (const column of EXECUTION_COLUMNS) for (const direction of ['asc', 'desc'] as const) sorts.push({ column, direction });

  it('gives the same rows in the same order for every filter with every sort', () => {
    for (const filter of filters) {
      for (const sort of sorts) {
        const query = { ...filter, sort };
        expect(ids(index, index.query(query)), JSON.stringify(query)).toEqual(reference(query));
      }
    }
  });

  it('answers the first rows of a query at once and the others when finished: the same rows in the same order', () => {
    for (const filter of filters) {
      for (const sort of [undefined, { column: 'created_at', direction: 'desc' } as const, { column: 'duration', direction: 'asc' } as const]) {
        const query = { ...filter, sort };
        const expected = reference(query);
        const answer = index.queryFirst(query, 7);
        expect(answer.rows.length, JSON.stringify(query)).toBe(expected.length);
        // Without a filter the answer is an order the index keeps, whole at once.
        expect(answer.ready).toBe(Object.keys(filter).length === 0 ? expected.length : Math.min(expected.length, 7));
        expect(ids(index, answer.rows.subarray(0, answer.ready))).toEqual(expected.slice(0, answer.ready));
        answer.finish();
        expect(answer.ready).toBe(expected.length);
        expect(ids(index, answer.rows), JSON.stringify(query)).toEqual(expected);
      }
    }
  });

  it('gives two queries the same rows key exactly when they keep the same rows (a sort keeps the charts as counted)', () => {
    // Filters that keep the same rows as another one spelt differently, and ones differing by one field.
    const variants: ExecutionQuery[] = [
      ...filters,
      { status: '', search: '  FAIL ' },
      { creator: 'Ada Lovelace' },
      { pipeline: 'train' },
      { deployment: 'nightly' },
      { from: Date.parse('2026-10-01T00:00:00Z') },
      { to: Date.parse('2026-10-20T00:00:00Z') },
      { environment: 'production' },
    ];
    const kept = (query: ExecutionQuery) => [...index.query(query)].sort((a, b) => a - b).join(',');
    for (const a of variants) {
      for (const b of variants) {
        for (const sort of [undefined, { column: 'duration', direction: 'asc' } as const]) {
          const sameKey = rowsKey(a) === rowsKey({ ...b, sort });
          // Same key: same rows. Different keys on a filter that keeps other rows: never the same key.
          if (sameKey) expect(kept({ ...b, sort }), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(kept(a));
          if (kept(a) !== kept(b)) expect(sameKey, `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(false);
        }
      }
    }
    expect(rowsKey({ status: 'failed', sort: { column: 'status', direction: 'asc' } })).toBe(rowsKey({ status: 'failed' }));
    expect(rowsKey({ deployment: '' })).not.toBe(rowsKey({}));
  });

  it('finishes an unfinished answer before the next query marks the rows again', () => {
    const failed = { status: 'failed', sort: { column: 'created_at', direction: 'asc' } } as const;
    const trained = { pipeline: 'train', sort: { column: 'duration', direction: 'desc' } } as const;
    const first = index.queryFirst(failed, 3);
    expect(first.ready).toBe(3);
    const second = index.queryFirst(trained, 3);
    expect(ids(index, first.rows)).toEqual(reference(failed));
    second.finish();
    expect(ids(index, second.rows)).toEqual(reference(trained));
  });

  it('filters on "no deployment" (the (none) choice) rather than ignoring it', () => {
    const none = ids(index, index.query({ deployment: '' }));
    expect(none.length).toBeGreaterThan(0);
    expect(none.length).toBeLessThan(many.length);
  });
});

describe('numeric sort orders', () => {
  it('orders negative, zero, infinite and missing values as numbers, ties by position, missing last', () => {
    const values = [3, -1, null, 0, -0, 2.5, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1e300, -2, -1e-300, 3, null, -1];
    const index = new ExecutionIndex(values.map((_, i) => row(`r${i}`)), { 'output:v': values });
    const expected = values
      .map((v, i) => ({ v, i }))
      .sort((a, b) => (a.v === null ? (b.v === null ? a.i - b.i : 1) : b.v === null ? -1 : a.v - b.v || a.i - b.i))
      .map(({ i }) => `r${i}`);
    expect(ids(index, index.query({ sort: { column: 'output:v', direction: 'asc' } }))).toEqual(expected);
  });
});

describe('an index built from the one shown before (a live list read again)', () => {
  // What the table shows of an index: its dictionaries (the filters' choices), dates, durations, and every query's rows.
  const seen = (index: ExecutionIndex) => ({
    dictionaries: [index.environment, index.status, index.pipeline, index.deployment, index.creator].map((d) => ({ values: d.values, codes: [...d.codes] })),
    createdAt: [...index.createdAt],
    duration: [...index.duration],
    queries: [
      {},
      { status: 'failed' },
      { pipeline: 'nightly-score' },
      { search: 'score' },
      { sort: { column: 'duration', direction: 'desc' } },
      { sort: { column: 'duration', direction: 'asc' } },
      { sort: { column: 'status', direction: 'asc' } },
      { sort: { column: 'created_at', direction: 'asc' } },
      { sort: { column: 'created_at', direction: 'desc' } },
      { sort: { column: 'execution_id', direction: 'asc' } },
      { sort: { column: 'execution_id', direction: 'desc' }, status: 'running' },
    ].map((q) =>
      [...index.query(q as ExecutionQuery)],
    ),
  });

  /** The row ended so that it lasted as long as `other` did. */
  const sameDuration = (changed: ExecutionRow, other: ExecutionRow): ExecutionRow => ({
    ...changed,
    status: 'succeeded',
    end_date: new Date(Date.parse(changed.created_at) + Date.parse(other.end_date!) - Date.parse(other.created_at)).toISOString(),
  });

  it('is the index built from nothing, whether the changes bring a new value, drop one, or only move rows on', () => {
    const solo = row('solo-1', { created_at: '2026-06-01T00:00:00.000Z', pipeline_name: 'solo-pipeline' });
    const before = [...generateExecutions(3000, 7), solo].sort((a, b) => (a.created_at > b.created_at ? -1 : a.created_at < b.created_at ? 1 : a.execution_id < b.execution_id ? -1 : 1));
    const previous = new ExecutionIndex(before);
    previous.warm();
    const cases: { name: string; changed: ExecutionRow[] }[] = [
      { name: 'a status moved on', changed: [{ ...before[10]!, status: 'succeeded', end_date: '2026-11-26T12:00:00.000Z' }] },
      { name: 'new rows, one with a pipeline never seen', changed: [row('zz-new-1', { created_at: '2026-12-01T00:00:00.000Z', pipeline_name: 'brand-new' }), row('zz-new-2', { created_at: '2026-12-01T00:00:01.000Z' })] },
      { name: 'the only row of a pipeline changed pipeline', changed: [{ ...solo, pipeline_name: before[0]!.pipeline_name }] },
      // Ties between a changed or new row and a row shown (same start, same duration): by position, as from nothing.
      { name: 'rows started at the same moment as others, and a duration equal to another', changed: [row('zz-tie', { created_at: before[5]!.created_at }), sameDuration(before[40]!, before.find((r) => r.end_date && r !== before[40])!)] },
    ];
    for (const { name, changed } of cases) {
      const sorted = [...changed].sort((a, b) => (a.created_at > b.created_at ? -1 : 1));
      const merged = mergeChangedRows({ rows: before, io: {} }, { rows: sorted, io: {} });
      const reused = new ExecutionIndex(merged.rows, merged.io, { previous, at: merged.from });
      expect(seen(reused), name).toEqual(seen(new ExecutionIndex(merged.rows, merged.io)));
    }
  });

  it('is the index built from nothing when unchanged rows come in another order than before', () => {
    const before = generateExecutions(500, 3);
    // Rows 10 and 200 started and ended together: only their positions order them by date and duration.
    before[200] = { ...before[200]!, created_at: before[10]!.created_at, end_date: before[10]!.end_date };
    const previous = new ExecutionIndex(before);
    previous.warm();
    // Two unchanged rows swapped: an order carried over would keep them in their old order.
    const rows = [...before];
    [rows[10], rows[200]] = [rows[200]!, rows[10]!];
    const at = Int32Array.from(rows, (r) => before.indexOf(r));
    expect(seen(new ExecutionIndex(rows, {}, { previous, at }))).toEqual(seen(new ExecutionIndex(rows)));
  });
});

describe('an index warmed a step at a time, between inputs', () => {
  // Enough rows for the long sorts to pause (dates and durations every 262,144 keys read and after each radix pass, ids every 393,216 row visits).
  const many = generateExecutions(300_000, 11);
  const sorts: ExecutionQuery[] = [
    { sort: { column: 'created_at', direction: 'desc' } },
    { sort: { column: 'duration', direction: 'asc' } },
    { sort: { column: 'execution_id', direction: 'asc' } },
    { sort: { column: 'execution_id', direction: 'desc' }, status: 'failed' },
  ];
  const answers = (index: ExecutionIndex) => sorts.map((q) => [...index.query(q)]);
  const whole = new ExecutionIndex(many);
  whole.warm();
  const expected = answers(whole);

  it('splits the long sorts into several steps, and ends with the orders a warm-up at once makes', () => {
    const index = new ExecutionIndex(many);
    const steps = index.warmSteps();
    const calls = steps.map((step) => {
      let count = 1;
      while (step()) count++;
      return count;
    });
    const at = (column: (typeof EXECUTION_COLUMNS)[number]) => calls[EXECUTION_COLUMNS.indexOf(column)]!;
    expect(at('created_at')).toBeGreaterThan(2);
    expect(at('duration')).toBeGreaterThan(2);
    expect(at('execution_id')).toBeGreaterThan(2);
    expect(at('status')).toBe(2); // its ascending order, then its descending one
    expect(answers(index)).toEqual(expected);
  });

  it('answers a sort asked for in the middle of its column’s steps, finishing it from where it stopped, and the steps left then have nothing to do', () => {
    const index = new ExecutionIndex(many);
    const steps = index.warmSteps();
    const started = [steps[EXECUTION_COLUMNS.indexOf('created_at')]!, steps[EXECUTION_COLUMNS.indexOf('execution_id')]!];
    for (const step of started) expect(step()).toBe(true);
    expect(answers(index)).toEqual(expected);
    for (const step of started) expect(step()).toBe(false);
    for (const step of steps) while (step());
    expect(answers(index)).toEqual(expected);
  });

  it('has the order a sort needs made ahead, a slice per call, before it is shown: its first query then sorts nothing', () => {
    const index = new ExecutionIndex(many);
    let calls = 1;
    while (index.prepare('created_at')) calls++;
    expect(calls).toBeGreaterThan(2);
    expect(index.prepare('created_at')).toBe(false);
    expect([...index.query(sorts[0]!)]).toEqual(expected[0]);
    // The warm-up then has that column's sort done: its step only adds the descending order.
    expect(index.warmSteps()[EXECUTION_COLUMNS.indexOf('created_at')]!()).toBe(false);
  });

  it('is built in slices (a dictionary, or some rows\' dates, each) into the index built at once, from nothing or from the index shown before', () => {
    const sliced = ExecutionIndex.slices(many);
    let count = 0;
    let step = sliced.next();
    for (; !step.done; step = sliced.next()) count++;
    expect(count).toBeGreaterThan(5);
    step.value.warm();
    expect(answers(step.value)).toEqual(expected);
    expect([...step.value.createdAt]).toEqual([...whole.createdAt]);
    expect([...step.value.status.codes]).toEqual([...whole.status.codes]);

    // A live list read again: two rows changed, the others where they were.
    const changed = [...many];
    changed[7] = { ...changed[7]!, status: 'failed', end_date: '2026-11-30T00:00:00.000Z' };
    changed[150_000] = { ...changed[150_000]!, pipeline_name: 'brand-new-pipeline' };
    const at = Int32Array.from(changed, (_, i) => (i === 7 || i === 150_000 ? -1 : i));
    const fromSlices = settled(ExecutionIndex.slices(changed, {}, { previous: whole, at }));
    const fromNothing = new ExecutionIndex(changed);
    fromSlices.warm();
    fromNothing.warm();
    expect(answers(fromSlices)).toEqual(answers(fromNothing));
    expect([...fromSlices.duration]).toEqual([...fromNothing.duration]);
    expect(fromSlices.pipeline.values).toEqual(fromNothing.pipeline.values);
  });
});
