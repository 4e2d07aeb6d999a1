// The incident loop as a named Fastify plugin (after `telemetry`: its bus, its command sender
// and its live feed, which relays the incidents' events), decorated as `incidents`. Commands go
// through the port the hub hands it (`sendCommand`), which picks MQTT or the JT/T 808 gateway.
import fp from 'fastify-plugin';
import { IncidentService, type IncidentServiceOptions } from './service';

/** The incident service's options but what the plugin takes from telemetry (its bus); `sendCommand` is the hub's unit command port (MQTT or JT/T 808). */
export type IncidentsPluginOptions = Omit<IncidentServiceOptions, 'bus'>;

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
    });
    telemetry.live.relay(incidents.events);
    app.decorate('incidents', incidents);
    app.addHook('onClose', () => incidents.close());
  },
  { name: 'incidents', dependencies: ['telemetry'] },
);
