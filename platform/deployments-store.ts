// Deployments of an environment: one store behind two routes — the project routes the desktop uses and
// the environment API's, in the shape the Python SDK reads (list_deployments, get_deployment).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AppError } from '../domain/errors.js';
import { DEPLOYMENT_MODE, describeCron, type Deployment, type sdkDeploymentItemSchema, type sdkDeploymentSchema, SDK_DEPLOYMENT_STATUSES } from '../domain/environment.js';
import type { Execution } from '../domain/execution.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import type { DeploymentsTable, EnvironmentsTable } from './db/schema.js';
import { isUniqueViolation } from './db/errors.js';
import { changesList, recordChange } from './changes.js';
import { newestDeploymentExecution } from './executions-store.js';

export function deploymentOut(row: DeploymentsTable, environmentName: string): Deployment {
  return {
    name: row.name,
    environment_name: environmentName,
    pipeline_name: row.pipeline_name,
    type: row.type,
    enabled: row.enabled === 1,
    status: row.status,
    schedule: row.schedule,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
  };
}

/** Our status in the SDK's words: a disabled deployment is "disabled" whatever else; one that is down waits in "standby". */
export function sdkDeploymentStatus(row: DeploymentsTable): (typeof SDK_DEPLOYMENT_STATUSES)[number] {
  if (row.status === 'failed') return 'creation_failed';
  if (row.status === 'creating') return 'creation_pending';
  if (row.enabled !== 1) return 'disabled';
  return row.status === 'down' ? 'standby' : 'up';
}

export function sdkDeploymentItem(row: DeploymentsTable): z.input<typeof sdkDeploymentItemSchema> {
  return {
    name: row.name,
    pipeline_name: row.pipeline_name,
    execution_rule: row.type,
    mode: DEPLOYMENT_MODE,
    is_enabled: row.enabled === 1,
    status: sdkDeploymentStatus(row),
    created_at: row.created_at,
  };
}

export function sdkDeployment(row: DeploymentsTable): z.input<typeof sdkDeploymentSchema> {
  const { pipeline_name, ...item } = sdkDeploymentItem(row);
  return {
    ...item,
    pipeline: { name: pipeline_name },
    // This platform records what runs elsewhere: a deployment maps no inputs or outputs and has no description.
    description: null,
    inputs_mapping: [],
    outputs_mapping: [],
    ...(row.type === 'periodic' && row.schedule ? { schedule: row.schedule, human_readable_schedule: describeCron(row.schedule) } : {}),
    created_by: row.created_by,
    updated_at: row.updated_at,
    updated_by: row.updated_by ?? row.created_by,
  };
}

/** The deployments of an environment, by name. */
export async function environmentDeployments(ctx: PlatformContext, env: EnvironmentsTable): Promise<DeploymentsTable[]> {
  return ctx.db.selectFrom('deployments').selectAll().where('environment_id', '=', env.id).orderBy('name').execute();
}

/** A deployment's newest execution (null when it has none yet). */
export async function latestDeploymentExecution(ctx: PlatformContext, env: EnvironmentsTable, deploymentName: string): Promise<Execution | null> {
  return newestDeploymentExecution(ctx, env.id, deploymentName);
}

/** Waits a while (the policy's long poll) for a deployment being created to reach a final status; the row as it is then. */
export async function waitForDeployment(ctx: PlatformContext, env: EnvironmentsTable, name: string, signal?: AbortSignal): Promise<DeploymentsTable> {
  const until = Date.now() + ctx.policy.longPollSeconds * 1000;
  for (;;) {
    const row = await loadDeployment(ctx, env, name);
    if (row.status !== 'creating' || Date.now() >= until || signal?.aborted) return row;
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, until - Date.now()))));
  }
}

export async function loadDeployment(ctx: PlatformContext, env: EnvironmentsTable, name: string): Promise<DeploymentsTable> {
  const row = await ctx.db.selectFrom('deployments').selectAll().where('environment_id', '=', env.id).where('name', '=', name).executeTakeFirst();
  if (!row) throw new AppError('not_found', `deployment ${name} does not exist in environment ${env.name}`);
  return row;
}

export async function listDeployments(ctx: PlatformContext, env: EnvironmentsTable, since: number | undefined) {
  const { rows, deleted, cursor } = await changesList(ctx.db, {
    resource: 'deployment',
    since,
    scope: { environment_id: env.id },
    rows: (names) => {
      let query = ctx.db.selectFrom('deployments').selectAll().where('environment_id', '=', env.id).orderBy('name');
      if (names) query = query.where('name', 'in', names);
      return query.execute();
    },
  });
  return { items: rows.map((row) => deploymentOut(row, env.name)), deleted, cursor };
}

export async function createDeployment(
  ctx: PlatformContext,
  userId: string,
  env: EnvironmentsTable,
  input: { name: string; pipeline_name: string; type: DeploymentsTable['type']; enabled: boolean; schedule?: string | undefined },
): Promise<Deployment> {
  const now = iso(ctx.now());
  const row: DeploymentsTable = {
    id: randomUUID(),
    environment_id: env.id,
    name: input.name,
    pipeline_name: input.pipeline_name,
    type: input.type,
    enabled: input.enabled ? 1 : 0,
    status: 'up',
    schedule: input.schedule ?? null,
    created_at: now,
    created_by: userId,
    updated_at: now,
    updated_by: userId,
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await recordChange(trx, ctx, { resource: 'deployment', key: row.name, project_id: env.project_id, environment_id: env.id, op: 'upsert' });
      await trx.insertInto('deployments').values(row).execute();
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', `name: this environment already has a deployment named ${input.name}`, 'name');
    throw error;
  }
  return deploymentOut(row, env.name);
}

export async function updateDeployment(
  ctx: PlatformContext,
  userId: string,
  env: EnvironmentsTable,
  row: DeploymentsTable,
  input: { enabled?: boolean | undefined; schedule?: string | undefined; status?: DeploymentsTable['status'] | undefined },
): Promise<Deployment> {
  const { enabled, schedule, status } = input;
  if (schedule !== undefined && row.type !== 'periodic') throw new AppError('validation', 'schedule: is only for periodic deployments', 'schedule');
  const set = {
    ...(enabled !== undefined ? { enabled: enabled ? 1 : 0 } : {}),
    ...(schedule !== undefined ? { schedule } : {}),
    ...(status !== undefined ? { status } : {}),
  };
  if (Object.keys(set).length === 0) return deploymentOut(row, env.name);
  const now = iso(ctx.now());
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'deployment', key: row.name, project_id: env.project_id, environment_id: env.id, op: 'upsert' });
    await trx.updateTable('deployments').set({ ...set, updated_at: now, updated_by: userId }).where('id', '=', row.id).execute();
  });
  return deploymentOut({ ...row, ...set, updated_at: now, updated_by: userId }, env.name);
}

/** Deletes a deployment; its executions stay, naming it. */
export async function deleteDeployment(ctx: PlatformContext, env: EnvironmentsTable, row: DeploymentsTable): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'deployment', key: row.name, project_id: env.project_id, environment_id: env.id, op: 'delete' });
    await trx.deleteFrom('deployments').where('id', '=', row.id).execute();
  });
}
