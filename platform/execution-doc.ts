// An execution's API JSON, written once per change and stored with the row (column `doc`): the only
// copy of its steps, inputs and outputs, so a page is read as strings and sent without re-encoding.
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
  return (
    `{"execution_id":${text(row.execution_id)},"status":${text(row.status)},"created_at":${text(row.created_at)},"created_by":${text(row.created_by)},` +
    `"end_date":${text(row.end_date)},"pipeline_name":${text(row.pipeline_name)},"deployment_name":${text(row.deployment_name)},` +
    `"steps":${JSON.stringify(row.steps)},"inputs":${JSON.stringify(row.inputs)},"outputs":${JSON.stringify(row.outputs)}}`
  );
}

/** The execution a stored document holds. */
export function parseExecutionDoc(doc: string): Execution {
  return JSON.parse(doc) as Execution;
}
