// Executions and their logs, in the shape the platform's Python SDK returns.
import { z } from 'zod';
import { resourceName } from './rules.js';

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

export const stepSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  status: executionStatus,
  start_date: isoDate.nullable().default(null),
  end_date: isoDate.nullable().default(null),
});

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

export const ioSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  data_type: z.string().max(100).optional(),
  value: executionValue.optional(),
});

export const executionSchema = z.object({
  execution_id: z.string(),
  status: executionStatus,
  created_at: z.string(),
  created_by: z.string(),
  end_date: z.string().nullable(),
  pipeline_name: z.string(),
  deployment_name: z.string().nullable(),
  steps: z.array(z.object({ name: z.string(), status: z.string(), start_date: z.string().nullable(), end_date: z.string().nullable() })),
  inputs: z.array(z.object({ name: z.string(), data_type: z.string().optional(), value: z.unknown().optional() })),
  outputs: z.array(z.object({ name: z.string(), data_type: z.string().optional(), value: z.unknown().optional() })),
});
export type Execution = z.infer<typeof executionSchema>;

/** Runner: create an execution (status pending). */
export const executionCreateSchema = z
  .object({
    pipeline_name: resourceName,
    deployment_name: resourceName.optional(),
    steps: z.array(stepSchema).max(200, 'must have at most 200 steps').default([]),
    inputs: z.array(ioSchema).max(200, 'must have at most 200 inputs').default([]),
  })
  .strict();

/** Runner: move an execution through its statuses, report steps and outputs. */
export const executionUpdateSchema = z
  .object({
    status: executionStatus,
    steps: z.array(stepSchema).max(200, 'must have at most 200 steps'),
    outputs: z.array(ioSchema).max(200, 'must have at most 200 outputs'),
  })
  .partial()
  .strict();

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

/** POST /executions/{id}/logs: the SDK's log query. */
export const logQuerySchema = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: z.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').default(1000),
  })
  .strict()
  .default({ limit: 1000 });

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
