// Column widths a user set (by dragging a header's edge or with its arrow keys), kept in the
// renderer's own storage so that a table opens again as it was left, in this session or the next.
// What is read back is checked: a width that is not a whole number of pixels within bounds (a
// hand-edited or older entry) is dropped, and that column has its default width again.

export const MIN_COLUMN_WIDTH = 64;
export const MAX_COLUMN_WIDTH = 2000;

/** The widths stored under `key` that hold (column → px); {} when none or storage is not there. */
export function readColumnWidths(storage: Pick<Storage, 'getItem'> | undefined, key: string): Record<string, number> {
  let stored: unknown;
  try {
    stored = JSON.parse(storage?.getItem(key) ?? '{}');
  } catch {
    return {};
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const widths: Record<string, number> = {};
  for (const [column, width] of Object.entries(stored)) {
    if (Number.isInteger(width) && (width as number) >= MIN_COLUMN_WIDTH && (width as number) <= MAX_COLUMN_WIDTH) widths[column] = width as number;
  }
  return widths;
}

/** Stores the widths (none: the entry goes); false when there is no storage to keep them (a private window). */
export function writeColumnWidths(storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined, key: string, widths: Record<string, number>): boolean {
  try {
    if (!storage) return false;
    if (Object.keys(widths).length === 0) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(widths));
    return true;
  } catch {
    return false;
  }
}

/** A width set by hand, kept within bounds. */
export function clampColumnWidth(width: number): number {
  return Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, Math.round(width)));
}
