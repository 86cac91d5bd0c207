// A stored execution reads back as the API's JSON, byte for byte, whichever side expands its one-character
// fragments: the database (single executions) or the page's text (lists).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { executionDocSql, expandFragments, expandJoined, isoSql } from './execution-doc.js';
import { executionsPage } from './executions-store.js';
import { seed } from './seed.js';
import { createTestPlatform, DIALECTS, type TestPlatform } from './test-helpers.js';

describe.each(DIALECTS)('stored executions on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect });
    await seed(p.context, { projects: 1, environments: 1, executions: 250 });
  }, 60_000);
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip)('a list page holds each execution exactly as it reads alone, with no control character left', async () => {
    const env = await p.context.db.selectFrom('environments').selectAll().executeTakeFirstOrThrow();
    const alone = new Map((await p.context.db.selectFrom('executions').select(['execution_id', executionDocSql(dialect).as('doc')]).execute()).map((r) => [r.execution_id, r.doc]));
    let cursor: string | undefined;
    let seen = 0;
    do {
      const text = (await executionsPage(p.context, env, { sort: '-created_at', limit: 100, ...(cursor ? { cursor } : {}) }, null)).toString('utf8');
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
      const page = JSON.parse(text) as { items: { execution_id: string }[]; next_cursor: string | null };
      for (const item of page.items) expect(JSON.stringify(item)).toBe(JSON.stringify(JSON.parse(alone.get(item.execution_id)!)));
      const lines = text.split('\n').slice(1, -1).map((line) => line.replace(/,$/, ''));
      for (const line of lines) expect(line).toBe(alone.get((JSON.parse(line) as { execution_id: string }).execution_id));
      seen += page.items.length;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toBe(250);
  });

  it.skipIf(skip)('writes a date as toISOString does, to the millisecond, before 1970 and up to the year 9999 too', async () => {
    const dates = [0, 1, 999, 1000, 59_999, 86_399_999, 951_782_400_000, Date.UTC(2026, 11, 2, 23, 59, 59, 999), 253_402_300_799_999, -1, -999, -1000, -1001, -86_400_001, Date.UTC(1900, 1, 28, 12, 30, 15, 5), Date.UTC(1, 0, 1)];
    for (let i = 0; i < 200; i++) dates.push(Math.round((Math.random() * 2 - 1) * 1e13));
    const values = sql.raw(dates.map((ms, i) => `SELECT ${i} AS i, CAST(${ms} AS BIGINT) AS ms`).join(' UNION ALL '));
    const { rows } = await sql<{ i: number; iso: string }>`SELECT v.i, ${sql.raw(isoSql(dialect, 'v.ms'))} AS iso FROM (${values}) v ORDER BY v.i`.execute(p.context.db);
    expect(rows.map((r) => r.iso)).toEqual(dates.map((ms) => new Date(ms).toISOString()));
  });
});

describe("a page's stored text expanded", () => {
  // Two stored documents as a page aggregates them: fragments as marks, \u0001 between documents.
  const stored = '{"a":1,\u0011\u0012x\u0005null}],"inputs":[\u0007in\u0004string\u000f}\u0006]}\u0001{"b":"\\u0001 stays\u0013"}';

  it('joins the documents and expands every fragment in one pass, as expanding then joining does', () => {
    const joined = expandJoined(stored, '\u0001', ',\n');
    expect(joined).toBe(expandFragments(stored).replaceAll('\u0001', ',\n'));
    expect(joined).toBe('{"a":1,"steps":[{"name":"x","start_date":null}],"inputs":[{"pipeline_input_name":"in","data_type":"string","mapping_type":"run","mapping_value":{}}],"outputs":[]},\n{"b":"\\u0001 stays,"value":"}');
    expect(joined).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('leaves text without marks as it is, and refuses a separator that is a fragment mark', () => {
    expect(expandJoined('{"plain":"text $& $1"}', '\u0001', ',\n')).toBe('{"plain":"text $& $1"}');
    expect(expandFragments('{"plain":"text $& $1"}\u0012')).toBe('{"plain":"text $& $1"}{"name":"');
    expect(() => expandJoined('x', '\u0005', ',')).toThrow(/separator/);
  });
});
