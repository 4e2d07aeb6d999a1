// The hub's own named plugins: the media role, the REST API with every package's routes, the
// linkage rules and the wall's pages. Each names the plugins it needs (fastify-plugin
// `dependencies`): registered out of order, the hub refuses to start and says which is missing.
import fp from 'fastify-plugin';
import type { ClusterMember } from '@hub/cluster';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Alarm, HubConfig } from '@hub/config';
import { Jt808Gateway } from '@hub/jt808';
import { alarmRoutes, geofenceRoutes } from '@hub/alarms';
import { incidentApiRoutes, intakeApiRoutes } from '@hub/incidents';
import { noticeApiRoutes, noticeReceiptApiRoutes } from '@hub/notices';
import { departmentApiRoutes, evidenceApiRoutes } from '@hub/departments';
import { clearAuthCode, findTerminal, issueAuthCode, telemetryApi, verifyAuthCode } from '@hub/telemetry';
import { basemapRoutes, presetRoutes, wallPages } from '@hub/wall-server';
import { Linkage } from './linkage';
import { locateRoutes } from './locate';
import { SosStatusReporter } from './sos-status';
import { startMedia, type Media } from './media';
import { UnitCommands } from './unit-commands';

interface HubPluginOptions {
  config: HubConfig;
  db: pg.Pool;
  log: Logger;
  /** this hub's membership of a cluster (the media plugin's stream registry); default none */
  cluster?: ClusterMember;
  /** the admin token (the same on every hub of a cluster): a recording started here is made by the hub that hosts the stream */
  adminToken?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the SFU, cameras on demand and the recorder (the `media` plugin, where the media role runs) */
    media?: Media;
    /** the JT/T 808 gateway for vehicle terminals (the `jt808` plugin, unless jt808.enabled is false) */
    jt808?: Jt808Gateway;
    /** commands to units, over MQTT or to a JT/T 808 terminal (the `unit-commands` plugin) */
    unitCommands: UnitCommands;
  }
}

/** The SFU with WHIP/WHEP, the /media signalling, cameras on demand and the recorder. */
export const mediaPlugin = fp<HubPluginOptions>(
  async (app, { config, db, log, cluster, adminToken }) => {
    const media = await startMedia(app, config, db, app.telemetry, log, cluster && adminToken ? { member: cluster, adminToken } : undefined);
    app.decorate('media', media);
    app.addHook('onClose', async () => {
      await media.recorder.close(); // recordings end (last segments indexed) before the SFU closes
      media.close();
    });
  },
  // alarms: a stalled recording is raised as an alarm
  { name: 'media', dependencies: ['identity', 'telemetry', 'alarms', 'unit-commands'] },
);

/**
 * The JT/T 808 gateway: vehicle terminals as units. Their positions take telemetry's ingest (the
 * answer after the commit), their presence the broker's, their alarms the alarm service, as MQTT
 * units'; it listens once the hub is up (hub.ts), as the MQTT port does.
 */
export const jt808Plugin = fp<HubPluginOptions>(
  async (app, { config, db, log }) => {
    const { telemetry, alarms } = app;
    const gatewayLog = log.child({ module: 'jt808' });
    const gateway = new Jt808Gateway({
      ports: {
        terminals: {
          find: (phone) => findTerminal(db, phone),
          register: async (unitId) => (await issueAuthCode(db, unitId, { onlyIfUnregistered: true }))?.authCode,
          verify: (unitId, authCode) => verifyAuthCode(db, unitId, authCode),
          deregister: async (unitId) => void (await clearAuthCode(db, unitId)),
        },
        units: telemetry.ingest,
        alarm: (alarm) => alarms.handleDeviceAlarm(alarm),
        // the terminal's 0x0001 to a dispatch's text is the unit's receipt, as an MQTT cmd/ack is
        commandAck: (unitId, ack) => telemetry.bus.emit('commandAck', { unitId, ack }),
      },
      registry: telemetry.metrics.registry,
      log: gatewayLog,
      idleTimeoutSeconds: config.jt808.idleTimeoutSeconds,
      // one policy for device logins, MQTT's and the terminals'
      loginFailures: config.mqtt.loginFailures,
      commandAnswerSeconds: config.jt808.commandAnswerSeconds,
      mediaAddress: config.jt808.mediaAddress,
    });
    // a rotated or forgotten code (or MQTT secret) ends the session at once, as the broker does
    const onCredentialIssued = (unitId: string) => gateway.disconnectUnit(unitId, 'credential changed');
    const onUnitChanged = (unitId: string) => void gateway.recheck(unitId).catch((err: unknown) => gatewayLog.error({ err, unitId }, 'unit state could not be read'));
    // an operator's acknowledgement is the platform's handling of the alarm: 0x8203 where the terminal waits for it
    const onAlarm = (alarm: Alarm) => {
      if (alarm.acknowledgedAt && typeof alarm.details.code === 'string') gateway.alarmHandled(alarm.unitId, alarm.details.code);
    };
    telemetry.bus.on('credentialIssued', onCredentialIssued);
    telemetry.bus.on('unitChanged', onUnitChanged);
    telemetry.bus.on('alarm', onAlarm);
    // acknowledged on another hub while the terminal is connected here
    telemetry.bus.on('clusterAlarm', onAlarm);
    app.decorate('jt808', gateway);
    app.addHook('onClose', async () => {
      telemetry.bus.off('credentialIssued', onCredentialIssued);
      telemetry.bus.off('unitChanged', onUnitChanged);
      telemetry.bus.off('alarm', onAlarm);
      telemetry.bus.off('clusterAlarm', onAlarm);
      await gateway.close();
    });
  },
  { name: 'jt808', dependencies: ['telemetry', 'alarms'] },
);

/** The one way commands reach units: MQTT, or the JT/T 808 gateway for a terminal (unit-commands.ts). */
export const unitCommandsPlugin = fp<HubPluginOptions>(
  async (app, { db, log }) => {
    const commands = await UnitCommands.start(db, app.telemetry, app.jt808, log.child({ module: 'unit-commands' }));
    app.decorate('unitCommands', commands);
    app.addHook('onClose', () => commands.close());
  },
  // after jt808 when it runs (jt808.enabled); fastify-plugin cannot say "optional", so hub.ts orders it
  { name: 'unit-commands', dependencies: ['telemetry'] },
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
        ...departmentApiRoutes({ desk: app.departments, overrides: app.closeOverrides, incidents, config }),
        presetRoutes,
        locateRoutes(app.jt808, config.jt808.locateTimeoutSeconds),
        async (api) => {
          await api.register(basemapRoutes, { basemap: config.basemap });
        },
      ],
      publicRoutes: [
        ...intakeApiRoutes(incidents, { intake: config.linkage.intake, dataDir: config.dataDir }),
        ...evidenceApiRoutes({ desk: app.departments, overrides: app.closeOverrides, incidents, config }),
        ...noticeReceiptApiRoutes(app.notices, app.telemetry.metrics.registry),
      ],
    });
  },
  { name: 'api', dependencies: ['identity', 'telemetry', 'alarms', 'incidents', 'notices', 'departments'] },
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
    const sosStatus = new SosStatusReporter({ db, telemetry: app.telemetry, incidents: app.incidents, commands: app.unitCommands, log: log.child({ module: 'sos-status' }) });
    app.addHook('onClose', async () => {
      sosStatus.close();
      linkage.close();
    });
  },
  { name: 'linkage', dependencies: ['telemetry', 'alarms', 'incidents', 'notices', 'unit-commands'] },
);

/** The built wall and the other pages (a static wildcard at the root: registered last). */
export const wallPagesPlugin = fp<{ config: HubConfig }>(async (app, { config }) => app.register(wallPages, { config }), { name: 'wall-pages' });
