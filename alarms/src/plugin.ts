// The alarm rules as a named Fastify plugin (after `telemetry`, whose bus they read),
// decorated as `alarms`; closed with the instance, before telemetry.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { startAlarmService, type AlarmService } from './service';

export interface AlarmsPluginOptions {
  db: Queryable;
  config: HubConfig['alarms'];
  log: Logger;
  /** this hub is one of a cluster (cluster.redisUrl set); default false */
  cluster?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the alarm rules (the `alarms` plugin) */
    alarms: AlarmService;
  }
}

export const alarmsPlugin = fp<AlarmsPluginOptions>(
  async (app, { db, config, log, cluster }) => {
    const alarms = await startAlarmService({
      db,
      bus: app.telemetry.bus,
      config,
      cluster,
      log: log.child({ module: 'alarms' }),
      // a silent unit is noticed within a quarter of the offline / no-position time (at most 5 s late)
      checkIntervalMs: Math.min(5000, (Math.min(config.offlineAfterSeconds, config.noPositionAfterSeconds) * 1000) / 4),
    });
    app.decorate('alarms', alarms);
    app.addHook('onClose', () => alarms.close());
  },
  { name: 'alarms', dependencies: ['telemetry'] },
);
