// /api/positions/latest and /api/units/:unitId/track: where units are, and where they went.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiErrorSchema, LatestQuerySchema, PositionOutSchema, TrackQuerySchema, UnitIdParamsSchema } from '@hub/config';
import { getUnit, latestPositions, track } from '../store';
import { NotFoundError } from '@hub/platform';
import type { ApiContext } from './context';

const tags = ['positions'];

export const positionRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, { db }) => {
  app.get(
    '/positions/latest',
    {
      schema: {
        tags,
        summary: 'The latest position of every unit, or of those inside a bounding box',
        querystring: LatestQuerySchema,
        response: { 200: PositionOutSchema.array(), 400: ApiErrorSchema },
      },
    },
    async (request) => latestPositions(db, request.query.bbox),
  );

  app.get(
    '/units/:unitId/track',
    {
      schema: {
        tags,
        summary: "A unit's positions over a time range, oldest first; downsampled with bucketSeconds",
        params: UnitIdParamsSchema,
        querystring: TrackQuerySchema,
        response: { 200: PositionOutSchema.array(), 400: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      const { from, to, bucketSeconds, limit } = request.query;
      if (!(await getUnit(db, unitId))) throw new NotFoundError('unit', unitId);
      return track(db, unitId, new Date(from), new Date(to), { bucketSeconds, limit });
    },
  );
};
