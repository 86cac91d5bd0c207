// Prometheus metrics (prom-client), for a team platform that sets a metrics token: requests and
// latency by route, server errors, the database pool, and the process's own (memory, event loop).
// Each platform gets a registry of its own (tests build several in one process).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from './db/database.js';
import { bearerToken } from './auth.js';

export interface Metrics {
  registry: Registry;
  /** Whether this request carries the metrics token. */
  authorized(request: FastifyRequest): boolean;
  /** Counts a request that failed with a server error (an internal failure, not a refusal). */
  countServerError(request: FastifyRequest): void;
}

/** The route's pattern (never the concrete path: ids and names would make a series per value). */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function createMetrics(app: FastifyInstance, options: { token: string; poolStats?: (() => PoolStats) | undefined }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'craft_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'craft_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const serverErrors = new Counter({
    name: 'craft_http_server_errors_total',
    help: 'Requests that failed inside the platform (answered 500), by method and route pattern',
    labelNames: ['method', 'route'] as const,
    registers: [registry],
  });
  const poolStats = options.poolStats;
  if (poolStats) {
    new Gauge({
      name: 'craft_db_pool_connections',
      help: 'Database pool connections: total open, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = poolStats();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }

  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  const expected = digest(options.token);
  return {
    registry,
    authorized(request) {
      const token = bearerToken(request);
      return token !== null && timingSafeEqual(digest(token), expected);
    },
    countServerError(request) {
      serverErrors.inc({ method: request.method, route: routeOf(request) });
    },
  };
}
