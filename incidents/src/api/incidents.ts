// /api/incidents: open, list, dispatch, move, replay, evidence; /api/kpis: response times.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorSchema,
  DispatchRequestSchema,
  DispatchResponseSchema,
  IncidentCreateSchema,
  IncidentDetailSchema,
  IncidentIdParamsSchema,
  IncidentEventSchema,
  IncidentListQuerySchema,
  IncidentNoteSchema,
  IncidentSchema,
  KpiQuerySchema,
  KpiResponseSchema,
  ReopenRequestSchema,
  ReplaySchema,
  TransitionRequestSchema,
} from '@hub/config';
import type { IncidentService } from '../service';
import { kpis, kpisCsv } from '../kpis';
import { evidencePack, replay } from '../replay';
import type { ApiContext } from '@hub/telemetry';
import { ADMIN_OPERATOR, requireRole } from '@hub/identity';

export interface IncidentApiContext extends ApiContext {
  incidents: IncidentService;
}

const tags = ['incidents'];
const actorOf = (request: { operator?: string }) => request.operator ?? ADMIN_OPERATOR;
const coordinator = requireRole('coordinator');

export const incidentRoutes: FastifyPluginAsyncZod<IncidentApiContext> = async (app, { db, incidents }) => {
  app.post(
    '/incidents',
    {
      preHandler: coordinator,
      schema: { tags, summary: 'Open an incident by hand', body: IncidentCreateSchema, response: { 201: IncidentSchema, 400: ApiErrorSchema } },
    },
    async (request, reply) => {
      const b = request.body;
      let unitId: string | null = null;
      if (b.alarmId) {
        const { rows } = await db.query<{ unit_id: string }>('SELECT unit_id FROM alarms WHERE id = $1', [b.alarmId]);
        unitId = rows[0]?.unit_id ?? null;
      }
      const incident = await incidents.create({ ...b, source: 'manual', unitId, createdBy: actorOf(request) });
      return reply.code(201).send(incident);
    },
  );

  app.get(
    '/incidents',
    {
      schema: { tags, summary: 'List incidents, newest first (state=open: not yet resolved)', querystring: IncidentListQuerySchema, response: { 200: IncidentSchema.array(), 400: ApiErrorSchema } },
    },
    async (request) => incidents.list(request.query),
  );

  app.get(
    '/incidents/:id',
    {
      schema: { tags, summary: 'One incident with its timeline', params: IncidentIdParamsSchema, response: { 200: IncidentDetailSchema, 404: ApiErrorSchema } },
    },
    async (request) => incidents.get(request.params.id),
  );

  app.post(
    '/incidents/:id/dispatch',
    {
      preHandler: coordinator,
      schema: {
        tags,
        summary: 'Send units to the incident (a dispatch command over MQTT, QoS 1)',
        params: IncidentIdParamsSchema,
        body: DispatchRequestSchema,
        response: { 200: DispatchResponseSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => ({ dispatches: await incidents.dispatch(request.params.id, request.body.unitIds, actorOf(request), request.body.note) }),
  );

  app.post(
    '/incidents/:id/transition',
    {
      preHandler: coordinator,
      schema: {
        tags,
        summary: 'Move the incident (reported → dispatched → en_route → on_scene → resolved → closed; back to reported with a reason)',
        params: IncidentIdParamsSchema,
        body: TransitionRequestSchema,
        response: { 200: IncidentSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => incidents.transition(request.params.id, request.body.to, actorOf(request), request.body.reason),
  );

  app.post(
    '/incidents/:id/reopen',
    {
      preHandler: coordinator,
      schema: {
        tags,
        summary: 'Reopen a resolved or closed incident, with a reason',
        params: IncidentIdParamsSchema,
        body: ReopenRequestSchema,
        response: { 200: IncidentSchema, 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => incidents.transition(request.params.id, 'reported', actorOf(request), request.body.reason),
  );

  app.post(
    '/incidents/:id/notes',
    {
      preHandler: coordinator,
      schema: {
        tags,
        summary: "Add a coordinator's note to the incident's trail",
        params: IncidentIdParamsSchema,
        body: IncidentNoteSchema,
        response: { 201: IncidentEventSchema, 400: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await incidents.addNote(request.params.id, actorOf(request), request.body.text)),
  );

  app.get(
    '/incidents/:id/replay',
    {
      schema: {
        tags,
        summary: 'Recorded video segments, GPS tracks and timeline of the incident on one time axis',
        params: IncidentIdParamsSchema,
        response: { 200: ReplaySchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const { segmentFiles: _files, ...r } = await replay(incidents, db, request.params.id);
      return r;
    },
  );

  app.get(
    '/incidents/:id/evidence',
    {
      schema: { tags, summary: 'Evidence pack (tar): segments, GPS track (GeoJSON, CSV), timeline, SHA-256 manifest', params: IncidentIdParamsSchema },
    },
    async (request, reply) => {
      const pack = await evidencePack(incidents, db, request.params.id);
      reply.header('content-type', 'application/x-tar');
      reply.header('content-disposition', `attachment; filename="${pack.name}"`);
      return reply.send(pack.stream);
    },
  );

  app.get(
    '/kpis',
    {
      schema: {
        tags,
        summary: 'Response times (acknowledge, dispatch, arrive, resolve) per unit, team or district: count, median, 90th percentile; format=csv for a spreadsheet',
        querystring: KpiQuerySchema,
        response: { 200: z.union([KpiResponseSchema, z.string()]), 400: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const k = await kpis(db, new Date(q.from), new Date(q.to), q.groupBy);
      if (q.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="kpis-${q.groupBy}.csv"`);
        return kpisCsv(k);
      }
      return k;
    },
  );
};
