// One hub process: the database (embedded or external), then identity, telemetry, alarms, the
// media role, incidents, the REST API with every package's routes, the linkage rules and the
// wall's pages on one Fastify instance, plus the MQTT port.
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type pg from 'pg';
import type { DeviceAlarm, HubConfig } from '@hub/config';
import { alarmRoutes, geofenceRoutes, startAlarmService, type AlarmService } from '@hub/alarms';
import { OperatorAuth, recordAudit } from '@hub/identity';
import { IncidentService, incidentApiRoutes, intakeApiRoutes } from '@hub/incidents';
import { createPool, startEmbeddedDatabase, type EmbeddedDatabase } from '@hub/platform';
import { MAX_PATH_PARAM_LENGTH, migrate, registerDocs, startTelemetry, telemetryApi, type Telemetry } from '@hub/telemetry';
import { basemapGeojsonPath, basemapRoutes, districtMap, presetRoutes, readBasemapGeojson, wallPages } from '@hub/wall-server';
import { resolveAdminToken, type AdminToken } from './admin-token';
import { Linkage } from './linkage';
import { startMedia, type Media } from './media';
import { schemaMigrations } from './migrations';
import { recordingSource } from './recording';

export interface Hub {
  app: FastifyInstance;
  config: HubConfig;
  db: pg.Pool;
  telemetry: Telemetry;
  /** incidents, dispatch, nearest units, KPIs, intake */
  incidents: IncidentService;
  /** the alarm rules */
  alarms: AlarmService;
  /** the SFU and cameras on demand, when the media role runs here */
  media: Media | undefined;
  adminToken: AdminToken;
  httpPort: number;
  mqttPort: number;
  /** the database URL in use (password included: never log it) */
  databaseUrl: string;
  timescale: boolean;
  log: Logger;
  close(): Promise<void>;
}

export interface StartHubOptions {
  /** default: pino to stdout at config.log.level */
  logger?: Logger;
}

export async function startHub(config: HubConfig, opts: StartHubOptions = {}): Promise<Hub> {
  const log = opts.logger ?? pino({ level: config.log.level, redact: ['req.headers.authorization', 'headers.authorization'] });
  const cleanup: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const fn of cleanup.splice(0).reverse()) {
      await fn().catch((err: unknown) => log.error({ err }, 'error while closing'));
    }
  };
  try {
    let databaseUrl = config.database.url;
    let embedded: EmbeddedDatabase | undefined;
    if (!databaseUrl) {
      const dataDir = path.resolve(config.dataDir, 'postgres');
      const dbLog = log.child({ module: 'embedded-postgres' });
      log.info({ dataDir, port: config.database.embeddedPort }, 'starting the embedded PostgreSQL server');
      embedded = await startEmbeddedDatabase({
        dataDir,
        port: config.database.embeddedPort,
        onLog: (line) => dbLog.debug(line),
        log: dbLog,
      });
      const server = embedded;
      cleanup.push(() => server.stop());
      databaseUrl = embedded.url;
    }
    const supervised = embedded;
    const databaseStatus = supervised ? () => supervised.status() : undefined;
    const db = createPool(databaseUrl, config.database.poolSize, (err) =>
      // the error carries the whole pg client: log what an operator can use
      log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database connection error'),
    );
    cleanup.push(() => db.end());
    const { timescale, applied } = await migrate(db, { retentionDays: config.retention.positionsDays, migrations: schemaMigrations });
    log.info({ timescale, applied }, timescale ? 'database ready (TimescaleDB)' : 'database ready (PostgreSQL, native partitions)');

    const adminToken = resolveAdminToken(config.auth.adminToken, config.dataDir);
    const app: FastifyInstance = Fastify({
      // longer parameters answer 400 HUB_ERR_BAD_REQUEST (telemetry's notFoundHandler), not a bare 404
      routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
      loggerInstance: log.child({ module: 'http' }) as unknown as import('fastify').FastifyBaseLogger,
    });
    cleanup.push(() => app.close());

    // /docs at the root, before any route: it documents telemetry's, media's and the recordings' routes alike
    await registerDocs(app);
    // Alarms start once telemetry has reset the units' online flags; no unit can send an alarm
    // before the MQTT port opens below.
    let alarms: AlarmService | undefined;
    const deviceAlarms = (a: DeviceAlarm) => {
      if (!alarms) throw new Error('device alarm before the alarm service started');
      return alarms.handleDeviceAlarm(a);
    };
    const operators = new OperatorAuth({ db, adminToken: adminToken.token, sessionHours: config.auth.sessionHours, lockout: config.auth.lockout, log: log.child({ module: 'operators' }) });
    await operators.ensureBuiltinAdmin();
    const telemetry = await startTelemetry(app, { config, db, operators, log, databaseStatus, deviceAlarms });
    cleanup.push(() => telemetry.close());
    alarms = await startAlarmService({
      db,
      bus: telemetry.bus,
      config: config.alarms,
      log: log.child({ module: 'alarms' }),
      // a silent unit is noticed within a quarter of the offline / no-position time (at most 5 s late)
      checkIntervalMs: Math.min(5000, (Math.min(config.alarms.offlineAfterSeconds, config.alarms.noPositionAfterSeconds) * 1000) / 4),
    });
    const alarmService = alarms;
    cleanup.push(() => alarmService.close());
    const media = config.roles.includes('media') ? await startMedia(app, config, db, telemetry, log) : undefined;
    if (media) cleanup.push(async () => media.close());
    if (media) cleanup.push(() => media.recorder.close()); // recordings end (last segments indexed) before the SFU closes
    const incidents = await IncidentService.start({
      db,
      bus: telemetry.bus,
      sendCommand: (unitId, command) => telemetry.broker.sendCommand(unitId, command),
      linkage: config.linkage,
      dataDir: config.dataDir,
      log: log.child({ module: 'incidents' }),
      audit: (entry) => recordAudit(db, entry),
      districts: districtMap((await readBasemapGeojson(basemapGeojsonPath(config.basemap))).geojson),
      recordings: media ? recordingSource(media.recorder) : undefined,
    });
    cleanup.push(() => incidents.close());
    telemetry.live.relay(incidents.events);
    // the REST API: telemetry's operator scope with every package's routes in it
    await app.register(telemetryApi, {
      docs: false,
      db,
      bus: telemetry.bus,
      auth: operators,
      routes: [
        geofenceRoutes,
        alarmRoutes,
        ...incidentApiRoutes(incidents),
        presetRoutes,
        async (api) => {
          await api.register(basemapRoutes, { basemap: config.basemap });
        },
      ],
      publicRoutes: intakeApiRoutes(incidents, { intake: config.linkage.intake, dataDir: config.dataDir }),
    });
    const linkage = new Linkage({ config, db, telemetry, incidents, media, log: log.child({ module: 'linkage' }) });
    cleanup.push(async () => linkage.close());
    await app.register(wallPages, { config });

    await app.listen({ host: config.http.host, port: config.http.port });
    const httpPort = (app.server.address() as import('node:net').AddressInfo).port;
    const mqttPort = await telemetry.listenMqtt();
    log.info({ httpPort, mqttPort }, 'hub listening');

    return {
      app,
      config,
      db,
      telemetry,
      incidents,
      alarms: alarmService,
      media,
      adminToken,
      httpPort,
      mqttPort,
      databaseUrl,
      timescale,
      log,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
