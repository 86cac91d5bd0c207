// Deterministic executions for the bench page: the mix of a busy environment.
import type { ExecutionRow } from '../lib/executions.js';

const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'failed', 'running', 'pending', 'cancelled'];
const PIPELINES = ['train', 'train-large', 'evaluate', 'score', 'feature-build', 'retrain-nightly', 'backfill', 'export'];
const DEPLOYMENTS = ['prod-endpoint', 'nightly', 'hourly-score', 'staging', 'deploy-3'];
const USERS = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Edsger Dijkstra', 'Barbara Liskov', 'Local admin'];

/** A small, fast, seeded PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateExecutions(count: number, seed = 42): ExecutionRow[] {
  const next = random(seed);
  const end = Date.parse('2026-11-26T12:00:00Z');
  const span = 120 * 24 * 3600 * 1000;
  const rows: ExecutionRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const created = end - Math.floor((i / count) * span) - Math.floor(next() * 60_000);
    const status = STATUSES[Math.floor(next() * STATUSES.length)]!;
    const finished = status !== 'running' && status !== 'pending';
    rows[i] = {
      execution_id: `exec-${(count - i).toString(36).padStart(5, '0')}-${Math.floor(next() * 0xffffff).toString(16).padStart(6, '0')}`,
      status,
      pipeline_name: PIPELINES[Math.floor(next() * PIPELINES.length)]!,
      deployment_name: next() < 0.35 ? null : DEPLOYMENTS[Math.floor(next() * DEPLOYMENTS.length)]!,
      created_by: USERS[Math.floor(next() * USERS.length)]!,
      created_at: new Date(created).toISOString(),
      end_date: finished ? new Date(created + Math.floor(Math.pow(next(), 3) * 3_600_000) + 500).toISOString() : null,
    };
  }
  return rows;
}
