// Per-project figures shown on the Homepage cards: environment count, last execution status.
import type { PlatformContext } from './context.js';

export interface ProjectStats {
  environment_count: number;
  last_execution_status: string | null;
}

/** Two queries whatever the number of projects: each environment with its newest execution (an index lookup each). */
export async function projectStats(ctx: PlatformContext, ids: string[]): Promise<Map<string, ProjectStats>> {
  const stats = new Map<string, ProjectStats>(ids.map((id) => [id, { environment_count: 0, last_execution_status: null }]));
  if (ids.length === 0) return stats;
  const latest = new Map<string, number>();
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await ctx.db
      .selectFrom('environments')
      .leftJoin('executions', (join) =>
        join.on((eb) =>
          eb(
            'executions.id',
            '=',
            eb.selectFrom('executions as newest').select('newest.id').whereRef('newest.environment_seq', '=', 'environments.seq').orderBy('newest.created_ms', 'desc').orderBy('newest.id', 'desc').limit(1),
          ),
        ),
      )
      .select(['environments.project_id', 'executions.id as execution_seq', 'executions.status'])
      .where('environments.project_id', 'in', ids.slice(start, start + 500))
      .execute();
    for (const row of rows) {
      const entry = stats.get(row.project_id)!;
      entry.environment_count++;
      if (row.execution_seq !== null && Number(row.execution_seq) > (latest.get(row.project_id) ?? 0)) {
        latest.set(row.project_id, Number(row.execution_seq));
        entry.last_execution_status = row.status;
      }
    }
  }
  return stats;
}
