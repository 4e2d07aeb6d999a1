// /api/auth (login, logout, me), /api/operators (admin) and /api/audit (admin).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorSchema,
  AuditEntrySchema,
  AuditQuerySchema,
  LoginSchema,
  OperatorCreateSchema,
  OperatorSchema,
  OperatorUpdateSchema,
  PrincipalSchema,
  SessionSchema,
  UsernameParamsSchema,
} from '@hub/config';
import type { OperatorAuth } from '../operator-auth';
import { listAudit } from '../store/audit';
import { HubError, type Queryable } from '@hub/platform';
import { bearerToken, requireRole } from './auth';

export interface OperatorRoutesOptions {
  db: Queryable;
  auth: OperatorAuth;
}

/** POST /auth/login: no credential needed, so it sits outside the operator hook. */
export const loginRoute: FastifyPluginAsyncZod<OperatorRoutesOptions> = async (app, { auth }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['operators'],
        summary: 'Log in: a session token for REST, the live feed and video',
        body: LoginSchema,
        response: { 200: SessionSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 429: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      try {
        return await auth.login(request.body.username, request.body.password, { ip: request.ip });
      } catch (err) {
        if (err instanceof HubError && err.statusCode === 429) reply.header('retry-after', String((err as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60));
        throw err;
      }
    },
  );
};

/** Everything else: registered inside the operator hook. */
export const operatorRoutes: FastifyPluginAsyncZod<OperatorRoutesOptions> = async (app, { db, auth }) => {
  const tags = ['operators'];
  const adminOnly = requireRole('admin');

  app.post(
    '/auth/logout',
    {
      schema: { tags, summary: 'End this session (its live-feed and video sockets are cut)', response: { 204: z.null().describe('logged out') } },
    },
    async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (token) await auth.logout(token, request.principal!.username);
      return reply.code(204).send(null);
    },
  );

  app.get('/auth/me', { schema: { tags, summary: 'Who this session is', response: { 200: PrincipalSchema } } }, async (request) => request.principal!);

  app.get(
    '/operators',
    {
      preHandler: adminOnly,
      schema: { tags, summary: 'List operators (admin)', response: { 200: OperatorSchema.array(), 403: ApiErrorSchema } },
    },
    async () => auth.listOperators(),
  );

  app.post(
    '/operators',
    {
      preHandler: adminOnly,
      schema: { tags, summary: 'Create an operator (admin)', body: OperatorCreateSchema, response: { 201: OperatorSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (request, reply) => reply.code(201).send(await auth.createOperator(request.principal!.username, request.body)),
  );

  app.patch(
    '/operators/:username',
    {
      preHandler: adminOnly,
      schema: {
        tags,
        summary: 'Change an operator (admin): name, role, disabled, password; a change of role, password or disabled ends their sessions',
        params: UsernameParamsSchema,
        body: OperatorUpdateSchema,
        response: { 200: OperatorSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => {
      const updated = await auth.updateOperator(request.principal!.username, request.params.username, request.body);
      if (!updated) throw new HubError('HUB_ERR_OPERATOR_NOT_FOUND', 404, `operator ${JSON.stringify(request.params.username)} does not exist`);
      return updated;
    },
  );

  app.get(
    '/audit',
    {
      preHandler: adminOnly,
      schema: { tags, summary: 'The audit log, newest first (admin)', querystring: AuditQuerySchema, response: { 200: AuditEntrySchema.array(), 403: ApiErrorSchema } },
    },
    async (request) => listAudit(db, request.query),
  );
};
