// The Python SDK's calls outside this platform's scope (pipelines, steps, data store, variables, metrics,
// vector database, endpoints…): each answers a clean 404 that the SDK shows as
// "[NotProvided] This platform does not provide …", never a 500 and never a body the SDK cannot read.
import type { FastifyInstance } from 'fastify';
import { apiErrorSchema } from '../../domain/errors.js';
import { notProvidedContract } from '../../domain/platform-contract.js';

/** The path the SDK user wrote, below {environment_url}/api/v1 or {control_url}/api/v1. */
function shownPath(url: string): string {
  const path = url.split('?')[0]!.replace(/^\/environments\/[^/]+(\/api\/v1)?/, '').replace(/^\/api\/v1/, '');
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

export function notProvidedRoutes(app: FastifyInstance): void {
  for (const [family, { what, sdkCalls, routes }] of Object.entries(notProvidedContract)) {
    for (const { methods, path } of routes) {
      app.route({
        method: [...methods],
        url: path,
        schema: {
          tags: ['not provided'],
          summary: `Not provided here: ${what}`,
          description: `Answers 404 {error, name: "NotProvided", message, request_id}, which the Python SDK raises as a clear SdkException. SDK calls: ${sdkCalls.join(', ')}. Who may call: anyone (nothing is read).`,
          response: { 404: apiErrorSchema },
        } as never,
        handler: async (request, reply) =>
          reply.code(404).send({
            error: 'not_found',
            name: 'NotProvided',
            message: `This platform does not provide ${what} (${request.method} ${shownPath(request.url)}).`,
            request_id: request.id,
          }),
        config: { family },
      });
    }
  }
}
