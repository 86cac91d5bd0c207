// An execution's API JSON, written once per change and stored with the row (column `doc`).
export interface ExecutionDocFields {
  execution_id: string;
  status: string;
  created_at: string;
  created_by: string;
  end_date: string | null;
  pipeline_name: string;
  deployment_name: string | null;
  steps: string; // JSON text
  inputs: string; // JSON text
  outputs: string; // JSON text
}

const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));

/** The JSON of an execution; its JSON columns are our own JSON.stringify output, passed through unparsed. */
export function executionDoc(row: ExecutionDocFields): string {
  return (
    `{"execution_id":${text(row.execution_id)},"status":${text(row.status)},"created_at":${text(row.created_at)},"created_by":${text(row.created_by)},` +
    `"end_date":${text(row.end_date)},"pipeline_name":${text(row.pipeline_name)},"deployment_name":${text(row.deployment_name)},` +
    `"steps":${row.steps},"inputs":${row.inputs},"outputs":${row.outputs}}`
  );
}
