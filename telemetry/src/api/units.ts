// /api/units: the register of vehicles and body cams, and their MQTT credentials.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiErrorSchema, UnitCreateSchema, UnitCredentialSchema, UnitIdParamsSchema, UnitListQuerySchema, UnitSchema, UnitUpdateSchema } from '@hub/config';
import { createUnit, getUnit, issueCredential, listUnits, updateUnit, UnitExistsError } from '../store';
import { ConflictError, NotFoundError } from '@hub/platform';
import { recordAudit, requireRole } from '@hub/identity';
import type { ApiContext } from './context';

const tags = ['units'];

/** Who asked, for the audit log (the operator hook has set the principal). */
const actorOf = (request: FastifyRequest) => request.principal?.username ?? 'unknown';

export const unitRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, { db, bus }) => {
  app.post(
    '/units',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: 'Register a unit',
        body: UnitCreateSchema,
        response: { 201: UnitSchema, 400: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      let unit;
      try {
        unit = await createUnit(db, request.body);
      } catch (err) {
        if (err instanceof UnitExistsError) {
          throw new ConflictError('HUB_ERR_UNIT_EXISTS', `unit ${JSON.stringify(err.unitId)} already exists`, { unitId: err.unitId });
        }
        throw err;
      }
      bus.emit('unitChanged', unit.id);
      await recordAudit(db, { actor: actorOf(request), action: 'unit_created', target: `unit:${unit.id}`, detail: { type: unit.type, name: unit.name, team: unit.team, district: unit.district } });
      return reply.code(201).send(unit);
    },
  );

  app.get(
    '/units',
    {
      schema: {
        tags,
        summary: 'List units',
        querystring: UnitListQuerySchema,
        response: { 200: UnitSchema.array(), 400: ApiErrorSchema },
      },
    },
    async (request) => listUnits(db, request.query),
  );

  app.get(
    '/units/:unitId',
    {
      schema: {
        tags,
        summary: 'One unit',
        params: UnitIdParamsSchema,
        response: { 200: UnitSchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const unit = await getUnit(db, request.params.unitId);
      if (!unit) throw new NotFoundError('unit', request.params.unitId);
      return unit;
    },
  );

  app.patch(
    '/units/:unitId',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: 'Change a unit',
        params: UnitIdParamsSchema,
        body: UnitUpdateSchema,
        response: { 200: UnitSchema, 400: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const unit = await updateUnit(db, request.params.unitId, request.body);
      if (!unit) throw new NotFoundError('unit', request.params.unitId);
      bus.emit('unitChanged', unit.id);
      await recordAudit(db, { actor: actorOf(request), action: 'unit_changed', target: `unit:${unit.id}`, detail: { ...request.body } });
      return unit;
    },
  );

  app.post(
    '/units/:unitId/disable',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: 'Disable a unit (its credential is refused from then on)',
        params: UnitIdParamsSchema,
        response: { 200: UnitSchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const unit = await updateUnit(db, request.params.unitId, { disabled: true });
      if (!unit) throw new NotFoundError('unit', request.params.unitId);
      bus.emit('unitChanged', unit.id);
      await recordAudit(db, { actor: actorOf(request), action: 'unit_disabled', target: `unit:${unit.id}` });
      return unit;
    },
  );

  app.post(
    '/units/:unitId/credential',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: "Issue or rotate the unit's MQTT credential; the secret is shown only in this response",
        params: UnitIdParamsSchema,
        response: { 201: UnitCredentialSchema, 404: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const before = await getUnit(db, request.params.unitId);
      const credential = before && (await issueCredential(db, request.params.unitId));
      if (!credential) throw new NotFoundError('unit', request.params.unitId);
      // the fact, never the secret
      await recordAudit(db, { actor: actorOf(request), action: before.hasCredential ? 'unit_credential_rotated' : 'unit_credential_issued', target: `unit:${credential.unitId}` });
      // A rotated secret must drop the unit's old session: the broker listens for this.
      bus.emit('credentialIssued', credential.unitId);
      // The secret exists only in this response: no cache may keep a copy (RFC 9111 §5.2.2.5).
      return reply.code(201).header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(credential);
    },
  );
};
