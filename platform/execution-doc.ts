// An execution's API JSON, written once per change and stored with the row (column `doc`): the only
// copy of its steps, inputs and outputs, so a page is read as strings and sent without re-encoding.
// Stored compactly (about a third of its text): the fields before "steps" come from the row's columns,
// the steps' common source (where their code comes from, the same for every step) is kept once in
// execution_step_sources, and the fragments every step, input and output repeats (keys, mostly) are one
// control character each (JSON text never holds one unescaped): twelve, about 140 B an execution less
// than three. A list page leaves them to one pass over its whole text in V8 (expandFragments: a replace()
// per row and fragment in the database cost ~1 ms a 100-row page); one execution is expanded by the database.
// The database puts the rest of the document back together (executionDocSqlText), so a page is still
// one string_agg of documents.
import { sql, type RawBuilder } from 'kysely';
import type { Execution, ExecutionInput, ExecutionOutput, ExecutionStep } from '../domain/execution.js';
import type { Dialect } from './db/database.js';

export interface ExecutionDocFields {
  execution_id: string;
  status: string;
  created_at: string;
  created_by: string;
  end_date: string | null;
  pipeline_name: string;
  deployment_name: string | null;
  steps: ExecutionStep[];
  inputs: ExecutionInput[];
  outputs: ExecutionOutput[];
}

const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));

function head(row: ExecutionDocFields): string {
  return (
    `{"execution_id":${text(row.execution_id)},"status":${text(row.status)},"created_at":${text(row.created_at)},"created_by":${text(row.created_by)},` +
    `"end_date":${text(row.end_date)},"pipeline_name":${text(row.pipeline_name)},"deployment_name":${text(row.deployment_name)},`
  );
}

const body = (row: ExecutionDocFields, steps: string[]) => `"steps":[${steps.join(',')}],"inputs":${JSON.stringify(row.inputs)},"outputs":${JSON.stringify(row.outputs)}}`;

/** The JSON of an execution, keys in the order the API documents them. */
export function executionDoc(row: ExecutionDocFields): string {
  return head(row) + body(row, row.steps.map((step) => JSON.stringify(step)));
}

/** The execution a stored document holds. */
export function parseExecutionDoc(doc: string): Execution {
  return JSON.parse(doc) as Execution;
}

/** Where a step's source goes in a stored document. */
const SOURCE_MARK = '\u0002';

/**
 * What the stored form writes as one character (never change it: stored documents use it; migration
 * 0011 holds the same list). Encoded in this order, decoded in the reverse one: exact both ways.
 */
const DICTIONARY: readonly (readonly [string, string])[] = [
  ['\u0005', '","start_date":'],
  ['\u0007', '{"pipeline_input_name":"'],
  ['\u000f', '","mapping_type":"run","mapping_value":{}'],
  // Since migration 0013 (which holds the same list): encoded after the three above, so a document
  // stored before it still decodes.
  ['\u0003', '{"pipeline_output_name":"'],
  ['\u0004', '","data_type":"'],
  ['\u0006', '],"outputs":['],
  ['\u0008', '],"inputs":['],
  ['\u000e', '","status":"'],
  ['\u0010', ',"end_date":'],
  ['\u0011', '"steps":['],
  ['\u0012', '{"name":"'],
  ['\u0013', ',"value":'],
];

/** Each mark's fragment, by its character code. */
const FRAGMENT_OF: (string | undefined)[] = [];
for (const [mark, fragment] of DICTIONARY) FRAGMENT_OF[mark.charCodeAt(0)] = fragment;

/** The source keys of a step, last in its JSON. */
const SOURCE_KEYS = ['commit_id', 'repository_url', 'repository_branch', 'requirements_path', 'origin'] as const;

const isoOf = (ms: number) => new Date(ms).toISOString();

export interface StoredExecutionDoc {
  /** steps, inputs and outputs, compacted. */
  doc: string;
  /** The text of the steps' common source (execution_step_sources), null when no step has it. */
  source: string | null;
  /** The document's start as text, when the columns cannot give it (a creator unknown here, a date not in ISO form). */
  head: string | null;
  created_ms: number;
  end_ms: number | null;
}

/** The stored form (executionDocSqlText of it === executionDoc(row), byte for byte). creatorKnown: the creator has a users row. */
export function storedExecutionDoc(row: ExecutionDocFields, creatorKnown: boolean): StoredExecutionDoc {
  const created_ms = Date.parse(row.created_at);
  const end_ms = row.end_date === null ? null : Date.parse(row.end_date);
  const plain = (value: string | null) => value === null || text(value) === `"${value}"`;
  const fromColumns =
    creatorKnown && plain(row.execution_id) && plain(row.status) && plain(row.pipeline_name) && plain(row.deployment_name) && plain(row.created_by) &&
    isoOf(created_ms) === row.created_at && (end_ms === null || isoOf(end_ms) === row.end_date);
  const first = row.steps[0];
  const source = first ? `,${JSON.stringify(Object.fromEntries(SOURCE_KEYS.map((key) => [key, first[key]]))).slice(1, -1)}` : null;
  const ending = `${source}}`;
  let marked = false;
  const steps = row.steps.map((step) => {
    const json = JSON.stringify(step);
    if (source === null || !json.endsWith(ending)) return json;
    marked = true;
    return `${json.slice(0, -ending.length)}${SOURCE_MARK}}`;
  });
  let doc = body(row, steps);
  for (const [mark, fragment] of DICTIONARY) doc = doc.replaceAll(fragment, mark);
  return { doc, source: marked ? source : null, head: fromColumns ? null : head(row), created_ms, end_ms };
}

/**
 * An epoch-milliseconds SQL expression (an integer column) as toISOString writes it, years 1 to 9999.
 * PostgreSQL: whole seconds and milliseconds added apart (to_timestamp of ms / 1000.0, a double, was a
 * millisecond off before about 1900 and after 2250). SQLite: date() and printf of the time of day take
 * 0.37 µs a date less than strftime (75 ms of the platform's 1.0–1.9 s of CPU for a sync of 100k),
 * exact from 1970 on; before it integer division truncates towards zero, so strftime writes those.
 */
export const isoSql = (dialect: Dialect, ms: string) =>
  dialect === 'postgres'
    ? `to_char(timestamp '1970-01-01' + (${ms} / 1000) * interval '1 second' + (${ms} % 1000) * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `CASE WHEN ${ms} >= 0 THEN date(${ms} / 1000, 'unixepoch') || printf('T%02d:%02d:%02d.%03dZ', ${ms} / 3600000 % 24, ${ms} / 60000 % 60, ${ms} / 1000 % 60, ${ms} % 1000) ` +
      `ELSE strftime('%Y-%m-%dT%H:%M:%fZ', ${ms} / 1000.0, 'unixepoch') END`;

/**
 * The API JSON of the execution in the row `table` (the table's name or alias) from its stored form, as SQL
 * text: a page is still the database's concatenation of documents. `fragments: 'left'` leaves the
 * one-character fragments for the caller to expand (expandFragments) in the page's whole text at once:
 * a replace() per row and fragment costs the database about 1 ms a 100-row page, the same in V8 on the
 * page's text a few microseconds.
 */
export function executionDocSqlText(dialect: Dialect, table = 'executions', options: { fragments?: 'expanded' | 'left' } = {}): string {
  const t = table;
  const start =
    `coalesce(${t}.head, '{"execution_id":"' || ${t}.execution_id || '","status":"' || ${t}.status || '","created_at":"' || ${isoSql(dialect, `${t}.created_ms`)} || ` +
    `'","created_by":"' || (SELECT u.id FROM users u WHERE u.seq = ${t}.creator_seq) || '","end_date":' || coalesce('"' || ${isoSql(dialect, `${t}.end_ms`)} || '"', 'null') || ` +
    `',"pipeline_name":"' || ${t}.pipeline_name || '","deployment_name":' || coalesce('"' || ${t}.deployment_name || '"', 'null') || ',')`;
  let rest = `replace(${t}.doc, '${SOURCE_MARK}', coalesce((SELECT s.source FROM execution_step_sources s WHERE s.id = ${t}.step_source_id), ''))`;
  if (options.fragments !== 'left') {
    for (const [mark, fragment] of [...DICTIONARY].reverse()) rest = `replace(${rest}, '${mark}', '${fragment.replaceAll("'", "''")}')`;
  }
  return `(${start} || ${rest})`;
}

export function executionDocSql(dialect: Dialect, table = 'executions', options: { fragments?: 'expanded' | 'left' } = {}): RawBuilder<string> {
  return sql<string>`${sql.raw(executionDocSqlText(dialect, table, options))}`;
}

/** A character class of the given one-character marks, for a global RegExp. */
const classOf = (marks: string[]) => new RegExp(`[${marks.map((m) => `\\u${m.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`, 'g');
const MARKS = classOf(DICTIONARY.map(([mark]) => mark));
const fragmentOf = (mark: string) => FRAGMENT_OF[mark.charCodeAt(0)]!;

/**
 * Documents read with `fragments: 'left'`, expanded: safe on any JSON text, which never holds a control
 * character unescaped. One pass over the text (no fragment holds a mark, so this is the reverse of the
 * encoding's replacements): the cost stays that of reading the page once, however many fragments.
 * One native RegExp scan that builds a flat string: a character loop joining slices built a rope that the
 * socket's write then flattened again (about a third more CPU on a 100 KB page).
 */
export function expandFragments(text: string): string {
  return text.replace(MARKS, fragmentOf);
}

const joinedBy = new Map<string, { marks: RegExp; expand: (mark: string) => string }>();

/**
 * expandFragments, and in the same pass each `separator` (a control character no fragment uses: the
 * one a page's documents are aggregated with) becomes `joiner`.
 */
export function expandJoined(text: string, separator: string, joiner: string): string {
  const key = `${separator}${joiner}`;
  let found = joinedBy.get(key);
  if (!found) {
    if (separator.length !== 1 || separator.charCodeAt(0) >= 0x20 || FRAGMENT_OF[separator.charCodeAt(0)] !== undefined || separator === SOURCE_MARK) throw new Error('expandJoined: the separator must be a control character no fragment uses');
    const code = separator.charCodeAt(0);
    found = { marks: classOf([...DICTIONARY.map(([mark]) => mark), separator]), expand: (mark) => (mark.charCodeAt(0) === code ? joiner : FRAGMENT_OF[mark.charCodeAt(0)]!) };
    joinedBy.set(key, found);
  }
  return text.replace(found.marks, found.expand);
}
