// /healthz, /readyz, /metrics: what a load balancer, an orchestrator and Prometheus ask a team platform.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PlatformContext } from '../context.js';
import { migrationStatus } from '../db/database.js';
import type { Metrics } from '../metrics.js';
import { routesOf } from './register.js';

export function operationsRoutes(app: FastifyInstance, ctx: PlatformContext, metrics: Metrics | null): void {
  const route = routesOf(app, ctx);

  route('health', async () => ({ status: 'alive' as const }));

  route('readiness', async (_request, reply) => {
    let migrations: { applied: number; expected: number };
    try {
      migrations = await migrationStatus(ctx.db, ctx.dialect);
    } catch (error) {
      reply.code(503);
      return { status: 'not_ready' as const, reason: `the database does not answer: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (migrations.applied !== migrations.expected) {
      reply.code(503);
      return { status: 'not_ready' as const, reason: 'the database misses migrations of this version: restart the platform to apply them', migrations };
    }
    return { status: 'ready' as const, migrations };
  });

  route('metrics', async (request, reply) => {
    if (!metrics) throw new AppError('not_found', 'metrics are off: start the platform with CRAFT_METRICS_TOKEN and scrape with it as a bearer token');
    if (!metrics.authorized(request)) throw new AppError('unauthorized', 'authorization: send "Authorization: Bearer <the metrics token>" (CRAFT_METRICS_TOKEN)');
    reply.header('content-type', metrics.registry.contentType);
    return reply.send(await metrics.registry.metrics());
  });
}
