// Builds the Fastify app: validation, errors, OpenAPI, the route modules.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyError, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, errorCodeOfStatus, HTTP_STATUS, SDK_ERROR_NAMES, type ApiError } from '../domain/errors.js';
import type { PlatformContext } from './context.js';
import { zodValidatorCompiler } from './validation.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { projectRoutes } from './routes/projects.js';
import { settingsRoutes } from './routes/settings.js';
import { accessRequestRoutes } from './routes/access-requests.js';
import { environmentRoutes } from './routes/environments.js';
import { deploymentRoutes } from './routes/deployments.js';
import { environmentApiRoutes } from './routes/environment-api.js';
import { registerEndpoint } from './routes/register.js';
import { notProvidedRoutes } from './routes/not-provided.js';
import { operationsRoutes } from './routes/operations.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { PoolStats } from './db/database.js';

/** The environment API's errors also carry what the Python SDK shows: "[name] message", then "Request id: …". */
function errorBody(request: FastifyRequest, body: ApiError): ApiError {
  if (!request.url.startsWith('/environments/')) return body;
  return { ...body, name: SDK_ERROR_NAMES[body.error], request_id: request.id };
}

export interface RouteInfo {
  method: string;
  url: string;
  schema: { body?: unknown; querystring?: unknown; params?: unknown } | undefined;
}

export interface AppOptions {
  logger: boolean;
  logStream?: NodeJS.WritableStream | undefined;
  routes?: RouteInfo[];
  /** Addresses of the reverse proxies whose X-Forwarded-For is believed (proxy-addr syntax: "127.0.0.1,10.0.0.0/8", "loopback"). */
  trustProxy?: string | undefined;
  /** Serves /metrics to callers bearing this token; without it, metrics are off. */
  metricsToken?: string | undefined;
  poolStats?: (() => PoolStats) | undefined;
}

/** An X-Request-Id worth keeping (a load balancer's, e.g. nginx's $request_id); anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildApp(ctx: PlatformContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Never log bodies, headers or query strings: they may carry tokens, passwords or keys.
    logger: options.logger
      ? {
          level: 'info',
          ...(options.logStream ? { stream: options.logStream } : {}),
          serializers: {
            req: (req) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
            res: (res) => ({ statusCode: res.statusCode }),
          },
        }
      : false,
    bodyLimit: 1024 * 1024,
    trustProxy: options.trustProxy || false,
    // One id per request, in every log line of it and in the answer's X-Request-Id: the proxy's when it sends one.
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
  }).withTypeProvider<ZodTypeProvider>();

  // Hooks on every request take Fastify's callback form: an async hook costs each request a promise and its turn.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // Closing (SIGTERM): the answers of requests still in flight end their keep-alive connection, so the
  // process exits as soon as they are answered (Fastify closes only the connections idle at that moment).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  const metrics: Metrics | null = options.metricsToken ? createMetrics(app, { token: options.metricsToken, poolStats: options.poolStats }) : null;

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) options.routes?.push({ method, url: route.url, schema: route.schema as RouteInfo['schema'] });
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('user', null);

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.code === 'rate_limited') reply.header('retry-after', String((error as AppError & { retryAfter?: number }).retryAfter ?? 60));
      return reply.code(HTTP_STATUS[error.code]).send(errorBody(request, error.toJSON()));
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = errorCodeOfStatus(status) ?? 'validation';
      const message =
        (error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'body: must be JSON (Content-Type: application/json)'
          : (error as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
            ? 'body: is not valid JSON'
            : (error as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? 'body: is too large'
              : (error as FastifyError).code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
                ? 'body: is empty; send a JSON object'
                : `request: ${error.message}`;
      return reply.code(status).send(errorBody(request, { error: code, message, ...(code === 'validation' ? { field: 'body' } : {}) }));
    }
    request.log.error({ err: { message: error.message, stack: error.stack } }, 'request failed');
    metrics?.countServerError(request);
    return reply.code(500).send(errorBody(request, { error: 'internal', message: `the platform failed to answer; the error is in its log under request id ${request.id}` }));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(request, { error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Craft MLOps platform API', version: '1.0.0', description: 'Control API of the platform. Errors are {error, message, field?}.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
  });

  for (const routes of [authRoutes, userRoutes, projectRoutes, settingsRoutes, accessRequestRoutes, environmentRoutes, deploymentRoutes, environmentApiRoutes]) routes(app, ctx);
  notProvidedRoutes(app);
  operationsRoutes(app, ctx, metrics);
  registerEndpoint(app, ctx, 'openApiDocument', async () => app.swagger() as unknown as Record<string, unknown>);

  return app;
}
