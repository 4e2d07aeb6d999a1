// The incident loop as a named Fastify plugin (after `telemetry`: its bus, its command sender
// and its live feed, which relays the incidents' events), decorated as `incidents`.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import type { Queryable } from '@hub/platform';
import type { DistrictMap } from '@hub/wall-server';
import { IncidentService, type AuditEntry, type RecordingSource } from './service';

export interface IncidentsPluginOptions {
  db: Queryable;
  linkage: HubConfig['linkage'];
  dataDir: string;
  log: Logger;
  audit?: (entry: AuditEntry) => Promise<void>;
  districts?: DistrictMap;
  /** the recorder's segments of an incident (the media role's); default none */
  recordings?: RecordingSource;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** incidents, dispatch, nearest units, KPIs, intake (the `incidents` plugin) */
    incidents: IncidentService;
  }
}

export const incidentsPlugin = fp<IncidentsPluginOptions>(
  async (app, opts) => {
    const { telemetry } = app;
    const incidents = await IncidentService.start({
      ...opts,
      log: opts.log.child({ module: 'incidents' }),
      bus: telemetry.bus,
      sendCommand: (unitId, command) => telemetry.broker.sendCommand(unitId, command),
    });
    telemetry.live.relay(incidents.events);
    app.decorate('incidents', incidents);
    app.addHook('onClose', () => incidents.close());
  },
  { name: 'incidents', dependencies: ['telemetry'] },
);
