// The telemetry API's error handling: the hub's one mapping (@hub/platform's errorHandler) for
// its routes, and its own not-found answer for unknown paths under /api.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorHandler } from '@hub/platform';
import { NotFoundError } from '@hub/platform';

export { errorHandler, toApiError } from '@hub/platform';

/**
 * Longest path parameter the hub's router matches (Fastify's `maxParamLength`, default 100),
 * counted percent-encoded: a 64-character preset name in a non-Latin script is up to 768.
 */
export const MAX_PATH_PARAM_LENGTH = 1024;

/** Unknown routes under the API's prefix answer with an ApiError too. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? '';
  // The router does not match a parameter longer than maxParamLength, so such a request
  // lands here: it is a bad id or name (400), not a missing route.
  const limit = request.server.initialConfig.routerOptions?.maxParamLength ?? 100;
  if (path.split('/').some((segment) => segment.length > limit)) {
    reply.code(400).send({ code: 'HUB_ERR_BAD_REQUEST', message: `A part of the path is longer than ${limit} characters: no id or name is that long.` });
    return;
  }
  const err = new NotFoundError('route', `${request.method} ${path}`);
  reply.code(404).send({ code: err.code, message: err.message });
}

/** Installs the handlers on `app` (an encapsulated context: they apply to its routes only). */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler);
}
