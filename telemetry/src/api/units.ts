// /api/units: the register of vehicles and body cams, and their MQTT credentials.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiErrorSchema, Jt808AuthCodeSchema, NoContentSchema, UnitCreateSchema, UnitCredentialSchema, UnitIdParamsSchema, UnitListQuerySchema, UnitSchema, UnitUpdateSchema } from '@hub/config';
import { clearAuthCode, createUnit, getUnit, issueAuthCode, issueCredential, listUnits, NotATerminalError, updateUnit } from '../store';
import { NotFoundError } from '@hub/platform';
import { recordAudit, requireRole } from '@hub/identity';
import type { ApiContext } from './context';

const tags = ['units'];

/** Who asked, for the audit log (the operator hook has set the principal). */
const actorOf = (request: FastifyRequest) => request.principal?.username ?? 'unknown';

/** 201 with a secret that exists only in this response: no cache may keep a copy (RFC 9111 §5.2.2.5). */
const shownOnce = <T>(reply: FastifyReply, body: T) => reply.code(201).header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(body);

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
      // a taken id or terminal phone number: 409 (UnitExistsError, TerminalTakenError)
      const unit = await createUnit(db, request.body);
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
        response: { 200: UnitSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
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
      return shownOnce(reply, credential);
    },
  );

  // --- JT/T 808 terminals: the authentication code, a credential like the MQTT secret ---
  app.post(
    '/units/:unitId/jt808/auth-code',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: "Rotate a JT/T 808 terminal's authentication code (to configure in the terminal); shown only in this response, the old one stops working",
        params: UnitIdParamsSchema,
        response: { 201: Jt808AuthCodeSchema, 404: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const issued = await issueAuthCode(db, request.params.unitId);
      if (!issued) throw new NotATerminalError(request.params.unitId);
      await recordAudit(db, { actor: actorOf(request), action: 'unit_jt808_auth_code_rotated', target: `unit:${issued.unitId}` });
      // the terminal's session on the old code ends (the gateway listens for this, as the broker does)
      bus.emit('credentialIssued', issued.unitId);
      return shownOnce(reply, issued);
    },
  );

  app.delete(
    '/units/:unitId/jt808/auth-code',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: "Forget a JT/T 808 terminal's authentication code: its session ends and it must register (0x0100) again",
        params: UnitIdParamsSchema,
        response: { 204: NoContentSchema, 404: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      if (!(await clearAuthCode(db, request.params.unitId))) throw new NotATerminalError(request.params.unitId);
      await recordAudit(db, { actor: actorOf(request), action: 'unit_jt808_registration_reset', target: `unit:${request.params.unitId}` });
      bus.emit('credentialIssued', request.params.unitId);
      return reply.code(204).send();
    },
  );
};
