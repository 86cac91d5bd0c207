// The page cache of the executions list (SQLite): what it keeps and for how long.
import { describe, expect, it } from 'vitest';
import { PageCache } from './executions-store.js';

describe('the executions page cache', () => {
  it('keeps a page from its second ask on, not the pages a cursor walk asks once', () => {
    const pages = new PageCache();
    pages.put('page-1', 7, 'first answer');
    expect(pages.get('page-1', 7)).toBeUndefined();
    pages.put('page-1', 7, 'first answer');
    expect(pages.get('page-1', 7)?.toString()).toBe('first answer');
    expect(pages.get('page-2', 7)).toBeUndefined();
  });

  it('answers nothing once the changes cursor moved (a write since), and keeps the page again when asked under the new cursor', () => {
    const pages = new PageCache();
    pages.put('page-1', 7, 'before the write');
    pages.put('page-1', 7, 'before the write');
    expect(pages.get('page-1', 8)).toBeUndefined();
    pages.put('page-1', 8, 'after the write');
    expect(pages.get('page-1', 8)?.toString()).toBe('after the write');
    expect(pages.get('page-1', 7)).toBeUndefined();
  });
});
