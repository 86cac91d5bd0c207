// The page cache of the executions list (SQLite): what it keeps and for how long; how a page's keys are read.
import { describe, expect, it } from 'vitest';
import { executionsPageBody, PageCache, scanPageKeys } from './executions-store.js';

describe('the executions page cache', () => {
  it('keeps a page from its second ask on, not the pages a cursor walk asks once', () => {
    const pages = new PageCache();
    pages.put('page-1', 7, Buffer.from('first answer'));
    expect(pages.get('page-1', 7)).toBeUndefined();
    pages.put('page-1', 7, Buffer.from('first answer'));
    expect(pages.get('page-1', 7)?.toString()).toBe('first answer');
    expect(pages.get('page-2', 7)).toBeUndefined();
  });

  it('answers nothing once the changes cursor moved (a write since), and keeps the page again when asked under the new cursor', () => {
    const pages = new PageCache();
    pages.put('page-1', 7, Buffer.from('before the write'));
    pages.put('page-1', 7, Buffer.from('before the write'));
    expect(pages.get('page-1', 8)).toBeUndefined();
    pages.put('page-1', 8, Buffer.from('after the write'));
    expect(pages.get('page-1', 8)?.toString()).toBe('after the write');
    expect(pages.get('page-1', 7)).toBeUndefined();
  });
});

describe("a page answer's bytes", () => {
  it('are the UTF-8 of the page in the one-item-a-line layout, whatever characters the documents and cursors hold', () => {
    const docs = '{"name":"Zoë ✓ 🚀"},\n{"name":"été \\n"}';
    expect(executionsPageBody(docs, '42', 'é7').toString('utf8')).toBe(`{"items":[\n${docs}\n],"next_cursor":"42","changes_cursor":"é7"}`);
    expect(executionsPageBody('', null, '7').toString('utf8')).toBe('{"items":[],"next_cursor":null,"changes_cursor":"7"}');
    expect(JSON.parse(executionsPageBody(docs, null, '9').toString('utf8'))).toEqual({ items: [{ name: 'Zoë ✓ 🚀' }, { name: 'été \n' }], next_cursor: null, changes_cursor: '9' });
  });
});

describe("a page's keys (created_ms:id, in page order)", () => {
  it('gives how many rows came, the cursor id of the last row of the page, and that they are in order', () => {
    expect(scanPageKeys('300:9,200:12,200:4,100:7', true, 2)).toEqual({ inOrder: true, count: 4, idAt: '4' });
    expect(scanPageKeys('100:7,200:4,200:12,300:9', false, 3)).toEqual({ inOrder: true, count: 4, idAt: '9' });
    expect(scanPageKeys('-5:1,0:2', false, 0)).toEqual({ inOrder: true, count: 2, idAt: '1' });
    expect(scanPageKeys('', true, 99)).toEqual({ inOrder: true, count: 0, idAt: null });
    expect(scanPageKeys('100:7', true, 1)).toEqual({ inOrder: true, count: 1, idAt: null });
  });

  it('tells rows out of the page order (so the page is read again, explicitly ordered), a repeated key included', () => {
    expect(scanPageKeys('200:4,200:12', true, 0).inOrder).toBe(false);
    expect(scanPageKeys('100:7,300:9,200:4', false, 0).inOrder).toBe(false);
    expect(scanPageKeys('300:9,100:7,200:4', true, 0).inOrder).toBe(false);
    expect(scanPageKeys('200:4,200:4', true, 0).inOrder).toBe(false);
    expect(scanPageKeys('200:4,200:4', false, 0).inOrder).toBe(false);
  });

  it('refuses a malformed key rather than answer a wrong cursor', () => {
    for (const keys of ['100', '100:', '1x0:4', '100:4,', '100:4,:5']) expect(() => scanPageKeys(keys, true, 0), keys).toThrow(/malformed key/);
  });
});
