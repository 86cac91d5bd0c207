// Deployments of an environment: one store behind the project routes the desktop uses.
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Deployment } from '../domain/environment.js';
import type { PlatformContext } from './context.js';
import { iso } from './context.js';
import type { DeploymentsTable, EnvironmentsTable } from './db/schema.js';
import { isUniqueViolation } from './db/errors.js';
import { changesList, recordChange } from './changes.js';

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
    await trx.updateTable('deployments').set({ ...set, updated_at: now }).where('id', '=', row.id).execute();
  });
  return deploymentOut({ ...row, ...set, updated_at: now }, env.name);
}

/** Deletes a deployment; its executions stay, naming it. */
export async function deleteDeployment(ctx: PlatformContext, env: EnvironmentsTable, row: DeploymentsTable): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await recordChange(trx, ctx, { resource: 'deployment', key: row.name, project_id: env.project_id, environment_id: env.id, op: 'delete' });
    await trx.deleteFrom('deployments').where('id', '=', row.id).execute();
  });
}
