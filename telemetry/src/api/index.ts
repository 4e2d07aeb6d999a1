// The telemetry REST API as a Fastify plugin: routes under /api (operator token required),
// OpenAPI under /docs (public). Register it under no prefix.
import type { FastifyInstance } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { storableValidatorCompiler } from '@hub/platform';
import type { TelemetryBus } from '../events';
import type { ApiContext } from './context';
import type { Queryable } from '../store/types';
import { operatorAuth, type OperatorAuth, loginRoute, operatorRoutes } from '@hub/identity';
import { registerDocs } from './docs';
import { notFoundHandler, registerErrorHandler } from './error-handler';
import { positionRoutes } from './positions';
import { unitRoutes } from './units';

export interface TelemetryApiOptions {
  /** the database: a pg.Pool */
  db: Queryable;
  /** the telemetry plugin's event bus; the API emits unitChanged, geofencesChanged and alarm */
  bus: TelemetryBus;
  /** who is asking: every /api request but the login presents an operator's bearer token */
  auth: OperatorAuth;
  /** serve the OpenAPI document and UI at /docs; default true (false when the host serves its own) */
  docs?: boolean;
  /** other packages' routes (alarms, geofences, incidents…), registered under /api behind the operator check */
  routes?: readonly ApiRoutes[];
  /** routes under /api that check a credential of their own (external intake's token), not an operator's */
  publicRoutes?: readonly ApiRoutes[];
}

/** A route plugin of another package, given the API's context. */
export type ApiRoutes = (api: FastifyInstance, context: ApiContext) => Promise<void>;

/**
 * Not wrapped in fastify-plugin on purpose: the zod compilers, the error handler and the
 * Swagger generator stay inside this plugin and do not leak into the hub's other plugins.
 */
export async function telemetryApi(app: FastifyInstance, opts: TelemetryApiOptions): Promise<void> {
  app.setValidatorCompiler(storableValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  if (opts.docs !== false) await registerDocs(app);

  const context = { db: opts.db, bus: opts.bus };
  const auth = opts.auth;
  await app.register(loginRoute, { prefix: '/api', db: opts.db, auth });
  await app.register(
    async (api) => {
      api.decorateRequest('operator', undefined);
      api.decorateRequest('principal', undefined);
      api.addHook(
        'onRequest',
        operatorAuth((token) => auth.authenticate(token)),
      );
      await api.register(operatorRoutes, { db: opts.db, auth });
      api.setNotFoundHandler(notFoundHandler);
      // The hub serves the wall with a wildcard at "/", which would take unknown /api paths (and
      // parameters over the router's maxParamLength) to a bare 404: the API answers them itself.
      api.all('/*', { schema: { hide: true } }, notFoundHandler);
      await api.register(unitRoutes, context);
      await api.register(positionRoutes, context);
      for (const routes of opts.routes ?? []) await api.register(routes, context);
    },
    { prefix: '/api' },
  );
  // External systems post with their intake token, not an operator's: outside the operator scope.
  for (const routes of opts.publicRoutes ?? []) await app.register(routes, { prefix: '/api', ...context });
}

export { errorHandler, MAX_PATH_PARAM_LENGTH, registerErrorHandler, toApiError } from './error-handler';
