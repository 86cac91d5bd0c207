// Browser mode: the same app API over HTTP, for machines without an Electron binary and
// for Playwright. Binds 127.0.0.1 only; every call carries the per-launch connection
// token; Host and Origin are checked so no other site and no rebound DNS name can call it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppApi } from '../app-api.js';
import { RENDERER_CSP } from '../content-security-policy.js';

export interface WebHostOptions {
  api: AppApi;
  rendererDir: string;
  port?: number;
  /** Fixed token for tests; default: 256 random bits per launch. */
  connectionToken?: string;
}

export interface RunningWebHost {
  url: string; // with ?token=…
  origin: string;
  connectionToken: string;
  close(): Promise<void>;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function buildWebHost(options: WebHostOptions & { allowedHosts: () => string[] }): Promise<FastifyInstance> {
  const token = options.connectionToken!;
  // Browsers keep connections alive: close them with the server so quitting never hangs.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });

  app.addHook('onRequest', async (request, reply) => {
    const allowed = options.allowedHosts();
    if (!allowed.includes(request.headers.host ?? '')) {
      return reply.code(421).send({ ok: false, error: { error: 'forbidden', message: 'Unknown Host: browser mode answers only at 127.0.0.1 and localhost' } });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.some((host) => origin === `http://${host}`)) {
      return reply.code(403).send({ ok: false, error: { error: 'forbidden', message: 'Cross-site calls are refused' } });
    }
    reply.header('Content-Security-Policy', RENDERER_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
  });

  app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
    const auth = request.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (!sameSecret(given, token)) {
      return reply.code(401).send({ ok: false, error: { error: 'unauthorized', message: 'Missing or wrong connection token: open the App URL that browser mode printed' } });
    }
    reply.header('Cache-Control', 'no-store');
    return options.api.call(request.params.method, request.body ?? {});
  });

  if (existsSync(join(options.rendererDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: options.rendererDir, index: 'index.html' });
  } else {
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain').send('The renderer is not built: run `npm run build:renderer` (npm run web does it for you).'),
    );
  }
  return app;
}

export async function startWebHost(options: WebHostOptions): Promise<RunningWebHost> {
  const connectionToken = options.connectionToken ?? randomBytes(32).toString('base64url');
  let port = options.port ?? 0;
  const app = await buildWebHost({ ...options, connectionToken, allowedHosts: () => [`127.0.0.1:${port}`, `localhost:${port}`] });
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (typeof address === 'object' && address) port = address.port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${connectionToken}`,
    origin,
    connectionToken,
    close: () => app.close(),
  };
}
