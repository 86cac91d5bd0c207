// Executions and their logs, in the shape the platform's Python SDK (craft-ai-sdk) reads: one stored
// form serves the SDK, the desktop and `craft`. The facts (key names, date formats) come from the
// published SDK's calls: get_pipeline_execution reads each input as {pipeline_input_name, data_type,
// mapping_type, mapping_value, value} and crashes without mapping_value (an object); each step carries
// where its code came from; log queries send epoch milliseconds.
import { z } from 'zod';
import { branchName, filePath, repositoryUrl, resourceName } from './rules.js';

export const EXECUTION_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const executionStatus = z.enum(EXECUTION_STATUSES, { error: `must be one of ${EXECUTION_STATUSES.join(', ')}` });
export type ExecutionStatus = z.infer<typeof executionStatus>;
export const FINAL_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'failed', 'cancelled'];

/** Allowed moves: pending → running → succeeded | failed | cancelled; pending → cancelled | failed. */
export const EXECUTION_TRANSITIONS: Record<ExecutionStatus, readonly ExecutionStatus[]> = {
  pending: ['running', 'cancelled', 'failed'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2024-05-01T12:00:00Z' });

// ——— inputs and outputs ———

/** The SDK's data types of a pipeline input or output. */
export const DATA_TYPES = ['string', 'number', 'boolean', 'json', 'array', 'file'] as const;
export type DataType = (typeof DATA_TYPES)[number];
/** Where an input's value came from (the SDK shows it as `source`). */
export const INPUT_SOURCES = ['constant', 'environment_variable', 'endpoint', 'datastore', 'is_null', 'run'] as const;
/** Where an output's value went (the SDK shows it as `destination`). */
export const OUTPUT_DESTINATIONS = ['endpoint', 'datastore', 'is_null', 'run'] as const;
/** The mapping_value key each mapping type needs (run: the value was given to the run itself, nothing to name). */
export const MAPPING_KEY: Record<string, string | null> = {
  constant: 'constant_value',
  environment_variable: 'environment_variable_name',
  endpoint: null, // endpoint_input_name or endpoint_output_name, by direction
  datastore: 'datastore_path',
  is_null: 'is_null',
  run: null,
};

export const IO_NAME_RULE = 'letters, digits, "_", "." and "-" only (the name is part of the SDK\'s URLs)';
const ioName = z
  .string({ error: 'is required' })
  .min(1, 'is required')
  .max(200, 'must be at most 200 characters')
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, `must contain ${IO_NAME_RULE}`);

const dataType = z.enum(DATA_TYPES, { error: `must be one of ${DATA_TYPES.join(', ')}` });
const mappingText = z.string({ error: 'must be a string' }).min(1, 'is required').max(1024, 'must be at most 1024 characters');

/** The data type a value is, as the SDK names them (an object: json). */
export function dataTypeOf(value: unknown): DataType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  return 'json';
}

/** Does a value fit its data type? null always does (an input given no value). */
export function valueFitsType(type: DataType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? null : 'must be a string (data_type string)';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number (data_type number)';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false (data_type boolean)';
    case 'array':
      return Array.isArray(value) ? null : 'must be a list (data_type array)';
    case 'json':
      return null;
    case 'file':
      return 'cannot be given: this platform keeps no file contents (record where the file is with mapping_type datastore and mapping_value.datastore_path)';
  }
}

export const MAX_VALUE_DEPTH = 32;
export const MAX_VALUE_BYTES = 64 * 1024;

/** Whether a JSON value nests more than `limit` arrays or objects, walked without recursion (a deep value must not overflow the stack here either). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > limit) return true;
    for (const child of Array.isArray(next.value) ? next.value : Object.values(next.value)) stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/** An input's or output's value: any JSON, bounded in depth and size (the platform stores and serves it whole). */
export const executionValue = z.unknown().superRefine((value, ctx) => {
  if (value === undefined) return;
  if (nestedDeeperThan(value, MAX_VALUE_DEPTH)) ctx.addIssue({ code: 'custom', message: `must be nested at most ${MAX_VALUE_DEPTH} levels deep` });
  else if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_VALUE_BYTES) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_VALUE_BYTES / 1024} KiB as JSON` });
});

/** A JSON value of an input, an output or a constant: bounded first, so a deep one never reaches a recursive check. */
const jsonValue = executionValue.pipe(z.json({ error: 'must be a JSON value' }));

/** Checks what a mapping type needs and that the value fits the data type. */
function checkIo(endpointKey: 'endpoint_input_name' | 'endpoint_output_name') {
  return (item: { data_type: DataType; mapping_type: string; mapping_value: Record<string, unknown>; value?: unknown }, ctx: z.RefinementCtx) => {
    const needed = item.mapping_type === 'endpoint' ? endpointKey : MAPPING_KEY[item.mapping_type];
    if (needed && item.mapping_value[needed] === undefined) ctx.addIssue({ code: 'custom', path: ['mapping_value', needed], message: `is required when mapping_type is ${item.mapping_type}` });
    const misfit = valueFitsType(item.data_type, item.value);
    if (misfit) ctx.addIssue({ code: 'custom', path: ['value'], message: misfit });
  };
}

/** Runner: one input of an execution (mapping_type run: the value was given to the run). */
export const inputRecordSchema = z
  .object({
    pipeline_input_name: ioName,
    data_type: dataType,
    mapping_type: z.enum(INPUT_SOURCES, { error: `must be one of ${INPUT_SOURCES.join(', ')}` }).default('run'),
    mapping_value: z
      .object({ constant_value: jsonValue, environment_variable_name: mappingText, endpoint_input_name: mappingText, datastore_path: mappingText, is_null: z.literal(true, { error: 'must be true' }), run_input_name: mappingText })
      .partial()
      .strict()
      .default({}),
    value: jsonValue.optional(),
  })
  .strict()
  .superRefine(checkIo('endpoint_input_name'));

/** Runner: one output of an execution. */
export const outputRecordSchema = z
  .object({
    pipeline_output_name: ioName,
    data_type: dataType,
    mapping_type: z.enum(OUTPUT_DESTINATIONS, { error: `must be one of ${OUTPUT_DESTINATIONS.join(', ')}` }).default('run'),
    mapping_value: z
      .object({ endpoint_output_name: mappingText, datastore_path: mappingText, is_null: z.literal(true, { error: 'must be true' }), run_output_name: mappingText })
      .partial()
      .strict()
      .default({}),
    value: jsonValue.optional(),
  })
  .strict()
  .superRefine(checkIo('endpoint_output_name'));

/** A list of inputs or outputs whose names are unique (the SDK fetches one by its name). */
function uniqueNames<T extends z.ZodType>(item: T, nameKey: 'pipeline_input_name' | 'pipeline_output_name', what: string) {
  return z
    .array(item)
    .max(200, `must have at most 200 ${what}`)
    .superRefine((items, ctx) => {
      const seen = new Set<unknown>();
      items.forEach((entry, i) => {
        const name = (entry as Record<string, unknown>)[nameKey];
        if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [i, nameKey], message: `is given twice: ${what} names are unique` });
        seen.add(name);
      });
    });
}

/** An input as the platform returns it (lenient on read: what was stored is shown, never refused). */
export const executionInputSchema = z.object({
  pipeline_input_name: z.string(),
  data_type: z.string(),
  mapping_type: z.string(),
  mapping_value: z.record(z.string(), z.unknown()),
  value: z.unknown().optional(),
});
export type ExecutionInput = z.infer<typeof executionInputSchema>;

export const executionOutputSchema = z.object({
  pipeline_output_name: z.string(),
  data_type: z.string(),
  mapping_type: z.string(),
  mapping_value: z.record(z.string(), z.unknown()),
  value: z.unknown().optional(),
});
export type ExecutionOutput = z.infer<typeof executionOutputSchema>;

// ——— steps ———

export const STEP_ORIGINS = ['git_repository', 'local'] as const;

/**
 * A step's statuses: an execution's, and `interrupted` — a step still pending or running when its
 * execution ended (the runner stopped reporting it), so no step of a finished execution runs forever.
 * The SDK returns steps untouched and reads no step status.
 */
export const STEP_STATUSES = [...EXECUTION_STATUSES, 'interrupted'] as const;
export const stepStatus = z.enum(STEP_STATUSES, { error: `must be one of ${STEP_STATUSES.join(', ')}` });
export type StepStatus = z.infer<typeof stepStatus>;

/**
 * The steps as an execution with this status holds them: once it has ended, a step still pending or
 * running is interrupted, and one that had started ends with the execution. Applied by the platform
 * when the execution ends, and by the desktop to executions it cached before the platform did.
 */
export function settledSteps<S extends { status: string; start_date: string | null; end_date: string | null }>(steps: S[], status: string, endDate: string | null): S[] {
  if (!(FINAL_STATUSES as readonly string[]).includes(status)) return steps;
  if (!steps.some((step) => step.status === 'pending' || step.status === 'running')) return steps;
  return steps.map((step) =>
    step.status === 'pending' || step.status === 'running'
      ? { ...step, status: 'interrupted', end_date: step.end_date ?? (step.start_date ? (endDate ?? step.start_date) : null) }
      : step,
  );
}

/** A step as a runner reports it; where its code came from defaults to the environment's settings (then the project's). */
export const stepSchema = z
  .object({
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  status: stepStatus,
  start_date: isoDate.nullable().default(null),
  end_date: isoDate.nullable().default(null),
    commit_id: z.string().regex(/^[0-9a-f]{7,64}$/i, 'must be a commit hash (7 to 64 hexadecimal digits)').nullable().optional(),
    repository_url: repositoryUrl.nullable().optional(),
    repository_branch: branchName.nullable().optional(),
    requirements_path: filePath.nullable().optional(),
    origin: z.enum(STEP_ORIGINS, { error: `must be one of ${STEP_ORIGINS.join(', ')}` }).nullable().optional(),
  })
  .strict();
export type StepInput = z.output<typeof stepSchema>;

export const executionStepSchema = z.object({
  name: z.string(),
  status: z.string(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  commit_id: z.string().nullable(),
  repository_url: z.string().nullable(),
  repository_branch: z.string().nullable(),
  requirements_path: z.string().nullable(),
  origin: z.string().nullable(),
});
export type ExecutionStep = z.infer<typeof executionStepSchema>;

// ——— executions ———

/** GET …/executions/{id}: what get_pipeline_execution reads. Dates are UTC ISO 8601. */
export const executionSchema = z.object({
  execution_id: z.string(),
  status: executionStatus,
  created_at: z.string(),
  created_by: z.string(),
  end_date: z.string().nullable(),
  pipeline_name: z.string(),
  deployment_name: z.string().nullable(),
  steps: z.array(executionStepSchema),
  inputs: z.array(executionInputSchema),
  outputs: z.array(executionOutputSchema),
});
export type Execution = z.infer<typeof executionSchema>;

/** Runner: create an execution (status pending) with its inputs. */
export const executionCreateSchema = z
  .object({
    pipeline_name: resourceName,
    deployment_name: resourceName.optional(),
    steps: z.array(stepSchema).max(200, 'must have at most 200 steps').default([]),
    inputs: uniqueNames(inputRecordSchema, 'pipeline_input_name', 'inputs').default([]),
  })
  .strict();

/** Runner: move an execution through its statuses, report steps and outputs. */
export const executionUpdateSchema = z
  .object({
    status: executionStatus,
    steps: z.array(stepSchema).max(200, 'must have at most 200 steps'),
    outputs: uniqueNames(outputRecordSchema, 'pipeline_output_name', 'outputs'),
  })
  .partial()
  .strict();

/** GET …/executions/{id}?include_io_values=false: the SDK asks for the list without values, then one value. */
export const executionQuerySchema = z
  .object({ include_io_values: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true') })
  .strict();

/** GET …/executions/{id}/outputs: what retrieve_pipeline_execution_outputs reads. */
export const executionOutputsSchema = z.object({ execution_id: z.string(), status: executionStatus, outputs: z.array(executionOutputSchema) });

/** ?wait_for_completion=true: the SDK asks again at once after a 307, so the platform holds the answer a while first. */
export const waitQuerySchema = z
  .object({ wait_for_completion: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false') })
  .strict();

// ——— logs ———

export const logLineSchema = z.object({ timestamp: z.string(), message: z.string() });
export type LogLine = z.infer<typeof logLineSchema>;

/** Runner: append log lines. */
export const logAppendSchema = z
  .object({
    lines: z
      .array(z.object({ timestamp: isoDate.optional(), message: z.string().max(64 * 1024, 'must be at most 64 KiB') }).strict())
      .min(1, 'needs at least one line')
      .max(1000, 'must have at most 1000 lines per call'),
  })
  .strict();

const LOG_BOUND_RULE = 'must be epoch milliseconds (an integer, as the SDK sends) or an ISO 8601 date-time';
/** A bound of a log query: epoch milliseconds (the SDK's get_pipeline_execution_logs) or an ISO 8601 date-time; always an ISO string after parsing. */
const logBound = z
  .union([z.number({ error: LOG_BOUND_RULE }).int(LOG_BOUND_RULE).min(0, LOG_BOUND_RULE).max(8.64e15, LOG_BOUND_RULE), z.iso.datetime({ offset: true, error: LOG_BOUND_RULE })], { error: LOG_BOUND_RULE })
  .transform((bound) => new Date(bound).toISOString());

/** POST /executions/{id}/logs: the SDK's log query {from?, to?, limit?} — from included, to excluded. */
export const logQuerySchema = z
  .object({
    from: logBound.optional(),
    to: logBound.optional(),
    limit: z.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').default(1000),
  })
  .strict()
  .default({ limit: 1000 });

/** The answer: a list of log lists (the SDK returns its first element), oldest line first. */
export const executionLogsSchema = z.array(z.array(logLineSchema));

export const EXECUTION_SORTS = ['created_at', '-created_at'] as const;

/** The filtered, sorted, cursor-paginated execution list (query string). */
export const executionListQuerySchema = z
  .object({
    status: executionStatus.optional(),
    pipeline_name: z.string().max(63, 'must be at most 63 characters').optional(),
    deployment_name: z.string().max(63, 'must be at most 63 characters').optional(),
    created_by: z.string().max(100, 'must be at most 100 characters').optional(),
    created_after: isoDate.optional(),
    created_before: isoDate.optional(),
    sort: z.enum(EXECUTION_SORTS, { error: `must be one of ${EXECUTION_SORTS.join(', ')}` }).default('-created_at'),
    limit: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(100),
    cursor: z.string().max(100, 'is not a cursor from a previous page').regex(/^[0-9]+$/, 'is not a cursor from a previous page').optional(),
    /** Incremental feed: executions created or changed after this cursor (from a previous answer's changes_cursor). */
    since: z.string().max(20, 'is not a cursor from a previous answer').regex(/^[0-9]+$/, 'is not a cursor from a previous answer').optional(),
  })
  .strict();

export const executionPageSchema = z.object({
  items: z.array(executionSchema),
  next_cursor: z.string().nullable(),
  changes_cursor: z.string(),
});
