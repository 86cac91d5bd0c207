import { settled } from './slices.js';

/** Below this many rows a range is finished by insertion (a pass over its characters costs more). */
const SMALL = 32;
/** Character ranges wider than this (many scripts mixed at one place) are sorted by comparison. */
const WIDEST = 4096;

/**
 * Row indices sorted by their strings as `<` compares them (UTF-16 code units, a prefix first), ties
 * in position order. A most-significant-character radix sort: a million execution ids take about a
 * tenth of a second, where a comparator sort took seconds in one task (the table froze meanwhile).
 * Each pass moves a range's rows by the character at one depth, stably, so rows keep position order
 * within their bucket; a range whose rows all share that character only moves on to the next.
 */
export function stringOrder(keys: readonly string[]): Uint32Array {
  return settled(stringOrderSlices(keys));
}

/**
 * Row visits between two pauses of stringOrderSlices (a pass over a range visits each of its rows
 * three times: its character, its bucket's count, its move), as many as 131,072 rows' passes: 10 to
 * 30 ms of work at a million ids. A pause may fall inside a pass: the first pass over a million ids
 * (one range, all of them) took 110 ms in one task in Chromium while pauses came only between ranges.
 */
const SLICE_VISITS = 3 << 17;

/**
 * stringOrder in slices: each next() does about SLICE_VISITS row visits and pauses, the last returns
 * the order. A caller runs them in separate tasks (a million ids: half a second in all), so an input
 * between two slices is answered at once instead of after the whole sort.
 */
export function* stringOrderSlices(keys: readonly string[]): Generator<void, Uint32Array, undefined> {
  const n = keys.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const spare = new Uint32Array(n);
  /** The character of each row of the range at the depth being sorted (0: the string has ended). */
  const codes = new Int32Array(n);
  const ranges: number[] = [0, n, 0];
  let left = SLICE_VISITS;
  while (ranges.length > 0) {
    if (left <= 0) {
      left = SLICE_VISITS;
      yield;
    }
    const depth = ranges.pop()!;
    const hi = ranges.pop()!;
    const lo = ranges.pop()!;
    if (hi - lo < SMALL) {
      left -= hi - lo;
      insertion(keys, order, lo, hi);
      continue;
    }
    let min = Number.POSITIVE_INFINITY;
    let max = -1;
    for (let i = lo; i < hi; ) {
      if (left <= 0) {
        left = SLICE_VISITS;
        yield;
      }
      const end = Math.min(hi, i + left);
      left -= end - i;
      for (; i < end; i++) {
        const key = keys[order[i]!]!;
        const code = depth < key.length ? key.charCodeAt(depth) + 1 : 0;
        codes[i] = code;
        if (code < min) min = code;
        if (code > max) max = code;
      }
    }
    if (min === max) {
      // One character for all (or all ended: equal strings, already in position order).
      if (min !== 0) ranges.push(lo, hi, depth + 1);
      continue;
    }
    const width = max - min + 1;
    if (width > WIDEST) {
      byComparison(keys, order, lo, hi);
      continue;
    }
    const starts = new Uint32Array(width + 1);
    for (let i = lo; i < hi; i++) starts[codes[i]! - min + 1]! += 1;
    for (let c = 1; c <= width; c++) starts[c]! += starts[c - 1]!;
    left -= hi - lo;
    // The rows move to `spare` stretch by stretch (a pause between two leaves `order` as it was), then back at once.
    const next = starts.slice();
    for (let i = lo; i < hi; ) {
      if (left <= 0) {
        left = SLICE_VISITS;
        yield;
      }
      const end = Math.min(hi, i + left);
      left -= end - i;
      for (; i < end; i++) spare[lo + next[codes[i]! - min]!++] = order[i]!;
    }
    order.set(spare.subarray(lo, hi), lo);
    for (let c = 0; c < width; c++) {
      const size = starts[c + 1]! - starts[c]!;
      // Rows whose string ended here are equal: their bucket stays as it is.
      if (size > 1 && !(c === 0 && min === 0)) ranges.push(lo + starts[c]!, lo + starts[c + 1]!, depth + 1);
    }
  }
  return order;
}

/** A stable insertion sort of order[lo, hi) by key (equal keys never pass each other). */
function insertion(keys: readonly string[], order: Uint32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const row = order[i]!;
    const key = keys[row]!;
    let j = i - 1;
    while (j >= lo && keys[order[j]!]! > key) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = row;
  }
}

function byComparison(keys: readonly string[], order: Uint32Array, lo: number, hi: number): void {
  order.subarray(lo, hi).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
}
