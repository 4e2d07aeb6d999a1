// /api/geofences: areas (GeoJSON polygons) whose entry or exit raises an alarm.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiErrorSchema, GeofenceCreateSchema, GeofenceSchema, NoContentSchema, RowIdParamsSchema } from '@hub/config';
import { NotFoundError } from '@hub/platform';
import type { ApiContext } from '@hub/telemetry';
import { createGeofence, deleteGeofence, getGeofence, listGeofences } from '../store/geofences';
import { requireRole } from '@hub/identity';

const tags = ['geofences'];

export const geofenceRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, { db, bus }) => {
  app.get(
    '/geofences',
    {
      schema: { tags, summary: 'List geofences', response: { 200: GeofenceSchema.array() } },
    },
    async () => listGeofences(db),
  );

  app.post(
    '/geofences',
    {
      preHandler: requireRole('coordinator'),
      schema: {
        tags,
        summary: 'Create a geofence',
        body: GeofenceCreateSchema,
        response: { 201: GeofenceSchema, 400: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      const geofence = await createGeofence(db, request.body);
      bus.emit('geofencesChanged');
      return reply.code(201).send(geofence);
    },
  );

  app.get(
    '/geofences/:id',
    {
      schema: {
        tags,
        summary: 'One geofence',
        params: RowIdParamsSchema,
        response: { 200: GeofenceSchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const geofence = await getGeofence(db, request.params.id);
      if (!geofence) throw new NotFoundError('geofence', request.params.id);
      return geofence;
    },
  );

  app.delete(
    '/geofences/:id',
    {
      preHandler: requireRole('coordinator'),
      schema: {
        tags,
        summary: 'Delete a geofence',
        params: RowIdParamsSchema,
        response: { 204: NoContentSchema, 404: ApiErrorSchema },
      },
    },
    async (request, reply) => {
      if (!(await deleteGeofence(db, request.params.id))) throw new NotFoundError('geofence', request.params.id);
      bus.emit('geofencesChanged');
      return reply.code(204).send();
    },
  );
};
