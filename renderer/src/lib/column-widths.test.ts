import { describe, expect, it } from 'vitest';
import { clampColumnWidth, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, readColumnWidths, writeColumnWidths } from './column-widths.js';

/** A Storage of our own (the real one is the browser's; its contract is these three calls). */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('column widths kept between sessions', () => {
  it('are read back as they were written', () => {
    const storage = memoryStorage();
    expect(writeColumnWidths(storage, 'table', { pipeline_name: 230, 'output:score': 96 })).toBe(true);
    expect(readColumnWidths(storage, 'table')).toEqual({ pipeline_name: 230, 'output:score': 96 });
  });

  it('drop what does not hold (not JSON, not an object, a width out of bounds or not whole), keeping the rest', () => {
    expect(readColumnWidths(memoryStorage({ table: 'not json' }), 'table')).toEqual({});
    expect(readColumnWidths(memoryStorage({ table: '[210]' }), 'table')).toEqual({});
    expect(readColumnWidths(memoryStorage({ table: 'null' }), 'table')).toEqual({});
    const mixed = JSON.stringify({ status: 140, tiny: MIN_COLUMN_WIDTH - 1, huge: MAX_COLUMN_WIDTH + 1, half: 150.5, text: '200', nothing: null });
    expect(readColumnWidths(memoryStorage({ table: mixed }), 'table')).toEqual({ status: 140 });
  });

  it('are none where nothing was stored, and where there is no storage at all', () => {
    expect(readColumnWidths(memoryStorage(), 'table')).toEqual({});
    expect(readColumnWidths(undefined, 'table')).toEqual({});
    expect(writeColumnWidths(undefined, 'table', { status: 140 })).toBe(false);
  });

  it('leave no entry once every column has its default width again', () => {
    const storage = memoryStorage({ table: '{"status":140}' });
    writeColumnWidths(storage, 'table', {});
    expect(storage.items.has('table')).toBe(false);
  });

  it('say a storage that refuses to keep them (full, or a private window) instead of throwing', () => {
    const full = { setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => undefined };
    expect(writeColumnWidths(full, 'table', { status: 140 })).toBe(false);
  });

  it('keep a width set by hand within bounds, in whole pixels', () => {
    expect(clampColumnWidth(10)).toBe(MIN_COLUMN_WIDTH);
    expect(clampColumnWidth(99_999)).toBe(MAX_COLUMN_WIDTH);
    expect(clampColumnWidth(150.4)).toBe(150);
  });
});
