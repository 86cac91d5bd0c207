// Long work in slices (a generator's next() runs one), so that the table can run them in separate
// tasks and answer an input between two, or run them all at once when the result is needed now.

/** Work in slices: each next() runs one; the last gives the result (a sort's: its order). */
export type Slices<T> = Iterator<void, T, undefined>;
export type SortSlices = Slices<Uint32Array>;

/** A sort already done, as slices: the order at the first next(). */
export const sortDone = (order: Uint32Array): SortSlices => ({ next: () => ({ done: true, value: order }) });

/** Runs every slice at once: the result. */
export function settled<T>(slices: Slices<T>): T {
  for (;;) {
    const step = slices.next();
    if (step.done) return step.value;
  }
}
