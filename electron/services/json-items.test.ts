import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageItemRanges, pageTail } from './json-items.js';

const record = fc.dictionary(fc.string(), fc.jsonValue());
const texts = (json: string, ranges: number[] | null) => (ranges === null ? null : Array.from({ length: ranges.length / 2 }, (_, i) => json.slice(ranges[2 * i], ranges[2 * i + 1])));

describe('pageItemRanges', () => {
  it("finds each item of a page in the platform's layout as it was sent, whatever the items hold (line breaks in strings included)", () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1 }), fc.jsonValue(), (items, other) => {
        const sent = items.map((item) => JSON.stringify(item));
        const json = `{"items":[\n${sent.join(',\n')}\n],"next_cursor":${JSON.stringify(other)}}`;
        expect(JSON.parse(json).items).toEqual(JSON.parse(JSON.stringify(items)));
        expect(texts(json, pageItemRanges(json))).toEqual(sent);
      }),
    );
  });

  it('gives nothing for another layout, so the items are encoded again', () => {
    const items = [{ a: 1 }, { b: 'x,\ny' }];
    expect(pageItemRanges(JSON.stringify({ items }))).toBeNull();
    expect(pageItemRanges(JSON.stringify({ next_cursor: null, items }, null, 2))).toBeNull();
    expect(pageItemRanges('{"items":[]}')).toBeNull();
  });
});

describe('pageTail', () => {
  it("reads a page's fields after its items (its cursors) as JSON.parse of the whole page does, whatever the items hold", () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1 }), fc.dictionary(fc.string().filter((key) => key !== 'items'), fc.jsonValue()), (items, rest) => {
        const body = JSON.stringify(rest).slice(1, -1);
        const json = `{"items":[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]${body ? `,${body}` : ''}}`;
        const { items: _items, ...whole } = JSON.parse(json) as Record<string, unknown>;
        expect(pageTail(json)).toEqual(whole);
      }),
    );
  });

  it('gives nothing for another layout or a broken tail, so the next page waits for this one', () => {
    expect(pageTail(JSON.stringify({ items: [{ a: 1 }], next_cursor: 'x' }))).toBeNull();
    expect(pageTail('{"items":[\n{"a":1}\n],"next_cursor":')).toBeNull();
    expect(pageTail('{"items":[\n{"a":1}\n]]')).toBeNull();
  });
});
