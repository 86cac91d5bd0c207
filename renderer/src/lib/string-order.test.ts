import { describe, expect, it } from 'vitest';
import { stringOrder, stringOrderSlices } from './string-order.js';

/** What the table sorted ids with before: a comparator sort, ties in position order. */
function byComparison(keys: string[]): number[] {
  return keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
}

/** A small deterministic generator, so that a failure names a seed that shows it again. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function keysFrom(seed: number, n: number, alphabet: string[], maxLength: number, prefixes: string[]): string[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    let key = prefixes[Math.floor(next() * prefixes.length)]!;
    const length = Math.floor(next() * (maxLength + 1));
    for (let i = 0; i < length; i++) key += alphabet[Math.floor(next() * alphabet.length)]!;
    return key;
  });
}

describe('sorting executions by id', () => {
  it('orders ids as the comparator sort did, ties by position, over many shapes of ids', () => {
    const hex = [...'0123456789abcdef'];
    const cases: { alphabet: string[]; maxLength: number; prefixes: string[]; n: number }[] = [
      // The platform's ids: a pipeline's name, a dash, hexadecimal.
      { alphabet: hex, maxLength: 12, prefixes: ['train-', 'score-', 'etl-', 'train-nightly-'], n: 5000 },
      // Few letters and short keys: many equal ids, prefixes of one another, empty ones.
      { alphabet: ['a', 'b'], maxLength: 4, prefixes: ['', 'a'], n: 3000 },
      // Letters of several scripts, astral ones (two code units) and a character range too wide to count.
      { alphabet: ['a', 'Z', 'é', '中', '😀', '\u0000', '\uffff'], maxLength: 6, prefixes: ['', 'x-'], n: 4000 },
      // Just above and below the size where a range is finished by insertion.
      { alphabet: hex, maxLength: 3, prefixes: [''], n: 31 },
      { alphabet: hex, maxLength: 3, prefixes: [''], n: 33 },
    ];
    for (const [c, shape] of cases.entries()) {
      for (let seed = 1; seed <= 5; seed++) {
        const keys = keysFrom(seed * 7919 + c, shape.n, shape.alphabet, shape.maxLength, shape.prefixes);
        expect([...stringOrder(keys)], `case ${c}, seed ${seed}`).toEqual(byComparison(keys));
      }
    }
  });

  it('keeps equal ids in the order the list has them', () => {
    const keys = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'same' : 'same-but-longer'));
    const order = [...stringOrder(keys)];
    expect(order.slice(0, 50)).toEqual(keys.map((_, i) => i).filter((i) => i % 2));
    expect(order.slice(50)).toEqual(keys.map((_, i) => i).filter((i) => i % 2 === 0));
  });

  it('sorts nothing and one id', () => {
    expect([...stringOrder([])]).toEqual([]);
    expect([...stringOrder(['only'])]).toEqual([0]);
  });

  it('sorts in slices that can be interleaved with other work (another sort among it), to the same order', () => {
    const hex = '0123456789abcdef'.split('');
    const first = keysFrom(101, 300_000, hex, 8, ['etl-', 'train-', 'score-']);
    const second = keysFrom(202, 200_000, hex, 6, ['nightly-', '']);
    const a = stringOrderSlices(first);
    const b = stringOrderSlices(second);
    let slices = 0;
    let done: [Uint32Array | null, Uint32Array | null] = [null, null];
    while (!done[0] || !done[1]) {
      slices++;
      if (!done[0]) {
        const step = a.next();
        if (step.done) done = [step.value, done[1]];
      }
      if (!done[1]) {
        const step = b.next();
        if (step.done) done = [done[0], step.value];
      }
    }
    expect(slices).toBeGreaterThan(2);
    expect([...done[0]!]).toEqual(byComparison(first));
    expect([...done[1]!]).toEqual(byComparison(second));
  });

  it('pauses within a pass over one long range: the first slice of 500,000 ids stops before it has read them all', () => {
    const hex = '0123456789abcdef'.split('');
    const keys = keysFrom(303, 500_000, hex, 6, ['train-']);
    // Every id read through a counter: a slice that ran the first pass (over all of them) whole would read each once.
    let reads = 0;
    const counted = new Proxy(keys, { get: (target, property, receiver) => (typeof property === 'string' && /^\d+$/.test(property) && reads++, Reflect.get(target, property, receiver)) });
    const slices = stringOrderSlices(counted);
    expect(slices.next().done).toBe(false);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(keys.length);
    let step = slices.next();
    while (!step.done) step = slices.next();
    expect([...step.value]).toEqual([...stringOrder(keys)]);
  });
});
