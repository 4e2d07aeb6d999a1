// /api/alarms: what the rules raised, and the operators' acknowledgements.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AlarmAckSchema, AlarmBulkAckResultSchema, AlarmBulkAckSchema, AlarmQuerySchema, AlarmSchema, ApiErrorSchema, RowIdParamsSchema } from '@hub/config';
import { NotFoundError } from '@hub/platform';
import type { ApiContext } from '@hub/telemetry';
import { acknowledgeAlarm, acknowledgeAlarms, getAlarm, listAlarms } from '../store/alarms';
import { ADMIN_OPERATOR, requireRole } from '@hub/identity';

const tags = ['alarms'];

export const alarmRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, { db, bus }) => {
  app.get(
    '/alarms',
    {
      schema: {
        tags,
        summary: 'List alarms, newest first',
        querystring: AlarmQuerySchema,
        response: { 200: AlarmSchema.array(), 400: ApiErrorSchema },
      },
    },
    async (request) => listAlarms(db, request.query),
  );

  app.post(
    '/alarms/:id/ack',
    {
      preHandler: requireRole('coordinator'),
      schema: {
        tags,
        summary: 'Acknowledge an alarm; a second acknowledgement keeps the first',
        params: RowIdParamsSchema,
        body: AlarmAckSchema,
        response: { 200: AlarmSchema, 400: ApiErrorSchema, 404: ApiErrorSchema },
      },
      // An acknowledgement without a note may come without a body.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { id } = request.params;
      const before = await getAlarm(db, id);
      if (!before) throw new NotFoundError('alarm', id);
      // Already acknowledged: the first acknowledgement stands and nothing changed to announce.
      if (before.acknowledgedAt !== null) return before;
      const alarm = await acknowledgeAlarm(db, id, request.operator ?? ADMIN_OPERATOR, request.body.note);
      if (!alarm) throw new NotFoundError('alarm', id);
      bus.emit('alarm', alarm);
      return alarm;
    },
  );

  app.post(
    '/alarms/ack',
    {
      preHandler: requireRole('coordinator'),
      schema: {
        tags,
        summary: 'Acknowledge many alarms at once (a group of repeats, or all shown), with one note',
        body: AlarmBulkAckSchema,
        response: { 200: AlarmBulkAckResultSchema, 400: ApiErrorSchema },
      },
    },
    async (request) => {
      const result = await acknowledgeAlarms(db, request.body.ids, request.operator ?? ADMIN_OPERATOR, request.body.note);
      for (const alarm of result.acknowledged) bus.emit('alarm', alarm);
      return result;
    },
  );
};
