// External intake: /api/intake/clients (operators: create a client and its token, shown once)
// and /api/intake/events (external systems, with their intake token, never an operator's).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiErrorSchema, IntakeClientCreateSchema, IntakeClientCreatedSchema, IntakeClientSchema, IntakeEventResultSchema, IntakeEventSchema } from '@hub/config';
import { authenticateIntake, createIntakeClient, listIntakeClients, submitExternalEvent } from '../intake';
import { bearerToken, ADMIN_OPERATOR, requireRole } from '@hub/identity';
import type { IncidentApiContext } from './incidents';

const tags = ['intake'];

/** Operator routes: inside the operator-authenticated scope. */
export const intakeClientRoutes: FastifyPluginAsyncZod<IncidentApiContext> = async (app, { db }) => {
  app.post(
    '/intake/clients',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: 'Create an external system’s intake token (shown once; only its hash is kept)',
        body: IntakeClientCreateSchema,
        response: { 201: IntakeClientCreatedSchema, 400: ApiErrorSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createIntakeClient(db, request.body.name, request.operator ?? ADMIN_OPERATOR)),
  );

  app.get(
    '/intake/clients',
    {
      preHandler: requireRole('admin'),
      schema: { tags, summary: 'Intake clients (without tokens)', response: { 200: IntakeClientSchema.array() } },
    },
    async () => listIntakeClients(db),
  );
};

export interface IntakeEventContext extends IncidentApiContext {
  settings: { intake: import('@hub/config').HubConfig['linkage']['intake']; dataDir: string };
}

/** External systems' route: its own token check, outside the operator scope. */
export const intakeEventRoutes: FastifyPluginAsyncZod<IntakeEventContext> = async (app, { db, incidents, settings }) => {
  app.post(
    '/intake/events',
    {
      // base64 is 4/3 of the bytes, plus the other fields
      bodyLimit: Math.ceil((settings.intake.snapshotMaxBytes * 4) / 3) + 64 * 1024,
      // the token first: a caller without one learns nothing about the body's shape
      onRequest: async (request) => {
        (request as { intakeClient?: unknown }).intakeClient = await authenticateIntake(db, bearerToken(request.headers.authorization));
      },
      schema: {
        tags,
        summary: 'Report an external event (Authorization: Bearer <intake token>); repeats of the same thing merge into one incident',
        body: IntakeEventSchema,
        response: { 200: IntakeEventResultSchema, 201: IntakeEventResultSchema, 400: ApiErrorSchema, 401: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const client = (request as unknown as { intakeClient: Awaited<ReturnType<typeof authenticateIntake>> }).intakeClient;
      const { result, created } = await submitExternalEvent(incidents, db, client, request.body, settings);
      request.log.info({ incidentId: result.incidentId, merged: result.merged, client: client.name }, 'external event filed');
      return reply.code(created ? 201 : 200).send(result);
    },
  );
};
