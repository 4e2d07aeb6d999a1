// One hub process: the database (embedded or external), then identity, telemetry, alarms, the
// media role, incidents, the REST API with every package's routes, the linkage rules and the
// wall's pages on one Fastify instance, plus the MQTT port and the JT/T 808 terminals' port.
import { hostname } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type pg from 'pg';
import type { DeviceAlarm, HubConfig } from '@hub/config';
import { alarmsPlugin, type AlarmService } from '@hub/alarms';
import { identityPlugin, recordAudit } from '@hub/identity';
import type { Jt808Gateway } from '@hub/jt808';
import { incidentsPlugin, type IncidentService } from '@hub/incidents';
import { noticesPlugin } from '@hub/notices';
import { departmentsPlugin } from '@hub/departments';
import { createPool, startEmbeddedDatabase, type EmbeddedDatabase } from '@hub/platform';
import { ClusterMember } from '@hub/cluster';
import { MAX_PATH_PARAM_LENGTH, migrate, registerDocs, telemetryPlugin, type Telemetry } from '@hub/telemetry';
import { basemapGeojsonPath, districtMap, readBasemapGeojson } from '@hub/wall-server';
import { resolveAdminToken, type AdminToken } from './admin-token';
import type { Media } from './media';
import { schemaMigrations } from './migrations';
import { apiPlugin, jt808Plugin, linkagePlugin, mediaPlugin, unitCommandsPlugin, wallPagesPlugin } from './plugins';
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
  /** the JT/T 808 gateway and its terminals' TCP port; undefined when jt808.enabled is false */
  jt808: Jt808Gateway | undefined;
  jt808Port: number | undefined;
  /** the JT/T 1078 media port terminals send video to (jt808.mediaPort) */
  jt1078Port: number | undefined;
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
    const db = createPool(
      databaseUrl,
      config.database.poolSize,
      // the error carries the whole pg client: log what an operator can use
      (err) => log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database connection error'),
      config.database.connectTimeoutMs,
    );
    cleanup.push(() => db.end());
    const { timescale, applied } = await migrate(db, { retentionDays: config.retention.positionsDays, migrations: schemaMigrations });
    log.info({ timescale, applied }, timescale ? 'database ready (TimescaleDB)' : 'database ready (PostgreSQL, native partitions)');

    // A member of a cluster when cluster.redisUrl is set: Redis must answer now, or the hub says so and stops
    const cluster = config.cluster.redisUrl
      ? await ClusterMember.start({
          redisUrl: config.cluster.redisUrl,
          hubId: config.cluster.hubId,
          leaseMs: config.cluster.leaseMs,
          stallMs: config.cluster.stallMs,
          log: log.child({ module: 'cluster' }),
        })
      : undefined;
    if (cluster) cleanup.push(() => cluster.close()); // after the app's close: its units are released first

    const adminToken = resolveAdminToken(config.auth.adminToken, config.dataDir);
    const app: FastifyInstance = Fastify({
      // longer parameters answer 400 HUB_ERR_BAD_REQUEST (telemetry's notFoundHandler), not a bare 404
      routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
      // X-Forwarded-For only from the proxies named: anyone can send the header
      trustProxy: config.http.trustProxy.length ? config.http.trustProxy : false,
      loggerInstance: log.child({ module: 'http' }) as unknown as import('fastify').FastifyBaseLogger,
    });
    cleanup.push(() => app.close());

    // /docs at the root, before any route: it documents telemetry's, media's and the recordings' routes alike
    await registerDocs(app);
    // The packages, each a named plugin that says what it needs (registered in that order).
    // An SOS reaches the alarm service through telemetry's deviceAlarms port; no unit can send
    // one before the MQTT port opens below. Closing the app closes them in reverse (onClose).
    const deviceAlarms = (a: DeviceAlarm) => app.alarms.handleDeviceAlarm(a);
    await app.register(identityPlugin, { db, adminToken: adminToken.token, auth: config.auth, log });
    await app.register(telemetryPlugin, { config, db, log, databaseStatus, deviceAlarms, cluster });
    await app.register(alarmsPlugin, { db, config: config.alarms, log, cluster: cluster !== undefined });
    if (config.jt808.enabled) await app.register(jt808Plugin, { config, db, log });
    await app.register(unitCommandsPlugin, { config, db, log });
    if (config.roles.includes('media')) await app.register(mediaPlugin, { config, db, log, cluster, adminToken: adminToken.token });
    await app.register(incidentsPlugin, {
      db,
      linkage: config.linkage,
      dispatch: config.incidents.dispatch,
      dataDir: config.dataDir,
      log,
      sendCommand: (unitId, command) => app.unitCommands.sendCommand(unitId, command),
      audit: (entry) => recordAudit(db, entry),
      districts: districtMap((await readBasemapGeojson(basemapGeojsonPath(config.basemap))).geojson),
      recordings: app.media ? recordingSource(app.media.recorder, app.media.segmentFromHub) : undefined,
    });
    // the notice loop hooks intake before any route can take an event
    await app.register(noticesPlugin, { config, db, log });
    // departments route every incident that opens from here on, and check its closing
    await app.register(departmentsPlugin, { config, db, log });
    await app.register(apiPlugin, { config, db, log });
    await app.register(linkagePlugin, { config, db, log });
    await app.register(wallPagesPlugin, { config });
    await app.ready();
    const { telemetry, incidents, alarms, media } = app;

    await app.listen({ host: config.http.host, port: config.http.port });
    const httpPort = (app.server.address() as import('node:net').AddressInfo).port;
    // where the other hubs call this one (a viewer's WHEP relayed to the hub that hosts the stream)
    cluster?.advertise(config.cluster.advertiseUrl ?? `http://${['0.0.0.0', '::'].includes(config.http.host) ? hostname() : config.http.host}:${httpPort}`);
    const mqttPort = await telemetry.listenMqtt();
    const jt808Port = await app.jt808?.listen(config.jt808.host, config.jt808.port);
    const jt1078Port = await app.jt808?.listenMedia(config.jt808.host, config.jt808.mediaPort);
    log.info({ httpPort, mqttPort, jt808Port, jt1078Port }, 'hub listening');

    return {
      app,
      config,
      db,
      telemetry,
      incidents,
      alarms,
      media,
      adminToken,
      httpPort,
      mqttPort,
      jt808: app.jt808,
      jt808Port,
      jt1078Port,
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
