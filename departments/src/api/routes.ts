// /api/departments: CRUD (admin, audited) and the assessment (JSON or CSV); a case's department and
// its transfer; the hotline's complaints; the scene photos of an incident (operators), and their
// upload by the unit that was sent (its own credential, outside the operator scope).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  ApiErrorSchema,
  AssessmentQuerySchema,
  AssessmentResponseSchema,
  CloseOverrideRequestSchema,
  DepartmentCaseSchema,
  DepartmentIdParamsSchema,
  DepartmentInputSchema,
  DepartmentSchema,
  EvidencePhotoParamsSchema,
  EvidencePhotoSchema,
  HotlineComplaintResultSchema,
  HotlineComplaintSchema,
  HotlinePlaceSchema,
  IncidentSchema,
  IncidentIdParamsSchema,
  TransferRequestSchema,
  type DepartmentsConfig,
} from '@hub/config';
import { ADMIN_OPERATOR, bearerToken, recordAudit, requireRole } from '@hub/identity';
import type { IncidentService } from '@hub/incidents';
import { HubError } from '@hub/platform';
import { verifyCredential, type ApiContext } from '@hub/telemetry';
import { assessment, assessmentCsv } from '../assessment';
import type { DepartmentDesk } from '../desk';
import { EvidenceAuthError } from '../errors';
import { openHotlinePlaces, takeComplaint } from '../hotline';
import { deleteDepartment, getCase, getDepartment, insertDepartment, listDepartments, updateDepartment } from '../store';
import { listEvidence, storeEvidence, type CloseOverrides } from '../verification';

export interface DepartmentApiContext extends ApiContext {
  desk: DepartmentDesk;
  overrides: CloseOverrides;
  incidents: IncidentService;
  settings: DepartmentsConfig;
  dataDir: string;
}

const tags = ['departments'];
const actorOf = (request: { operator?: string }) => request.operator ?? ADMIN_OPERATOR;
const admin = requireRole('admin');
const coordinator = requireRole('coordinator');

export const departmentRoutes: FastifyPluginAsyncZod<DepartmentApiContext> = async (app, { db, desk, overrides, incidents, settings }) => {
  const audited = async (request: { operator?: string }, action: string, id: number, detail: Record<string, unknown> = {}) =>
    recordAudit(db, { actor: actorOf(request), action, target: `department:${id}`, detail });

  app.get('/departments', { schema: { tags, summary: 'Departments: the city’s units and cooperating agencies', response: { 200: DepartmentSchema.array() } } }, async () => listDepartments(db));

  app.get('/departments/:id', { schema: { tags, summary: 'One department', params: DepartmentIdParamsSchema, response: { 200: DepartmentSchema, 404: ApiErrorSchema } } }, async (request) =>
    getDepartment(db, request.params.id),
  );

  app.post(
    '/departments',
    {
      preHandler: admin,
      schema: { tags, summary: 'Add a department (its districts, case types and quota)', body: DepartmentInputSchema, response: { 201: DepartmentSchema, 400: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (request, reply) => {
      const d = await insertDepartment(db, request.body);
      await audited(request, 'department_created', d.id, { name: d.name });
      return reply.code(201).send(d);
    },
  );

  app.put(
    '/departments/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Change a department (the cases it has stay with it; new ones follow its new case types)',
        params: DepartmentIdParamsSchema,
        body: DepartmentInputSchema,
        response: { 200: DepartmentSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => {
      const d = await updateDepartment(db, request.params.id, request.body);
      await audited(request, 'department_changed', d.id, { name: d.name, caseTypes: d.caseTypes, districts: d.districts });
      return d;
    },
  );

  app.delete(
    '/departments/:id',
    {
      preHandler: admin,
      schema: { tags, summary: 'Delete a department without cases', params: DepartmentIdParamsSchema, response: { 200: DepartmentSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (request) => {
      const d = await deleteDepartment(db, request.params.id);
      await audited(request, 'department_deleted', d.id, { name: d.name });
      return d;
    },
  );

  app.get(
    '/departments/assessment',
    {
      schema: {
        tags,
        summary: 'Per department and day or month: received, resolved by notice, in time, overdue, stage times (median, p90), against its quota; format=csv for a spreadsheet',
        querystring: AssessmentQuerySchema,
        response: { 200: z.union([AssessmentResponseSchema, z.string()]), 400: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const a = await assessment(db, new Date(q.from), new Date(q.to), q.period, settings.timeZone);
      if (q.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="assessment-${q.period}.csv"`);
        return assessmentCsv(a);
      }
      return a;
    },
  );

  app.get(
    '/incidents/:id/department',
    { schema: { tags, summary: 'The department the case is with and its deadline (null: none answers for it)', params: IncidentIdParamsSchema, response: { 200: DepartmentCaseSchema.nullable() } } },
    async (request) => (await getCase(db, request.params.id)) ?? null,
  );

  app.post(
    '/incidents/:id/transfer',
    {
      preHandler: coordinator,
      schema: {
        tags,
        summary: 'Transfer the case to another department, with a reason (in the trail)',
        params: IncidentIdParamsSchema,
        body: TransferRequestSchema,
        response: { 200: DepartmentCaseSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => {
      const moved = await desk.transfer(request.params.id, request.body.departmentId, request.body.reason, actorOf(request));
      await recordAudit(db, {
        actor: actorOf(request),
        action: 'case_transferred',
        target: `incident:${request.params.id}`,
        detail: { departmentId: moved.departmentId, reason: request.body.reason },
      });
      return moved;
    },
  );

  app.post(
    '/incidents/:id/close-override',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Close a case that needs a scene photo without one (admin), with a reason: in the trail (evidence_overridden), the evidence pack’s manifest and the assessment',
        params: IncidentIdParamsSchema,
        body: CloseOverrideRequestSchema,
        response: { 200: IncidentSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { to, reason } = request.body;
      const actor = actorOf(request);
      const closed = await overrides.apply(id, { actor, reason }, () => incidents.transition(id, to, actor, reason));
      await recordAudit(db, { actor, action: 'case_closed_by_override', target: `incident:${id}`, detail: { to, reason } });
      request.log.warn({ incidentId: id, to, actor }, 'case closed without its scene photo, by override');
      return closed;
    },
  );

  app.post(
    '/hotline/complaints',
    {
      preHandler: coordinator,
      schema: {
        tags: ['hotline'],
        summary: 'A 12319 hotline complaint: opens a hotline incident routed by its category (the caller’s phone masked in every answer)',
        body: HotlineComplaintSchema,
        response: { 201: HotlineComplaintResultSchema, 400: ApiErrorSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await takeComplaint(db, incidents, request.body, actorOf(request))),
  );

  app.get(
    '/hotline/places',
    {
      schema: {
        tags: ['hotline'],
        summary: 'The open hotline cases where their callers said, with the category (for the wall’s map; no caller details)',
        response: { 200: HotlinePlaceSchema.array() },
      },
    },
    async () => openHotlinePlaces(db),
  );

  app.get(
    '/incidents/:id/evidence/photos',
    { schema: { tags: ['incidents'], summary: 'Photos from the scene (verification), by SHA-256', params: IncidentIdParamsSchema, response: { 200: EvidencePhotoSchema.array() } } },
    async (request) => (await listEvidence(db, request.params.id)).map(({ path: _p, ...p }) => p),
  );

  app.get(
    '/incidents/:id/evidence/photos/:sha256',
    { schema: { tags: ['incidents'], summary: 'One photo from the scene (image/jpeg)', params: EvidencePhotoParamsSchema, response: { 200: z.instanceof(Buffer), 404: ApiErrorSchema } } },
    async (request, reply) => {
      const photo = (await listEvidence(db, request.params.id)).find((p) => p.sha256 === request.params.sha256);
      if (!photo) throw new HubError('HUB_ERR_EVIDENCE_NOT_FOUND', 404, `incident ${request.params.id} has no photo ${request.params.sha256}`);
      reply.header('content-type', 'image/jpeg');
      reply.header('cache-control', 'private, max-age=86400, immutable');
      return reply.send(await readFile(photo.path));
    },
  );
};

/** The unit's upload: `Authorization: Bearer {unitId}:{secret}`, a JPEG body, outside the operator scope. */
export const evidenceUploadRoutes: FastifyPluginAsyncZod<DepartmentApiContext> = async (app, { db, settings, dataDir, incidents }) => {
  app.addContentTypeParser('image/jpeg', { parseAs: 'buffer', bodyLimit: settings.evidenceMaxBytes }, (_req, body, done) => done(null, body));
  app.post(
    '/incidents/:id/evidence',
    {
      bodyLimit: settings.evidenceMaxBytes,
      // the credential first: a caller without one learns nothing else
      onRequest: async (request) => {
        const token = bearerToken(request.headers.authorization);
        const colon = token?.indexOf(':') ?? -1;
        if (!token || colon <= 0) throw new EvidenceAuthError();
        const unitId = token.slice(0, colon);
        if ((await verifyCredential(db, unitId, token.slice(colon + 1))) !== 'ok') throw new EvidenceAuthError();
        (request as { unitId?: string }).unitId = unitId;
      },
      schema: {
        tags: ['incidents'],
        summary: 'A photo from the scene by the unit sent there (Authorization: Bearer {unitId}:{secret}; Content-Type: image/jpeg)',
        params: IncidentIdParamsSchema,
        response: { 201: EvidencePhotoSchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const unitId = (request as { unitId?: string }).unitId!;
      const photo = await storeEvidence(db, dataDir, settings.evidenceMaxBytes, request.params.id, unitId, request.body as Buffer);
      request.log.info({ incidentId: request.params.id, unitId, sha256: photo.sha256 }, 'evidence captured');
      await incidents.touch(request.params.id);
      return reply.code(201).send(photo);
    },
  );
};
