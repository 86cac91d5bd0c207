// In-memory index over executions for the virtualised table: filter, search and sort
// a hundred thousand rows within one frame. Each column's sort order is computed once
// (counting sort for columns with few distinct values, typed-array keys for dates and
// durations); a query marks the rows that pass in row order (sequential passes), then walks
// that order and keeps the marked ones, in O(n).
import { settled, sortDone, type SortSlices } from './slices.js';
import { stringOrderSlices } from './string-order.js';

export interface ExecutionRow {
  execution_id: string;
  status: string;
  pipeline_name: string;
  deployment_name: string | null;
  /** The creator's name, resolved from the user id as the SDK's get_user does. */
  created_by: string;
  created_at: string;
  end_date: string | null;
  /** The environment it ran in (a project's table over all its environments). */
  environment?: string;
}

export const EXECUTION_COLUMNS = [
  'execution_id',
  'pipeline_name',
  'deployment_name',
  'status',
  'created_by',
  'created_at',
  'duration',
] as const;
export type ExecutionColumn = (typeof EXECUTION_COLUMNS)[number];

export const COLUMN_LABELS: Record<ExecutionColumn, string> = {
  execution_id: 'ID',
  pipeline_name: 'Pipeline',
  deployment_name: 'Deployment',
  status: 'Status',
  created_by: 'Created by',
  created_at: 'Created at',
  duration: 'Duration',
};

export type SortDirection = 'asc' | 'desc';

/** An input or output shown as a column: "input:<name>" or "output:<name>" (the desktop API's io columns). */
export type IoColumn = `input:${string}` | `output:${string}`;
/** Any column the table can sort on: one of the execution's own, its environment, or an input or output. */
export type SortColumn = ExecutionColumn | 'environment' | IoColumn;

export function isIoColumn(column: string): column is IoColumn {
  return /^(input|output):./.test(column);
}

/** "output:score" → "score (output)": the header of an io column. */
export function ioLabel(column: IoColumn): string {
  const at = column.indexOf(':');
  return `${column.slice(at + 1)} (${column.slice(0, at)})`;
}

/** How an input or output value reads in a cell: numbers to 4 decimals, text as is, structures as compact JSON. */
export function ioText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en') : value.toLocaleString('en', { maximumFractionDigits: 4 });
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Sort keys of an io column: the numbers themselves when every value is a number, else each
 * value's rank among the distinct texts; NaN where an execution has none (sorted last).
 */
function ioKeys(values: readonly unknown[], n: number): Float64Array {
  const keys = new Float64Array(n).fill(Number.NaN);
  const numeric = values.every((v) => v === null || v === undefined || typeof v === 'number');
  if (numeric) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'number') keys[i] = v;
    }
    return keys;
  }
  const texts = values.map((v) => (v === null || v === undefined ? null : ioText(v)));
  const distinct = [...new Set(texts.filter((t): t is string => t !== null))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const rank = new Map(distinct.map((t, i) => [t, i]));
  for (let i = 0; i < n; i++) {
    const t = texts[i];
    if (t !== null && t !== undefined) keys[i] = rank.get(t)!;
  }
  return keys;
}

export interface ExecutionQuery {
  environment?: string | undefined;
  status?: string | undefined;
  pipeline?: string | undefined;
  deployment?: string | undefined;
  creator?: string | undefined;
  /** Inclusive bounds on created_at, as epoch milliseconds. */
  from?: number | undefined;
  to?: number | undefined;
  /** Free text, matched case-insensitively against id, pipeline, deployment, status and creator. */
  search?: string | undefined;
  sort?: { column: SortColumn; direction: SortDirection } | undefined;
}

/** The free text as the search matches it. */
function searchNeedle(search: string | undefined): string {
  return (search ?? '').replace(/[\n\u0000]/g, ' ').trim().toLowerCase();
}

/**
 * What decides which rows a query keeps, whatever their order: two queries with the same key keep
 * the same rows of one index (a sort only reorders them), so what counts them (the charts) need not count again.
 */
export function rowsKey(query: ExecutionQuery): string {
  const deployment = query.deployment === undefined ? null : query.deployment;
  return JSON.stringify([
    query.environment || null,
    query.status || null,
    query.pipeline || null,
    deployment,
    query.creator || null,
    query.from ?? null,
    query.to ?? null,
    searchNeedle(query.search),
  ]);
}

/** A column with few distinct values: each row's value as a code, codes in sorted order. */
interface Dictionary {
  values: string[];
  codes: Uint32Array;
  byValue: Map<string, number>;
}

const NONE = '';

function dictionary(rows: readonly ExecutionRow[], pick: (row: ExecutionRow) => string): Dictionary {
  const seen = new Map<string, number>();
  const raw = new Uint32Array(rows.length);
  const firstValues: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const value = pick(rows[i]!);
    let code = seen.get(value);
    if (code === undefined) {
      code = firstValues.length;
      seen.set(value, code);
      firstValues.push(value);
    }
    raw[i] = code;
  }
  // Renumber so that code order is the values' sorted order.
  const values = [...firstValues].sort((a, b) => (a === NONE ? 1 : b === NONE ? -1 : a.localeCompare(b)));
  const rank = new Uint32Array(firstValues.length);
  values.forEach((value, index) => (rank[seen.get(value)!] = index));
  const codes = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) codes[i] = rank[raw[i]!]!;
  return { values, codes, byValue: new Map(values.map((value, index) => [value, index])) };
}

/**
 * The dictionary of `rows` from the previous list's (`at`: each row's position there when unchanged, -1
 * otherwise): its codes copied, the other rows' looked up. Null when it would not equal dictionary(rows)
 * (a value new to it, or one no row has any more): then it is built from nothing.
 */
function dictionaryFrom(previous: Dictionary, rows: readonly ExecutionRow[], pick: (row: ExecutionRow) => string, at: Int32Array): Dictionary | null {
  const codes = new Uint32Array(rows.length);
  const used = new Uint8Array(previous.values.length);
  for (let i = 0; i < rows.length; i++) {
    const was = at[i]!;
    const code = was >= 0 ? previous.codes[was] : previous.byValue.get(pick(rows[i]!));
    if (code === undefined) return null;
    codes[i] = code;
    used[code] = 1;
  }
  if (used.includes(0)) return null;
  return { values: previous.values, codes, byValue: previous.byValue };
}

/** Stable counting sort of row indices by dictionary code: O(n + k). */
function countingOrder(codes: Uint32Array, k: number): Uint32Array {
  const counts = new Uint32Array(k + 1);
  for (let i = 0; i < codes.length; i++) counts[codes[i]! + 1]! += 1;
  for (let c = 1; c <= k; c++) counts[c]! += counts[c - 1]!;
  const order = new Uint32Array(codes.length);
  for (let i = 0; i < codes.length; i++) order[counts[codes[i]!]!++] = i;
  return order;
}

/** Keys read between two pauses of numericOrderSlices: reading a million in one task took 70 ms in Chromium. */
const KEY_SLICE = 1 << 18;

/**
 * Row indices sorted by a numeric key (NaN last), ties by position. A least-significant-digit radix
 * sort (11-bit digits, the constant ones skipped) over each key as an unsigned 64-bit number: it is
 * stable, so ties keep position order, and takes tens of milliseconds for a million keys where a
 * comparator sort takes most of a second. Integer keys (dates and durations in milliseconds) count
 * from the smallest, so only their few varying digits move; other keys use their bits as a double's.
 * In slices (a million keys: 150 to 250 ms in all): it pauses every KEY_SLICE keys read, after reading
 * them and after each pass, so that a caller can run them in separate tasks (string-order.ts stringOrderSlices).
 */
function* numericOrderSlices(keys: Float64Array): Generator<void, Uint32Array, undefined> {
  const n = keys.length;
  let finite = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % KEY_SLICE === 0) yield;
    const key = keys[i]!;
    if (Number.isNaN(key)) continue;
    finite++;
    if (key < min) min = key;
    if (key > max) max = key;
    if (integers && !Number.isInteger(key)) integers = false;
  }
  const offset = integers && max - min <= Number.MAX_SAFE_INTEGER;
  const out = new Uint32Array(n);
  let order = new Uint32Array(finite);
  let a = new Uint32Array(finite); // high 32 bits
  let b = new Uint32Array(finite); // low 32 bits
  const one = new Float64Array(1);
  const bits = new Uint32Array(one.buffer);
  const high = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the half with the sign
  let j = 0;
  let tail = finite;
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % KEY_SLICE === 0) yield;
    const key = keys[i]!;
    if (Number.isNaN(key)) {
      out[tail++] = i; // missing: last, in position order
      continue;
    }
    order[j] = i;
    if (offset) {
      const v = key - min;
      a[j] = Math.floor(v / 4294967296);
      b[j] = v >>> 0;
    } else {
      one[0] = key === 0 ? 0 : key; // -0 sorts with 0, as they compare equal
      const h = bits[high]!;
      const l = bits[1 - high]!;
      // Positive: set the sign bit; negative: flip every bit (larger magnitude, smaller number).
      a[j] = h & 0x80000000 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
      b[j] = h & 0x80000000 ? ~l >>> 0 : l;
    }
    j++;
  }
  yield;
  // Keys travel with their row so that every read is sequential.
  let spare = new Uint32Array(finite);
  let spareA = new Uint32Array(finite);
  let spareB = new Uint32Array(finite);
  const counts = new Uint32Array(2049);
  for (const [fromHigh, shift, width] of [[false, 0, 11], [false, 11, 11], [false, 22, 10], [true, 0, 11], [true, 11, 11], [true, 22, 10]] as const) {
    const word = fromHigh ? a : b;
    const mask = (1 << width) - 1;
    counts.fill(0);
    for (let i = 0; i < finite; i++) counts[((word[i]! >>> shift) & mask) + 1]! += 1;
    if (counts.includes(finite)) continue; // every key has the same digit here: nothing moves
    for (let d = 1; d <= mask + 1; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < finite; i++) {
      const to = counts[(word[i]! >>> shift) & mask]!++;
      spare[to] = order[i]!;
      spareA[to] = a[i]!;
      spareB[to] = b[i]!;
    }
    [order, spare] = [spare, order];
    [a, spareA] = [spareA, a];
    [b, spareB] = [spareB, b];
    yield;
  }
  out.set(order);
  return out;
}

/** The columns whose order an index carries over from the one shown before (the others take milliseconds anew). */
const CARRIED: readonly SortColumn[] = ['created_at', 'duration', 'execution_id'];

/** numericOrderSlices's order as a comparison of two rows: by key (-0 with 0), missing last, ties by position. */
function numericBefore(keys: Float64Array): (a: number, b: number) => boolean {
  return (a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? Number.isNaN(y) && a < b : true;
    return x < y || (x === y && a < b);
  };
}

/** The two digits at i as a number, or -1 unless both are digits. */
function twoDigits(s: string, i: number): number {
  const high = s.charCodeAt(i) - 48;
  const low = s.charCodeAt(i + 1) - 48;
  return high >>> 0 <= 9 && low >>> 0 <= 9 ? high * 10 + low : -1;
}

/**
 * Epoch ms of a date, exactly as V8's Date.parse reads it (Chromium, Electron). The platform's own form
 * ("2026-11-26T12:00:00.000Z", toISOString's) is read by hand in integer arithmetic, three times as
 * fast as Date.parse (a million rows' two dates each are read while the index is built); a field out of
 * its range, and any other form, go to Date.parse. A day past its month's end rolls over, as Date.parse
 * rolls it ("02-30" is 2 March); Date.UTC, read before, took years 0–99 for 1900–1999.
 */
export function epochMs(value: string | null): number {
  if (!value) return Number.NaN;
  const s = value;
  if (s.length === 24 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90) {
    const century = twoDigits(s, 0);
    const yearInCentury = twoDigits(s, 2);
    const month = twoDigits(s, 5);
    const day = twoDigits(s, 8);
    const hour = twoDigits(s, 11);
    const minute = twoDigits(s, 14);
    const second = twoDigits(s, 17);
    const centiseconds = twoDigits(s, 20);
    const lastDigit = s.charCodeAt(22) - 48;
    if (century >= 0 && yearInCentury >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && centiseconds >= 0 && lastDigit >>> 0 <= 9) {
      // Days since 1970-01-01 (days_from_civil, H. Hinnant): years counted from March, so a leap day is a year's last.
      const year = century * 100 + yearInCentury - (month <= 2 ? 1 : 0);
      const era = Math.floor(year / 400);
      const yearOfEra = year - era * 400;
      const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
      const days = era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
      return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + centiseconds * 10 + lastDigit;
    }
  }
  return Date.parse(value);
}

export function durationMs(row: ExecutionRow): number | null {
  if (!row.end_date) return null;
  const ms = epochMs(row.end_date) - epochMs(row.created_at);
  return Number.isFinite(ms) ? ms : null;
}

/** What an index is built of: the few-valued columns' dictionaries and each row's start and duration. */
interface IndexParts {
  environment: Dictionary;
  status: Dictionary;
  pipeline: Dictionary;
  deployment: Dictionary;
  creator: Dictionary;
  createdAt: Float64Array;
  duration: Float64Array;
}

/**
 * Rows handled between two pauses: dates read (indexParts), ids lower-cased (#idTextSlices). 131,072
 * rows' took 90–120 ms (dates) and 74 ms (ids) in one task in Chromium: 65,536 rows' take half that.
 */
const ROW_SLICE = 1 << 16;

/** The index before, when its positions fit this list. */
function reusable(rows: readonly ExecutionRow[], from: { previous: ExecutionIndex; at: Int32Array } | undefined) {
  return from && from.at.length === rows.length ? from : undefined;
}

/** An index's parts, pausing after each dictionary and every ROW_SLICE rows' dates (settled() runs them at once). */
function* indexParts(rows: readonly ExecutionRow[], reuse: { previous: ExecutionIndex; at: Int32Array } | undefined): Generator<void, IndexParts, undefined> {
  const previous = reuse?.previous;
  const column = (pick: (row: ExecutionRow) => string, before: Dictionary | undefined) => (reuse && before && dictionaryFrom(before, rows, pick, reuse.at)) || dictionary(rows, pick);
  const environment = column((row) => row.environment ?? NONE, previous?.environment);
  yield;
  const status = column((row) => row.status, previous?.status);
  yield;
  const pipeline = column((row) => row.pipeline_name, previous?.pipeline);
  yield;
  const deployment = column((row) => row.deployment_name ?? NONE, previous?.deployment);
  yield;
  const creator = column((row) => row.created_by, previous?.creator);
  yield;
  const createdAt = new Float64Array(rows.length);
  const duration = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % ROW_SLICE === 0) yield;
    const was = reuse ? reuse.at[i]! : -1;
    if (was >= 0) {
      createdAt[i] = previous!.createdAt[was]!;
      duration[i] = previous!.duration[was]!;
      continue;
    }
    const row = rows[i]!;
    const start = epochMs(row.created_at);
    createdAt[i] = start;
    duration[i] = row.end_date ? epochMs(row.end_date) - start : Number.NaN;
  }
  return { environment, status, pipeline, deployment, creator, createdAt, duration };
}

export class ExecutionIndex {
  readonly rows: readonly ExecutionRow[];
  readonly status: Dictionary;
  readonly pipeline: Dictionary;
  readonly deployment: Dictionary;
  readonly creator: Dictionary;
  readonly environment: Dictionary;
  /** The input and output values asked as columns, in row order. */
  readonly io: Readonly<Record<string, readonly unknown[]>>;
  #ioKeys = new Map<string, Float64Array>();
  readonly createdAt: Float64Array;
  readonly duration: Float64Array;
  #text: { all: string; starts: Uint32Array } | null = null;
  #orders = new Map<SortColumn, Uint32Array>();
  /** The index shown before (see the constructor), kept until the orders carried from it are made. */
  #from: { previous: ExecutionIndex; at: Int32Array } | null = null;
  #carry: { newOf: Int32Array; fresh: Uint32Array } | null | undefined;

  /**
   * `from`: the index of the list shown before this one (a live list read again), and for each row the
   * position there of the same row unchanged (-1: new or changed). What those rows had is copied instead
   * of worked out again (a million dates parsed and five dictionaries took a third of a second); the
   * index is the same as one built from nothing. `parts`: that work done already (ExecutionIndex.slices).
   */
  constructor(rows: readonly ExecutionRow[], io: Readonly<Record<string, readonly unknown[]>> = {}, from?: { previous: ExecutionIndex; at: Int32Array }, parts?: IndexParts) {
    this.rows = rows;
    this.io = io;
    const reuse = reusable(rows, from);
    const made = parts ?? settled(indexParts(rows, reuse));
    if (reuse) {
      this.#from = reuse;
      // Never a chain of indexes kept alive one by the next: the previous one carries nothing from its own.
      reuse.previous.#from = null;
    }
    this.environment = made.environment;
    this.status = made.status;
    this.pipeline = made.pipeline;
    this.deployment = made.deployment;
    this.creator = made.creator;
    this.createdAt = made.createdAt;
    this.duration = made.duration;
  }

  /**
   * The index built in slices, one dictionary or 65,536 rows' dates per next() (a million rows:
   * 0.4 s in all), for a caller that runs them in separate tasks so that inputs are answered meanwhile.
   */
  static *slices(rows: readonly ExecutionRow[], io: Readonly<Record<string, readonly unknown[]>> = {}, from?: { previous: ExecutionIndex; at: Int32Array }): Generator<void, ExecutionIndex, undefined> {
    const parts = yield* indexParts(rows, reusable(rows, from));
    return new ExecutionIndex(rows, io, from, parts);
  }

  get size(): number {
    return this.rows.length;
  }

  /**
   * The execution ids, lower-cased, in one string (separated by "\n") with each row's start
   * offset: one indexOf scan finds every id that contains the needle.
   */
  #idText(): { all: string; starts: Uint32Array } {
    this.#text ??= settled(this.#textSlices ?? this.#idTextSlices());
    this.#textSlices = null;
    return this.#text;
  }

  /** #idText begun by a warm step and not finished yet. */
  #textSlices: Generator<void, { all: string; starts: Uint32Array }, undefined> | null = null;

  /** #idText in slices: a pause every ROW_SLICE rows lower-cased (a million ids: about a tenth of a second in all). */
  *#idTextSlices(): Generator<void, { all: string; starts: Uint32Array }, undefined> {
    // Joined a slice at a time, then the slices' texts: one join of a million ids took 60–100 ms in one task.
    const joined: string[] = [];
    let parts: string[] = [];
    const starts = new Uint32Array(this.rows.length + 1);
    let offset = 0;
    for (let i = 0; i < this.rows.length; i++) {
      if (i > 0 && i % ROW_SLICE === 0) {
        joined.push(parts.join('\n'));
        parts = [];
        yield;
      }
      const part = this.rows[i]!.execution_id.toLowerCase();
      parts.push(part);
      starts[i] = offset;
      offset += part.length + 1;
    }
    joined.push(parts.join('\n'));
    starts[this.rows.length] = offset;
    yield;
    return { all: joined.join('\n'), starts };
  }

  /**
   * 1 for each row whose id, pipeline, deployment, status or creator contains the needle
   * (lower-cased, no new line). The few-valued columns are matched once per distinct value,
   * so only ids are scanned row by row. The last needle's answer is kept: a filter or sort
   * changed while a search is typed does not scan again (a million ids take tens of ms).
   */
  #matches(needle: string): Uint8Array {
    if (this.#lastSearch?.needle === needle) return this.#lastSearch.found;
    const mask = new Uint8Array(this.rows.length);
    this.#lastSearch = { needle, found: mask };
    const dictionaries = [this.status, this.pipeline, this.deployment, this.creator];
    const hits = dictionaries.map((dict) => {
      const hit = new Uint8Array(dict.values.length);
      let any = false;
      dict.values.forEach((value, code) => {
        if (value.toLowerCase().includes(needle)) {
          hit[code] = 1;
          any = true;
        }
      });
      return any ? hit : null;
    });
    for (let d = 0; d < dictionaries.length; d++) {
      const hit = hits[d];
      if (!hit) continue;
      const codes = dictionaries[d]!.codes;
      for (let r = 0; r < mask.length; r++) mask[r]! |= hit[codes[r]!]!;
    }
    const { all, starts } = this.#idText();
    let row = 0;
    let pos = all.indexOf(needle);
    while (pos !== -1) {
      while (starts[row + 1]! <= pos) row++;
      mask[row] = 1;
      pos = all.indexOf(needle, starts[row + 1]!);
    }
    return mask;
  }

  /** The sort keys of an io column (NaN: none), computed once. */
  ioKeys(column: IoColumn): Float64Array {
    let keys = this.#ioKeys.get(column);
    if (!keys) {
      keys = ioKeys(this.io[column] ?? [], this.rows.length);
      this.#ioKeys.set(column, keys);
    }
    return keys;
  }

  /** The ascending order of a column, computed once (a sort that warm steps began is finished here). */
  order(column: SortColumn): Uint32Array {
    return this.#orders.get(column) ?? this.#settle(column, settled(this.#sorting.get(column) ?? this.#sortOf(column)));
  }

  /** Sorts begun by warm steps and not finished yet, by column. */
  #sorting = new Map<SortColumn, SortSlices>();

  /** A column's ascending order, in slices where it takes long (dates, durations, ids, io values); the carried orders and the few-valued columns' in one. */
  #sortOf(column: SortColumn): SortSlices {
    if (isIoColumn(column)) return numericOrderSlices(this.ioKeys(column));
    switch (column) {
      case 'environment':
        return sortDone(countingOrder(this.environment.codes, this.environment.values.length));
      case 'status':
        return sortDone(countingOrder(this.status.codes, this.status.values.length));
      case 'pipeline_name':
        return sortDone(countingOrder(this.pipeline.codes, this.pipeline.values.length));
      case 'deployment_name':
        return sortDone(countingOrder(this.deployment.codes, this.deployment.values.length));
      case 'created_by':
        return sortDone(countingOrder(this.creator.codes, this.creator.values.length));
      case 'created_at': {
        const carried = this.#carried(column, numericBefore(this.createdAt));
        return carried ? sortDone(carried) : numericOrderSlices(this.createdAt);
      }
      case 'duration': {
        const carried = this.#carried(column, numericBefore(this.duration));
        return carried ? sortDone(carried) : numericOrderSlices(this.duration);
      }
      case 'execution_id': {
        const ids = this.rows.map((row) => row.execution_id);
        const carried = this.#carried(column, (a, b) => ids[a]! < ids[b]! || (ids[a] === ids[b] && a < b));
        return carried ? sortDone(carried) : stringOrderSlices(ids);
      }
    }
  }

  /** Keeps a column's finished order (and lets the index before go once every carried order is made). */
  #settle(column: SortColumn, order: Uint32Array): Uint32Array {
    this.#sorting.delete(column);
    this.#orders.set(column, order);
    if (CARRIED.every((carried) => this.#orders.has(carried))) this.#from = null;
    return order;
  }

  /**
   * One slice of a column's ascending order (begun on the first), for a caller that has it made before
   * it shows this index: its first query would otherwise sort in one task. True while more remain.
   */
  prepare(column: SortColumn): boolean {
    if (this.#orders.has(column)) return false;
    let sorting = this.#sorting.get(column);
    if (!sorting) this.#sorting.set(column, (sorting = this.#sortOf(column)));
    const step = sorting.next();
    if (!step.done) return true;
    this.#settle(column, step.value);
    return false;
  }

  /**
   * The order the index shown before had for this column, carried over (`comesFirst`: the order's own
   * comparison, ties by position): its unchanged rows keep their order, so only the new and changed
   * rows are sorted and merged in. A million ids took half a second to sort, dates a sixth; this takes
   * milliseconds. Null when there is nothing to carry (no index before, its order never made, or rows
   * that moved past one another).
   */
  #carried(column: SortColumn, comesFirst: (a: number, b: number) => boolean): Uint32Array | null {
    const before = this.#from?.previous;
    const previous = before ? before.#orders.get(column) : undefined;
    const carry = previous && this.#carryMap();
    if (!previous || !carry) return null;
    const { newOf, fresh } = carry;
    const kept = new Uint32Array(this.rows.length - fresh.length);
    let k = 0;
    for (let i = 0; i < previous.length; i++) {
      const row = newOf[previous[i]!]!;
      if (row >= 0) kept[k++] = row;
    }
    const added = [...fresh].sort((a, b) => (comesFirst(a, b) ? -1 : 1));
    const order = new Uint32Array(this.rows.length);
    let from = 0;
    let to = 0;
    for (const row of added) {
      // The first kept row that comes after this one (binary search: the kept rows are in order).
      let lo = from;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (comesFirst(kept[mid]!, row)) lo = mid + 1;
        else hi = mid;
      }
      order.set(kept.subarray(from, lo), to);
      to += lo - from;
      from = lo;
      order[to++] = row;
    }
    order.set(kept.subarray(from), to);
    return order;
  }

  /**
   * Where each row of the index before is here (-1: gone or changed), and the rows new or changed here;
   * null unless the unchanged rows are in the same order as before (a carried order keeps ties in
   * position order only then) and the new and changed rows are few.
   */
  #carryMap(): { newOf: Int32Array; fresh: Uint32Array } | null {
    if (this.#carry !== undefined) return this.#carry;
    const from = this.#from;
    if (!from) return (this.#carry = null);
    const newOf = new Int32Array(from.previous.rows.length).fill(-1);
    const fresh: number[] = [];
    let last = -1;
    for (let i = 0; i < from.at.length; i++) {
      const was = from.at[i]!;
      if (was < 0) fresh.push(i);
      else if (was <= last || was >= newOf.length) return (this.#carry = null);
      else {
        newOf[was] = i;
        last = was;
      }
    }
    // Many rows new or changed: sorting them by comparison would cost more than the order anew.
    if (fresh.length > Math.max(1024, from.at.length >> 4)) return (this.#carry = null);
    return (this.#carry = { newOf, fresh: Uint32Array.from(fresh) });
  }

  #dictionaryOf(column: SortColumn): Dictionary | null {
    switch (column) {
      case 'environment':
        return this.environment;
      case 'status':
        return this.status;
      case 'pipeline_name':
        return this.pipeline;
      case 'deployment_name':
        return this.deployment;
      case 'created_by':
        return this.creator;
      default:
        return null;
    }
  }

  #descending = new Map<SortColumn, Uint32Array>();

  /** For few-valued columns: the descending order, ties kept in position order, empty last. */
  #descendingOrder(column: SortColumn, dict: Dictionary): Uint32Array {
    let order = this.#descending.get(column);
    if (order) return order;
    const k = dict.values.length;
    const none = dict.byValue.get(NONE);
    const reversed = new Uint32Array(dict.codes.length);
    for (let i = 0; i < reversed.length; i++) {
      const code = dict.codes[i]!;
      reversed[i] = none === undefined ? k - 1 - code : code === none ? k - 1 : k - 2 - code;
    }
    order = countingOrder(reversed, k);
    this.#descending.set(column, order);
    return order;
  }

  /**
   * The work that makes every first filter, sort and search instant: each column's orders and the
   * search text, in steps a caller runs in separate tasks between inputs. A step returns true when it
   * has more to do (a long sort runs a slice at a time: call it again); then it is done.
   */
  warmSteps(): (() => boolean)[] {
    // A column's descending order in a step after its ascending one (a million rows' each took 30–60 ms).
    const steps: (() => boolean)[] = EXECUTION_COLUMNS.map((column) => () => {
      if (!this.#orders.has(column)) {
        // The ascending order, a slice per call; once it is made, the descending one in the next call.
        this.prepare(column);
        return true;
      }
      const dict = this.#dictionaryOf(column);
      if (dict) this.#descendingOrder(column, dict);
      else this.#numericDescendingOrder(column);
      return false;
    });
    steps.push(() => {
      if (this.#text) return false;
      const step = (this.#textSlices ??= this.#idTextSlices()).next();
      if (!step.done) return true;
      this.#text = step.value;
      this.#textSlices = null;
      return false;
    });
    return steps;
  }

  /** Computes every column's order ahead of time, so the first click on a header is instant. */
  warm(): void {
    for (const step of this.warmSteps()) while (step());
  }

  #empties = new Map<SortColumn, number>();
  #mark: Uint8Array | null = null;
  #lastSearch: { needle: string; found: Uint8Array } | null = null;

  /**
   * The one mask a query marks its rows in, reused: a new megabyte per keystroke at a million rows
   * is what makes the garbage collector mark the whole heap (every row object) again and again.
   */
  #scratch(): Uint8Array {
    return (this.#mark ??= new Uint8Array(this.rows.length));
  }

  /**
   * The rows marked in the mask, in row order or in the given order, in an array sized to fit: the
   * first `ready` at once, the others when `finish` is called (the walk resumes where it stopped).
   */
  #collect(mask: Uint8Array, order: Uint32Array | null, ready: number): ShownRows {
    let count = 0;
    for (let r = 0; r < mask.length; r++) count += mask[r]!;
    const out = new Uint32Array(count);
    let k = 0;
    let i = 0;
    const fill = (upTo: number) => {
      if (order === null) {
        for (; i < mask.length && k < upTo; i++) if (mask[i]) out[k++] = i;
      } else {
        for (; i < order.length && k < upTo; i++) {
          const r = order[i]!;
          if (mask[r]) out[k++] = r;
        }
      }
    };
    fill(ready);
    if (k === count) return complete(out);
    const rows: ShownRows = {
      rows: out,
      ready: k,
      finish: () => {
        if (rows.ready === count) return;
        fill(count);
        rows.ready = count;
        if (this.#unfinished === rows) this.#unfinished = null;
      },
    };
    this.#unfinished = rows;
    return rows;
  }

  /** The last answer still walking: it reads the shared mask, so it finishes before a new query marks it. */
  #unfinished: ShownRows | null = null;

  #whole: Uint32Array | null = null;
  #numericDescending = new Map<SortColumn, Uint32Array>();

  /**
   * Descending on dates, durations, ids and io values: the ascending order walked backwards, then
   * its block of empty values (NaN, at its end) forwards, so they stay last as in ascending. Once.
   */
  #numericDescendingOrder(column: SortColumn): Uint32Array {
    let out = this.#numericDescending.get(column);
    if (out) return out;
    const order = this.order(column);
    const n = order.length;
    const empties = this.#emptyCount(column, order);
    out = new Uint32Array(n);
    let k = 0;
    for (let i = n - empties - 1; i >= 0; i--) out[k++] = order[i]!;
    for (let i = n - empties; i < n; i++) out[k++] = order[i]!;
    this.#numericDescending.set(column, out);
    return out;
  }

  /** How many rows have no value in a numeric column (NaN): the block that ends its ascending order. */
  #emptyCount(column: SortColumn, order: Uint32Array): number {
    let count = this.#empties.get(column);
    if (count !== undefined) return count;
    const keys = isIoColumn(column) ? this.ioKeys(column) : column === 'duration' ? this.duration : column === 'created_at' ? this.createdAt : null;
    count = 0;
    if (keys) while (count < order.length && Number.isNaN(keys[order[order.length - 1 - count]!]!)) count++;
    this.#empties.set(column, count);
    return count;
  }

  /**
   * 1 for each row that passes the filters and the search, or null when nothing filters. Built in
   * row order, one sequential pass per filter: a walk in sort order then reads one byte per row
   * instead of every filter's column at random (what a million rows in duration order feel).
   */
  #mask(query: ExecutionQuery): Uint8Array | null {
    const n = this.rows.length;
    const equal: [Uint32Array, number][] = [];
    const pick = (dict: Dictionary, value: string | undefined) => {
      if (value === undefined || (value === '' && dict !== this.deployment)) return;
      equal.push([dict.codes, dict.byValue.get(value) ?? -1]);
    };
    pick(this.status, query.status || undefined);
    pick(this.pipeline, query.pipeline || undefined);
    pick(this.deployment, query.deployment);
    pick(this.creator, query.creator || undefined);
    pick(this.environment, query.environment || undefined);
    const byDate = query.from !== undefined || query.to !== undefined;
    const needle = searchNeedle(query.search);
    if (equal.length === 0 && !byDate && !needle) return null;

    // The first test writes the mask, the others narrow it.
    let mask = needle ? this.#scratch() : null;
    if (mask) mask.set(this.#matches(needle));
    for (const [codes, code] of equal) {
      if (code === -1) return this.#scratch().fill(0);
      if (mask) for (let r = 0; r < n; r++) mask[r]! &= codes[r] === code ? 1 : 0;
      else {
        mask = this.#scratch();
        for (let r = 0; r < n; r++) mask[r] = codes[r] === code ? 1 : 0;
      }
    }
    if (byDate) {
      const from = query.from ?? Number.NEGATIVE_INFINITY;
      const to = query.to ?? Number.POSITIVE_INFINITY;
      const createdAt = this.createdAt;
      if (mask) for (let r = 0; r < n; r++) mask[r]! &= createdAt[r]! >= from && createdAt[r]! <= to ? 1 : 0;
      else {
        mask = this.#scratch();
        for (let r = 0; r < n; r++) mask[r] = createdAt[r]! >= from && createdAt[r]! <= to ? 1 : 0;
      }
    }
    return mask;
  }

  /**
   * The row indices that pass the query, in the asked order. Read only: without a filter it is the
   * index's own order (shared, not copied), so that a sort allocates nothing after the first time.
   */
  query(query: ExecutionQuery = {}): Uint32Array {
    return this.queryFirst(query, Number.POSITIVE_INFINITY).rows;
  }

  /**
   * The same rows as `query`, with only the first `ready` positions walked at once: a table shows
   * its first rows in the input's frame and calls `finish` after it (or before reading further),
   * the rest of a million rows' walk in sort order then costs no frame.
   */
  queryFirst(query: ExecutionQuery, ready: number): ShownRows {
    this.#unfinished?.finish();
    const mask = this.#mask(query);
    const sort = query.sort;
    let order: Uint32Array | null = null;
    if (sort) {
      const dict = this.#dictionaryOf(sort.column);
      order =
        sort.direction === 'asc' ? this.order(sort.column) : dict ? this.#descendingOrder(sort.column, dict) : this.#numericDescendingOrder(sort.column);
    }
    if (!mask) return complete(order ?? (this.#whole ??= identity(this.rows.length)));
    return this.#collect(mask, order, ready);
  }
}

/**
 * Row indices in the order shown: `rows` has its full length at once, its positions from `ready` on
 * are written by `finish()` (0 until then; `finish` is idempotent).
 */
export interface ShownRows {
  readonly rows: Uint32Array;
  ready: number;
  finish(): void;
}

/** An answer walked to its end. */
export function complete(rows: Uint32Array): ShownRows {
  return { rows, ready: rows.length, finish: () => {} };
}

function identity(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe !== value || /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV (RFC 4180) of the given rows in the given order; cells that a spreadsheet would run as formulas are defused. */
export function executionsCsv(index: ExecutionIndex, rows: ArrayLike<number>, extra: { environment?: boolean; io?: readonly IoColumn[] } = {}): string {
  const io = extra.io ?? [];
  const header = [
    ...EXECUTION_COLUMNS.map((column) => (column === 'duration' ? 'Duration (s)' : COLUMN_LABELS[column])),
    ...(extra.environment ? ['Environment'] : []),
    ...io.map(ioLabel),
  ].join(',');
  const lines = [header];
  for (let i = 0; i < rows.length; i++) {
    const row = index.rows[rows[i]!]!;
    const duration = index.duration[rows[i]!]!;
    lines.push(
      [
        row.execution_id,
        row.pipeline_name,
        row.deployment_name ?? '',
        row.status,
        row.created_by,
        row.created_at,
        Number.isNaN(duration) ? '' : String(Math.round(duration / 1000)),
        ...(extra.environment ? [row.environment ?? ''] : []),
        ...io.map((column) => ioText(index.io[column]?.[rows[i]!])),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
