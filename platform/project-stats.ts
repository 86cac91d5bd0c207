// Per-project figures shown on the Homepage cards: environment count, last execution status.
import type { PlatformContext } from './context.js';

export interface ProjectStats {
  environment_count: number;
  last_execution_status: string | null;
}

export async function projectStats(ctx: PlatformContext, ids: string[]): Promise<Map<string, ProjectStats>> {
  const stats = new Map<string, ProjectStats>(ids.map((id) => [id, { environment_count: 0, last_execution_status: null }]));
  if (ids.length === 0) return stats;
  const environments = await ctx.db.selectFrom('environments').select(['id', 'project_id']).where('project_id', 'in', ids).execute();
  const latest = new Map<string, number>();
  for (const env of environments) {
    stats.get(env.project_id)!.environment_count++;
    // One index lookup per environment: the newest execution.
    const last = await ctx.db.selectFrom('executions').select(['id', 'status']).where('environment_id', '=', env.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (last && Number(last.id) > (latest.get(env.project_id) ?? 0)) {
      latest.set(env.project_id, Number(last.id));
      stats.get(env.project_id)!.last_execution_status = last.status;
    }
  }
  return stats;
}
