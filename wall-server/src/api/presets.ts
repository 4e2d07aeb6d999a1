// /api/presets/{name}: each operator's named wall layouts (grid, tiles and their units,
// wall mode). An operator sees and changes only their own.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { ApiErrorSchema, NoContentSchema, PresetNameParamsSchema, PresetPutSchema, PresetSchema, WallLayoutSchema, type Preset } from '@hub/config';
import { HubError } from '@hub/platform';
import { toIso, toJson } from '@hub/platform';
import { ADMIN_OPERATOR } from '@hub/identity';
import type { ApiContext } from '@hub/telemetry';

const tags = ['presets'];

/** How many presets one operator may keep. */
export const MAX_PRESETS_PER_OPERATOR = 50;

interface PresetRow {
  operator: string;
  name: string;
  layout: unknown;
  updated_at: Date | string;
}

function presetOut(r: PresetRow): Preset {
  return { operator: r.operator, name: r.name, layout: WallLayoutSchema.parse(toJson(r.layout)), updatedAt: toIso(r.updated_at) };
}

/** The operator a request acts for: the logged-in principal, or the admin token's operator. */
function operatorOf(request: FastifyRequest): string {
  return request.principal?.username ?? request.operator ?? ADMIN_OPERATOR;
}

class PresetNotFoundError extends HubError {
  constructor(name: string) {
    super('HUB_ERR_PRESET_NOT_FOUND', 404, `you have no preset named ${JSON.stringify(name)}`);
  }
}

export const presetRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, { db }) => {
  app.get(
    '/presets',
    {
      schema: { tags, summary: 'The calling operator’s wall presets, by name', response: { 200: PresetSchema.array() } },
    },
    async (request) => {
      const { rows } = await db.query<PresetRow>('SELECT * FROM wall_presets WHERE operator = $1 ORDER BY name', [operatorOf(request)]);
      return rows.map(presetOut);
    },
  );

  app.get(
    '/presets/:name',
    {
      schema: { tags, summary: 'One of the calling operator’s presets', params: PresetNameParamsSchema, response: { 200: PresetSchema, 404: ApiErrorSchema } },
    },
    async (request) => {
      const { rows } = await db.query<PresetRow>('SELECT * FROM wall_presets WHERE operator = $1 AND name = $2', [operatorOf(request), request.params.name]);
      if (!rows[0]) throw new PresetNotFoundError(request.params.name);
      return presetOut(rows[0]);
    },
  );

  app.put(
    '/presets/:name',
    {
      schema: {
        tags,
        summary: 'Save (create or replace) one of the calling operator’s presets',
        params: PresetNameParamsSchema,
        body: PresetPutSchema,
        response: { 200: PresetSchema, 400: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (request) => {
      const operator = operatorOf(request);
      const { name } = request.params;
      const { layout } = request.body;
      if (layout.tiles.length > layout.grid) {
        throw new HubError('HUB_ERR_VALIDATION', 400, `a ${layout.grid}-tile grid holds at most ${layout.grid} tiles, got ${layout.tiles.length}`);
      }
      // one statement: the count check and the write cannot interleave with another save's
      const { rows } = await db.query<PresetRow>(
        `INSERT INTO wall_presets (operator, name, layout, updated_at)
       SELECT $1, $2, $3::jsonb, now()
        WHERE EXISTS (SELECT 1 FROM wall_presets WHERE operator = $1 AND name = $2)
           OR (SELECT count(*) FROM wall_presets WHERE operator = $1) < $4
       ON CONFLICT (operator, name) DO UPDATE SET layout = EXCLUDED.layout, updated_at = now()
       RETURNING *`,
        [operator, name, JSON.stringify(layout), MAX_PRESETS_PER_OPERATOR],
      );
      if (!rows[0]) {
        throw new HubError('HUB_ERR_PRESET_LIMIT', 409, `you already have ${MAX_PRESETS_PER_OPERATOR} presets: delete one before saving a new one`);
      }
      return presetOut(rows[0]);
    },
  );

  app.delete(
    '/presets/:name',
    {
      schema: { tags, summary: 'Delete one of the calling operator’s presets', params: PresetNameParamsSchema, response: { 204: NoContentSchema, 404: ApiErrorSchema } },
    },
    async (request, reply) => {
      const { rows } = await db.query('DELETE FROM wall_presets WHERE operator = $1 AND name = $2 RETURNING name', [operatorOf(request), request.params.name]);
      if (!rows[0]) throw new PresetNotFoundError(request.params.name);
      return reply.code(204).send();
    },
  );
};
