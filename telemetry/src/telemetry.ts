// The telemetry plugin: MQTT broker (TCP + WebSocket), durable ingest, the live feed, metrics
// and health, on the hub's Fastify instance. Its REST API (telemetryApi) is registered by the
// hub with the other packages' routes in the same operator scope.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { HealthSchema, RejectionListSchema, type DeviceAlarm, type Health, type HubConfig, type LiveClientToServer, type LiveServerToClient, type PositionMessage } from '@hub/config';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TelemetryBus } from './events';
import { createTelemetryMetrics, type TelemetryMetrics } from './metrics';
import { PositionWriter } from './ingest/position-writer';
import { RejectionLog } from './ingest/rejections';
import { UnitStatusTracker } from './ingest/unit-status';
import { UnitMessageRouter } from './ingest/unit-messages';
import { UnitBroker } from './broker/unit-broker';
import { attachMqttOverWebSocket } from './broker/mqtt-over-websocket';
import { LiveFeed, type LiveEvent } from './live/live-feed';
import { operatorAuth, guardOperatorSockets, type OperatorAuth } from '@hub/identity';
import { getUnit, insertPositions, secretHash, setUnitOnline, verifyCredential } from './store';
import { maintain } from './db/partitions';
import { storableValidatorCompiler, type EmbeddedDatabaseStatus } from '@hub/platform';
import { ClusterMq, type ClusterMember } from '@hub/cluster';
import { ClusterPresence } from './cluster/presence';
import { ClusterRelay } from './cluster/relay';
import { crossesHubs } from './broker/acl';

export interface TelemetryOptions {
  config: HubConfig;
  /** the migrated database */
  db: pg.Pool;
  /** the operators (identity): REST routes and the live feed let them in */
  operators: OperatorAuth;
  log: Logger;
  /** the embedded server's supervisor (running / restarting), shown in /health; unset with an external database */
  databaseStatus?: () => EmbeddedDatabaseStatus;
  /** stores a unit's SOS or device alarm (the alarms package); the PUBACK waits for it */
  deviceAlarms: (alarm: DeviceAlarm) => Promise<void>;
  /** this hub's membership of a cluster (cluster.redisUrl); unset: the hub works alone */
  cluster?: ClusterMember;
}

/**
 * Units that reach the hub another way than MQTT (the JT/T 808 gateway): their positions take
 * the MQTT positions' path (checks, rejection log, batch writer, commit before the answer) and
 * their presence the broker's (online while their session lives).
 */
export interface UnitIngestPort {
  /** resolves true once committed, false when refused (counted); rejects when the database failed */
  position(unitId: string, source: string, position: PositionMessage): Promise<boolean>;
  /** the unit's session opened (authenticated) */
  connected(unitId: string): void;
  /** the unit's session closed or went silent */
  disconnected(unitId: string): void;
}

export interface Telemetry {
  bus: TelemetryBus;
  /** positions and presence of units on other transports than MQTT */
  ingest: UnitIngestPort;
  broker: UnitBroker;
  writer: PositionWriter;
  metrics: TelemetryMetrics;
  rejections: RejectionLog;
  /** the live feed: walls' sockets; relays other packages' events (`relay`) */
  live: LiveFeed;
  /** operators: authenticate(token), login, sessions */
  operators: OperatorAuth;
  /** the hub's socket.io server (live feed on "/"; other plugins add namespaces) */
  io: SocketServer;
  /** starts MQTT over TCP; resolves with the port */
  listenMqtt(): Promise<number>;
  /**
   * Ends the long-lived connections on the HTTP port: walls' live feeds (socket.io) and units'
   * MQTT over WebSocket. Fastify's close waits for every connection to end before any plugin's
   * own closing runs, and those would otherwise stay open as long as their clients like.
   */
  closeConnections(): Promise<void>;
  /** flushes queued positions, closes broker, feed and timers. Safe twice. */
  close(): Promise<void>;
}

const MAINTENANCE_MS = 3_600_000;

export async function startTelemetry(app: FastifyInstance, opts: TelemetryOptions): Promise<Telemetry> {
  const { config, db, log } = opts;
  const bus = new TelemetryBus();
  const metrics = createTelemetryMetrics();
  const rejections = new RejectionLog(metrics);

  const { cluster } = opts;
  // A previous run's online flags are stale: every unit is offline until it connects (in a
  // cluster: unless it is connected to another hub).
  await db.query('UPDATE units SET online = false WHERE online AND NOT (id = ANY($1::text[]))', [cluster ? await cluster.unitsConnected() : []]);
  const status = new UnitStatusTracker({ bus, log: log.child({ module: 'status' }), persist: (id, online, ts) => setUnitOnline(db, id, online, ts) });

  const writer = new PositionWriter({
    insert: (batch, receivedAt) => insertPositions(db, batch, receivedAt),
    onCommitted: (fresh) => bus.emit('positions', fresh),
    maxBatch: config.ingest.maxBatch,
    flushMs: config.ingest.flushMs,
    concurrency: config.ingest.concurrency,
    metrics,
    log: log.child({ module: 'ingest' }),
  });

  const router = new UnitMessageRouter({
    writer,
    bus,
    status,
    rejections,
    metrics,
    log: log.child({ module: 'ingest' }),
    maxFutureSeconds: config.ingest.maxFutureSeconds,
    retentionDays: config.retention.positionsDays,
    storeDeviceAlarm: opts.deviceAlarms,
  });

  const broker = await UnitBroker.create({
    verifyCredential: (unitId, secret) => verifyCredential(db, unitId, secret),
    handleMessage: (unitId, kind, topic, payload, qos, isWill) => router.handle(unitId, kind, topic, payload, qos, isWill),
    ingestBacklogged: () => writer.depth >= config.ingest.maxBacklog,
    onUnitOnline: (unitId) => unitConnected(unitId),
    onUnitOffline: (unitId) => unitDisconnected(unitId),
    onConnectionClosed: (unitId) => status.connectionClosed(unitId),
    maxPacketBytes: config.mqtt.maxPacketBytes,
    loginFailures: config.mqtt.loginFailures,
    metrics,
    log: log.child({ module: 'broker' }),
    ...(cluster && config.cluster.redisUrl ? { mq: new ClusterMq({ redisUrl: config.cluster.redisUrl, crosses: crossesHubs }) } : {}),
  });
  // in a cluster, Redis decides when a unit comes online or goes offline; the other hubs' walls get this hub's events
  // units whose session is on another transport (the JT/T 808 gateway), beside the broker's
  const otherSessions = new Set<string>();
  const local = { unitIds: () => [...broker.unitIds(), ...otherSessions], isConnected: (id: string) => broker.isConnected(id) || otherSessions.has(id) };
  const presence = cluster ? new ClusterPresence(cluster, status, local, log.child({ module: 'cluster' }), metrics) : undefined;
  function unitConnected(unitId: string): void {
    if (presence) presence.connected(unitId);
    else status.connected(unitId);
  }
  function unitDisconnected(unitId: string): void {
    if (presence) presence.disconnected(unitId);
    else status.disconnected(unitId);
  }
  const relay = cluster ? new ClusterRelay(cluster, bus, log.child({ module: 'cluster' })) : undefined;
  const detachWs = attachMqttOverWebSocket(app.server, config.mqtt.wsPath, broker);

  // A disabled unit or a rotated credential takes effect at once, not at the next reconnect.
  const onCredentialIssued = (unitId: string) => {
    if (!broker.isConnected(unitId)) return;
    secretHash(db, unitId).then(
      (current) => broker.disconnectStaleCredential(unitId, current),
      (err: unknown) => {
        log.error({ err, unitId }, 'the rotated credential could not be read; closing the unit’s connections');
        broker.disconnectUnit(unitId, 'credential rotated');
      },
    );
  };
  const onUnitChanged = (unitId: string) => {
    if (!broker.isConnected(unitId)) return;
    getUnit(db, unitId).then(
      (unit) => (!unit || unit.disabled) && broker.disconnectUnit(unitId, 'unit disabled'),
      (err: unknown) => log.error({ err, unitId }, 'unit state could not be read'),
    );
  };
  bus.on('credentialIssued', onCredentialIssued);
  bus.on('unitChanged', onUnitChanged);

  const { operators } = opts;
  const authenticate = (token: string | undefined) => operators.authenticate(token);

  const io = new SocketServer<LiveClientToServer, LiveServerToClient>(app.server, { serveClient: false, path: '/socket.io' });
  const live = new LiveFeed({
    io,
    bus,
    flushMs: config.live.flushMs,
    authorize: authenticate,
    metrics,
    log: log.child({ module: 'live' }),
    ...(relay ? { onLocal: (event: LiveEvent) => relay.local(event) } : {}),
  });
  relay?.attach(live);

  const stopGuard = guardOperatorSockets(io as unknown as SocketServer, operators, ['/', '/media']);

  // Their own scope: the zod compilers stay out of the hub's other plugins, as in telemetryApi.
  await app.register(async (scope) => {
    scope.setValidatorCompiler(storableValidatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    await scope.register(async (operatorsOnly) => {
      operatorsOnly.addHook('onRequest', operatorAuth(authenticate));
      operatorsOnly.get('/api/ingest/rejections', { schema: { tags: ['ingest'], summary: 'The last refused unit messages', response: { 200: RejectionListSchema } } }, async () => ({
        rejections: rejections.list(),
      }));
    });

    scope.get('/metrics', { schema: { summary: 'Prometheus metrics', response: { 200: z.string().describe('Prometheus text exposition format, not JSON') } } }, async (_req, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });

    scope.get('/health', { schema: { summary: 'Is the hub up: its database and MQTT port', response: { 200: HealthSchema, 503: HealthSchema } } }, async (_req, reply): Promise<Health> => {
      const started = Date.now();
      let database: Health['database'];
      const server = opts.databaseStatus ? { server: 'embedded' as const, ...opts.databaseStatus() } : { server: 'external' as const };
      if ('state' in server && server.state === 'restarting') {
        // no query: it would wait for the pool's connect timeout
        database = { up: false, error: 'the embedded PostgreSQL server is restarting', ...server };
      } else {
        try {
          await db.query('SELECT 1');
          database = { up: true, latencyMs: Date.now() - started, ...server };
        } catch (err) {
          database = { up: false, error: (err as Error).message, ...server };
        }
      }
      const mqtt = { up: broker.tcpListening, connectedUnits: broker.connectedUnits };
      const up = database.up && mqtt.up;
      reply.code(up ? 200 : 503);
      return { status: up ? 'ok' : 'down', database, mqtt, ingestQueueDepth: writer.depth, ...(cluster ? { cluster: cluster.health() } : {}) };
    });
  });

  const maintenanceLog = log.child({ module: 'maintenance' });
  const runMaintenance = () =>
    maintain(db, { retentionDays: config.retention.positionsDays }).then(
      ({ dropped }) => dropped.length && maintenanceLog.info({ dropped }, 'expired position partitions dropped'),
      (err: unknown) => maintenanceLog.error({ err }, 'position partition upkeep failed'),
    );
  const maintenanceTimer = setInterval(runMaintenance, MAINTENANCE_MS);
  maintenanceTimer.unref();

  let closed = false;
  return {
    bus,
    ingest: {
      position: (unitId, source, position) => router.ingestPosition(unitId, source, position),
      connected: (unitId) => {
        otherSessions.add(unitId);
        unitConnected(unitId);
      },
      disconnected: (unitId) => {
        otherSessions.delete(unitId);
        unitDisconnected(unitId);
      },
    },
    broker,
    writer,
    metrics,
    rejections,
    live,
    operators,
    io: io as unknown as SocketServer,
    listenMqtt: () => broker.listenTcp(config.mqtt.host, config.mqtt.port),
    async closeConnections() {
      // this hub's sockets only: io.disconnectSockets() goes through the cluster adapter to every hub
      io.local.disconnectSockets(true);
      io.engine.close();
      await detachWs();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(maintenanceTimer);
      stopGuard();
      bus.off('credentialIssued', onCredentialIssued);
      bus.off('unitChanged', onUnitChanged);
      await broker.close();
      // the units whose only connection was here go offline now, on every wall
      await presence?.leave();
      await status.flush();
      relay?.close();
      status.close();
      await writer.close();
      live.close();
      await detachWs();
      // Not io.close(): that would also close the HTTP server, which Fastify owns.
      io.local.disconnectSockets(true);
      io.engine.close();
    },
  };
}
