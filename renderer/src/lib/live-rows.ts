// A live executions list read again gets only what the cache wrote since it last read (the app's
// listExecutions with `since`): the new executions and the ones that changed. This puts them into the
// rows shown, in the list's own order (newest first, then by id, as the cache orders them), each
// one's input and output values with it, so the window does not carry the whole list across at every
// change (a hundred thousand rows, each checked again) while a runner writes.

export interface RowsWithIo<R> {
  rows: R[];
  /** Per input or output column, its values in row order. */
  io: Record<string, unknown[]>;
}

/** Rows that are `rows` (a list shown before) with a few changed: `from[i]` is row i's position there when it is that row unchanged, -1 otherwise. */
export interface ChangedFrom<R> {
  rows: readonly R[];
  from: Int32Array;
}

/** The list's order: created_at newest first, then execution_id (the cache's ORDER BY created_at DESC, execution_id). */
function before(a: { created_at: string; execution_id: string }, b: { created_at: string; execution_id: string }): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.execution_id < b.execution_id);
}

/**
 * The rows shown with the changed ones put in: a changed execution replaces the one with its id (moved if
 * its date changed), a new one goes where the order puts it. `changed` is in the list's order, and both
 * have values for the same columns.
 */
export function mergeChangedRows<R extends { execution_id: string; created_at: string }>(shown: RowsWithIo<R>, changed: RowsWithIo<R>): RowsWithIo<R> & { from: Int32Array } {
  const columns = Object.keys(shown.io);
  for (const column of columns) if (!(column in changed.io)) throw new Error(`mergeChangedRows: the changed rows have no values for ${column}`);
  if (changed.rows.length === 0) return { ...shown, from: Int32Array.from(shown.rows, (_, i) => i) };
  const ids = new Set(changed.rows.map((row) => row.execution_id));
  // Sized for the most there can be (a million rows: no growing), cut to what was taken.
  const most = shown.rows.length + changed.rows.length;
  const rows: R[] = new Array<R>(most);
  // Where each row was among the rows shown, when it is that row unchanged (-1: new or changed): the
  // table's index keeps what it had worked out for it (ExecutionIndex's `from`).
  const from = new Int32Array(most);
  const io: Record<string, unknown[]> = Object.fromEntries(columns.map((column) => [column, new Array<unknown>(most)]));
  let n = 0;
  const take = (list: RowsWithIo<R>, i: number, was: number) => {
    rows[n] = list.rows[i]!;
    from[n] = was;
    for (const column of columns) io[column]![n] = list.io[column]![i];
    n++;
  };
  // One merge of two ordered lists: the rows kept (those not changed) and the changed ones.
  let c = 0;
  for (let s = 0; s < shown.rows.length; s++) {
    const row = shown.rows[s]!;
    if (ids.has(row.execution_id)) continue;
    while (c < changed.rows.length && before(changed.rows[c]!, row)) take(changed, c++, -1);
    take(shown, s, s);
  }
  while (c < changed.rows.length) take(changed, c++, -1);
  rows.length = n;
  for (const column of columns) io[column]!.length = n;
  return { rows, io, from: from.slice(0, n) };
}
