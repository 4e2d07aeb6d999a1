// The hub's own named plugins: the media role, the REST API with every package's routes, the
// linkage rules and the wall's pages. Each names the plugins it needs (fastify-plugin
// `dependencies`): registered out of order, the hub refuses to start and says which is missing.
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import { alarmRoutes, geofenceRoutes } from '@hub/alarms';
import { incidentApiRoutes, intakeApiRoutes } from '@hub/incidents';
import { noticeApiRoutes } from '@hub/notices';
import { telemetryApi } from '@hub/telemetry';
import { basemapRoutes, presetRoutes, wallPages } from '@hub/wall-server';
import { Linkage } from './linkage';
import { SosStatusReporter } from './sos-status';
import { startMedia, type Media } from './media';

interface HubPluginOptions {
  config: HubConfig;
  db: pg.Pool;
  log: Logger;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the SFU, cameras on demand and the recorder (the `media` plugin, where the media role runs) */
    media?: Media;
  }
}

/** The SFU with WHIP/WHEP, the /media signalling, cameras on demand and the recorder. */
export const mediaPlugin = fp<HubPluginOptions>(
  async (app, { config, db, log }) => {
    const media = await startMedia(app, config, db, app.telemetry, log);
    app.decorate('media', media);
    app.addHook('onClose', async () => {
      await media.recorder.close(); // recordings end (last segments indexed) before the SFU closes
      media.close();
    });
  },
  // alarms: a stalled recording is raised as an alarm
  { name: 'media', dependencies: ['identity', 'telemetry', 'alarms'] },
);

/** Telemetry's REST API, with the alarms', incidents' and wall's routes in its operator scope. */
export const apiPlugin = fp<HubPluginOptions>(
  async (app, { config, db }) => {
    const { incidents } = app;
    await app.register(telemetryApi, {
      docs: false,
      db,
      bus: app.telemetry.bus,
      auth: app.operators,
      routes: [
        geofenceRoutes,
        alarmRoutes,
        ...incidentApiRoutes(incidents),
        ...noticeApiRoutes(app.notices),
        presetRoutes,
        async (api) => {
          await api.register(basemapRoutes, { basemap: config.basemap });
        },
      ],
      publicRoutes: intakeApiRoutes(incidents, { intake: config.linkage.intake, dataDir: config.dataDir }),
    });
  },
  { name: 'api', dependencies: ['identity', 'telemetry', 'alarms', 'incidents', 'notices'] },
);

/** What an alarm sets in motion (config `linkage.rules`): incidents, cameras, recordings, nearest units, escalation. */
export const linkagePlugin = fp<HubPluginOptions>(
  async (app, { config, db, log }) => {
    const linkage = new Linkage({
      config,
      db,
      telemetry: app.telemetry,
      incidents: app.incidents,
      media: app.media,
      // an incident whose subject was noticed waits for its grace period before its linkage
      holds: (id) => app.notices.holds(id),
      log: log.child({ module: 'linkage' }),
    });
    // the wearer who pressed SOS is told: received, acknowledged by the centre, who is coming
    const sosStatus = new SosStatusReporter({ db, telemetry: app.telemetry, incidents: app.incidents, log: log.child({ module: 'sos-status' }) });
    app.addHook('onClose', async () => {
      sosStatus.close();
      linkage.close();
    });
  },
  { name: 'linkage', dependencies: ['telemetry', 'alarms', 'incidents', 'notices'] },
);

/** The built wall and the other pages (a static wildcard at the root: registered last). */
export const wallPagesPlugin = fp<{ config: HubConfig }>(async (app, { config }) => app.register(wallPages, { config }), { name: 'wall-pages' });
