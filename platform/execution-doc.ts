// An execution's API JSON, written once per change and stored with the row (column `doc`): the only
// copy of its steps, inputs and outputs, so a page is read as strings and sent without re-encoding.
// Stored without what the row's columns already hold (execution_id, status) and with the steps' common
// source (where their code comes from, the same for every step of an execution) kept once in
// execution_step_sources: the database puts the document back together (executionDocSql).
import { sql, type RawBuilder } from 'kysely';
import type { Execution, ExecutionInput, ExecutionOutput, ExecutionStep } from '../domain/execution.js';

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

/** The JSON of an execution, keys in the order the API documents them. */
export function executionDoc(row: ExecutionDocFields): string {
  return `{"execution_id":${text(row.execution_id)},"status":${text(row.status)},${docTail(row, row.steps.map((step) => JSON.stringify(step)))}`;
}

/** The execution a stored document holds. */
export function parseExecutionDoc(doc: string): Execution {
  return JSON.parse(doc) as Execution;
}

/** Where a step's source goes in a stored document: a control character, which JSON text never holds unescaped. */
export const SOURCE_MARK = '\u0002';

function docTail(row: ExecutionDocFields, steps: string[]): string {
  return (
    `"created_at":${text(row.created_at)},"created_by":${text(row.created_by)},"end_date":${text(row.end_date)},"pipeline_name":${text(row.pipeline_name)},` +
    `"deployment_name":${text(row.deployment_name)},"steps":[${steps.join(',')}],"inputs":${JSON.stringify(row.inputs)},"outputs":${JSON.stringify(row.outputs)}}`
  );
}

/** The source keys of a step, last in its JSON. */
const SOURCE_KEYS = ['commit_id', 'repository_url', 'repository_branch', 'requirements_path', 'origin'] as const;

/**
 * The stored form: the document after execution_id and status (the columns put them back), each step
 * whose JSON ends with the first step's source keeping SOURCE_MARK in its place, and that source's text
 * (null when no step has one). Byte for byte: executionDocSql(stored) === executionDoc(row).
 */
export function storedExecutionDoc(row: ExecutionDocFields): { doc: string; source: string | null } {
  // The prefix the database writes holds the two values unescaped: true of generated ids and of the statuses.
  if (text(row.execution_id) !== `"${row.execution_id}"` || text(row.status) !== `"${row.status}"`) throw new Error(`execution_id: ${row.execution_id} cannot be stored (characters JSON escapes)`);
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
  return { doc: docTail(row, steps), source: marked ? source : null };
}

/**
 * The API JSON of the execution in the row `table` (the table's name or alias) from its stored form, as SQL
 * text both dialects run: a page is still the database's concatenation of documents.
 */
export function executionDocSqlText(table = 'executions'): string {
  return (
    `('{"execution_id":"' || ${table}.execution_id || '","status":"' || ${table}.status || '",' || ` +
    `replace(${table}.doc, '${SOURCE_MARK}', coalesce((SELECT s.source FROM execution_step_sources s WHERE s.id = ${table}.step_source_id), '')))`
  );
}

export function executionDocSql(table = 'executions'): RawBuilder<string> {
  return sql<string>`${sql.raw(executionDocSqlText(table))}`;
}
