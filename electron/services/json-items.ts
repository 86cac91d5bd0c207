// Where each execution of a page lies in the answer as it came, to store each one's text as the
// platform sent it (no decoding, no re-encoding), once JSON.parse and the contract's schema have
// checked the whole answer.
//
// The platform writes a page's items one per line: {"items":[\n<item>,\n<item>\n],…}. JSON allows
// that whitespace, and a line break inside a JSON string is always escaped, so ",\n" and "\n]" occur
// only between items and after the last one. An answer in any other layout gives null (encode again).

const OPEN = '{"items":[\n';

/** [start, end) of each item of a page in the platform's one-item-a-line layout, in order (start0, end0, start1, …); null for another layout. */
export function pageItemRanges(json: string): number[] | null {
  if (!json.startsWith(OPEN)) return null;
  const end = json.indexOf('\n]', OPEN.length);
  if (end < 0) return null;
  const ranges: number[] = [];
  for (let start = OPEN.length; ; ) {
    const next = json.indexOf(',\n', start);
    if (next < 0 || next > end) {
      ranges.push(start, end);
      return ranges;
    }
    ranges.push(start, next);
    start = next + 2;
  }
}

/**
 * What a page in the platform's layout holds after its items (its cursors: a small object), read
 * without decoding the items, so that the next page can be asked for while this one is decoded;
 * null for another layout or a tail that is not a JSON object's rest.
 */
export function pageTail(json: string): Record<string, unknown> | null {
  if (!json.startsWith(OPEN)) return null;
  const end = json.indexOf('\n]', OPEN.length);
  if (end < 0) return null;
  const rest = json.slice(end + 2);
  try {
    const tail: unknown = JSON.parse(rest.startsWith(',') ? `{${rest.slice(1)}` : rest === '}' ? '{}' : '');
    return typeof tail === 'object' && tail !== null && !Array.isArray(tail) ? (tail as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
