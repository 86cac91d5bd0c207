// Per-project figures shown on the Homepage cards: environment count, last execution status.
import type { PlatformContext } from './context.js';

export interface ProjectStats {
  environment_count: number;
  last_execution_status: string | null;
}

/** Filled once environments and executions exist; until then, zero and null. */
export async function projectStats(_ctx: PlatformContext, ids: string[]): Promise<Map<string, ProjectStats>> {
  return new Map(ids.map((id) => [id, { environment_count: 0, last_execution_status: null }]));
}
