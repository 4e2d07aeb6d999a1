// POST /api/units/{unitId}/locate: "Locate now" on the wall's unit popup. A JT/T 808 terminal is
// asked where it is (0x8201) and its answer (0x0201) is stored through the same ingest path as
// its reports, then returned. An MQTT unit reports by itself at its own rate and has no such
// question: refused with a sentence (the wall shows the button only on terminals).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiErrorSchema, LocateResponseSchema, UnitIdParamsSchema } from '@hub/config';
import { toPosition, type Jt808Gateway } from '@hub/jt808';
import { HubError, NotFoundError } from '@hub/platform';
import type { ApiRoutes } from '@hub/telemetry';

/** 409 HUB_ERR_UNIT_NOT_TERMINAL: "Locate now" on a unit that is not a JT/T 808 terminal. */
export class NotATerminalError extends HubError {
  constructor(unitId: string, why: string) {
    super('HUB_ERR_UNIT_NOT_TERMINAL', 409, `unit ${unitId} ${why}; "Locate now" asks JT/T 808 vehicle terminals only`);
  }
}

export function locateRoutes(gateway: Jt808Gateway | undefined, timeoutSeconds: number): ApiRoutes {
  const routes: FastifyPluginAsyncZod<Parameters<ApiRoutes>[1]> = async (app, { db }) => {
    app.post(
      '/units/:unitId/locate',
      {
        schema: {
          tags: ['units'],
          summary: 'Ask a JT/T 808 terminal where it is now (0x8201); answers with its position (0x0201), stored like its reports',
          params: UnitIdParamsSchema,
          response: { 200: LocateResponseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 504: ApiErrorSchema },
        },
      },
      async (request) => {
        const { unitId } = request.params;
        const { rows } = await db.query<{ terminal: string | null }>('SELECT jt808_terminal_id AS terminal FROM units WHERE id = $1', [unitId]);
        if (!rows[0]) throw new NotFoundError('unit', unitId);
        if (rows[0].terminal === null) throw new NotATerminalError(unitId, 'reports its position over MQTT by itself');
        if (!gateway) throw new NotATerminalError(unitId, 'is a JT/T 808 terminal, but this hub runs without the gateway (jt808.enabled is false)');
        const { report, stored } = await gateway.queryPosition(unitId, timeoutSeconds * 1000);
        const answeredAt = new Date().toISOString();
        if (!stored || report.time === null) return { unitId, position: null, answeredAt };
        const { position: p } = toPosition(unitId, report);
        const position = {
          unitId,
          ts: report.time.toISOString(),
          lat: p.lat,
          lon: p.lon,
          speed: p.speed ?? null,
          heading: p.heading ?? null,
          accuracy: null,
          alt: p.alt ?? null,
          battery: null,
          flags: p.flags ?? null,
        };
        return { unitId, position, answeredAt };
      },
    );
  };
  return routes as ApiRoutes;
}
