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

/** The list's order: created_at newest first, then execution_id (the cache's ORDER BY created_at DESC, execution_id). */
function before(a: { created_at: string; execution_id: string }, b: { created_at: string; execution_id: string }): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.execution_id < b.execution_id);
}

/**
 * The rows shown with the changed ones put in: a changed execution replaces the one with its id (moved if
 * its date changed), a new one goes where the order puts it. `changed` is in the list's order, and both
 * have values for the same columns.
 */
export function mergeChangedRows<R extends { execution_id: string; created_at: string }>(shown: RowsWithIo<R>, changed: RowsWithIo<R>): RowsWithIo<R> {
  const columns = Object.keys(shown.io);
  for (const column of columns) if (!(column in changed.io)) throw new Error(`mergeChangedRows: the changed rows have no values for ${column}`);
  if (changed.rows.length === 0) return shown;
  const ids = new Set(changed.rows.map((row) => row.execution_id));
  const rows: R[] = [];
  const io: Record<string, unknown[]> = Object.fromEntries(columns.map((column) => [column, []]));
  const take = (from: RowsWithIo<R>, i: number) => {
    rows.push(from.rows[i]!);
    for (const column of columns) io[column]!.push(from.io[column]![i]);
  };
  // One merge of two ordered lists: the rows kept (those not changed) and the changed ones.
  let c = 0;
  for (let s = 0; s < shown.rows.length; s++) {
    const row = shown.rows[s]!;
    if (ids.has(row.execution_id)) continue;
    while (c < changed.rows.length && before(changed.rows[c]!, row)) take(changed, c++);
    take(shown, s);
  }
  while (c < changed.rows.length) take(changed, c++);
  return { rows, io };
}
