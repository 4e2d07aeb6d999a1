// The incident loop as a named Fastify plugin (after `telemetry`: its bus, its command sender
// and its live feed, which relays the incidents' events), decorated as `incidents`.
import fp from 'fastify-plugin';
import { IncidentService, type IncidentServiceOptions } from './service';

/** The incident service's options but what the plugin takes from telemetry (its bus and command sender). */
export type IncidentsPluginOptions = Omit<IncidentServiceOptions, 'bus' | 'sendCommand'>;

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
