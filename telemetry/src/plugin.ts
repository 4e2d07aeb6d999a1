// Telemetry as a named Fastify plugin (after `identity`): the broker, ingest, live feed,
// metrics and health, decorated as `telemetry`; closed with the instance.
import fp from 'fastify-plugin';
import { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry';

declare module 'fastify' {
  interface FastifyInstance {
    /** the broker, ingest, live feed (the `telemetry` plugin) */
    telemetry: Telemetry;
  }
}

export const telemetryPlugin = fp<Omit<TelemetryOptions, 'operators'>>(
  async (app, opts) => {
    const telemetry = await startTelemetry(app, { ...opts, operators: app.operators });
    app.decorate('telemetry', telemetry);
    // before the HTTP server's close, which waits for these connections to end
    app.addHook('preClose', () => telemetry.closeConnections());
    app.addHook('onClose', () => telemetry.close());
  },
  { name: 'telemetry', dependencies: ['identity'] },
);
