// /api/units/nearest: available units ranked by distance to a point, with arrival estimates.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiErrorSchema, NearestQuerySchema, NearestResponseSchema } from '@hub/config';
import type { IncidentApiContext } from './incidents';

export const nearestRoutes: FastifyPluginAsyncZod<IncidentApiContext> = async (app, { incidents }) => {
  app.get(
    '/units/nearest',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Nearest available units (online, not assigned to an open incident) to a point; all=true ranks every unit',
        querystring: NearestQuerySchema,
        response: { 200: NearestResponseSchema, 400: ApiErrorSchema },
      },
    },
    async (request) => {
      const q = request.query;
      return { units: await incidents.nearest({ lat: q.lat, lon: q.lon, limit: q.limit, types: q.types, all: q.all }) };
    },
  );
};
