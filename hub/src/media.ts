// The media role: the WebRTC SFU with WHIP publish and WHEP view on the hub's port, the
// socket.io signalling (namespace /media) for browsers, cameras on demand, ICE servers.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Socket } from 'socket.io';
import {
  ApiErrorSchema,
  IceServersResponseSchema,
  MEDIA_NAMESPACE,
  roleAtLeast,
  StreamStartQuerySchema,
  StreamStartResponseSchema,
  UnitIdParamsSchema,
  UnitStreamSchema,
  type HubConfig,
  type MediaClientToServer,
  type MediaServerToClient,
} from '@hub/config';
import { Counter } from 'prom-client';
import { ForbiddenError, attachSignalling, createRouter, watchPublisherLiveness, whipWhep, type MediaGrant, type MediaPeer, type PublishEvent, type Router } from '@hub/media-server';
import { getUnit, verifyCredential } from '@hub/telemetry';
import { operatorAuth, recordAudit, requireRole, setSocketPrincipal } from '@hub/identity';
import type { Telemetry } from '@hub/telemetry';
import type { Logger } from 'pino';
import { errorHandler, NotFoundError, storableValidatorCompiler } from '@hub/platform';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { StreamsOnDemand, StreamStartError } from './on-demand';
import { startRecorder, type Recorder } from './recording';
import { StreamIds } from './stream-ids';
import { iceServersFor } from './ice-servers';
import { ClusterStreams } from './cluster/streams';
import type { ClusterMember } from '@hub/cluster';
import { TerminalPublishers } from './terminal-video';

/** A unit's credential, `{unitId}:{secret}`, split; undefined for anything else. */
function unitCredential(token: string | undefined): { unitId: string; secret: string } | undefined {
  const colon = token?.indexOf(':') ?? -1;
  if (!token || colon <= 0) return undefined;
  return { unitId: token.slice(0, colon), secret: token.slice(colon + 1) };
}

/** The name a unit has in the audit log (an operator's username cannot contain ":"). */
const unitActor = (unitId: string) => `unit:${unitId}`;

/**
 * Who may do what, for WHIP/WHEP, the socket.io signalling and the stream list alike. Any
 * operator (session or admin token) views any stream, and each view is audited. A stream is
 * published by its unit, with its credential `{unitId}:{secret}` (its own stream id, the one
 * the hub issued to it, only), or by a coordinator or admin (a test publisher, an encoder at
 * the desk); a viewer may not publish (403). Publishes are audited once the SFU takes them
 * (auditPublish).
 */
async function authorize(db: pg.Pool, streamIds: StreamIds, telemetry: Telemetry, token: string | undefined, action: 'publish' | 'view', streamId: string): Promise<MediaGrant | false> {
  const principal = await telemetry.operators.authenticate(token);
  if (principal) {
    if (action === 'publish' && !roleAtLeast(principal.role, 'coordinator')) {
      throw new ForbiddenError(`${principal.username} is a ${principal.role} and may not publish video: a stream is published by its own unit, or by a coordinator or admin`);
    }
    // a view of one stream is audited; '*' is the stream list, which walls poll
    if (action === 'view' && streamId !== '*') await recordAudit(db, { actor: principal.username, action: 'video_view', target: streamId });
    return { by: principal.username };
  }
  const unit = action === 'publish' ? unitCredential(token) : undefined;
  if (!unit || (await streamIds.unitOf(streamId)) !== unit.unitId) return false;
  return (await verifyCredential(db, unit.unitId, unit.secret)) === 'ok' && { by: unitActor(unit.unitId) };
}

/** Who a /media socket is: an operator (whose session then also bounds the socket), or a unit with its current secret. */
async function authenticateSocket(db: pg.Pool, telemetry: Telemetry, token: string, socket: Socket): Promise<MediaPeer | null> {
  const principal = await telemetry.operators.authenticate(token);
  if (principal) {
    // an operator's media socket lives as long as their session: a logout or a disabled
    // operator cuts it (telemetry's guardOperatorSockets watches /media too)
    setSocketPrincipal(socket, token, principal);
    return { name: principal.username };
  }
  const unit = unitCredential(token);
  if (unit && (await verifyCredential(db, unit.unitId, unit.secret)) === 'ok') return { name: unitActor(unit.unitId) };
  return null;
}

/** Every publish the SFU takes is in the audit log: who, which stream, whose unit, over what (WHIP, socket.io, or a terminal's JT/T 1078 stream). */
async function auditPublish(db: pg.Pool, streamIds: StreamIds, e: Omit<PublishEvent, 'via'> & { via: PublishEvent['via'] | 'jt1078' }): Promise<void> {
  const unitId = (await streamIds.unitOf(e.streamId)) ?? null;
  await recordAudit(db, { actor: e.by ?? 'unknown', action: 'video_publish', target: e.streamId, detail: { unitId, via: e.via, sessionId: e.sessionId } });
}

export interface Media {
  router: Router;
  onDemand: StreamsOnDemand;
  /** server-side recording of streams (hub/src/recording.ts); the hub awaits its close before close() */
  recorder: Recorder;
  streamIds: StreamIds;
  /** in a cluster, a recording's segment file from the hub whose disk holds it */
  segmentFromHub?: (hubId: string, recordingId: string, seq: number) => Promise<AsyncIterable<Uint8Array>>;
  close(): void;
}

export async function startMedia(app: FastifyInstance, config: HubConfig, db: pg.Pool, telemetry: Telemetry, log: Logger, inCluster?: { member: ClusterMember; adminToken: string }): Promise<Media> {
  const cluster = inCluster?.member;
  const workerDeaths = new Counter({
    name: 'hub_media_worker_deaths_total',
    help: 'mediasoup workers that died (each started again; the peers on it signalled again)',
    registers: [telemetry.metrics.registry],
  });
  const router = await createRouter(config.media.engine, {
    additionalHostAddresses: config.media.additionalHostAddresses,
    portRange: config.media.portRange,
    workers: config.media.workers,
    viewersPerWorker: config.media.viewersPerWorker,
    rtcPort: config.media.rtcPort,
    onWorkerDied: (err, death) => {
      workerDeaths.inc();
      log.error({ err, ...death }, 'a mediasoup worker died: the streams and viewers on it were closed (they signal again); it starts again');
    },
  });
  const streamIds = new StreamIds(db);
  const authorizeMedia = (token: string | undefined, action: 'publish' | 'view', streamId: string) => authorize(db, streamIds, telemetry, token, action, streamId);
  // in a cluster: the stream registry says which hub hosts each stream, and a viewer of a stream hosted elsewhere is relayed there
  const streams = cluster ? new ClusterStreams(cluster, router, log.child({ module: 'cluster-streams' })) : undefined;
  const onPublish = async (e: PublishEvent) => {
    await auditPublish(db, streamIds, e);
    // the producer is added right after this hook: registered on the next turn
    if (streams) setImmediate(() => streams.reconcile());
  };
  await app.register(whipWhep, {
    router,
    authorize: authorizeMedia,
    onPublish,
    unitOf: (streamId) => streamIds.unitOf(streamId),
    maxViewers: config.media.maxViewers,
    corsOrigins: config.media.corsOrigins,
    relay: streams,
  });
  const signalling = attachSignalling({
    router,
    namespace: telemetry.io.of(MEDIA_NAMESPACE) as unknown as import('@hub/media-server').MediaNamespace,
    authenticate: (token, socket) => authenticateSocket(db, telemetry, token, socket),
    authorize: authorizeMedia,
    onPublish,
    streamIdForUnit: (unitId) => streamIds.forUnit(unitId),
    // a TURN credential of its own for each authenticated socket, named after it (coturn's log says who relayed)
    iceServers: (peer) => iceServersFor(config.media, peer.name),
    maxViewers: config.media.maxViewers,
    relay: streams,
    log: log.child({ module: 'signalling' }),
  });
  const liveness = watchPublisherLiveness({
    router,
    silenceMs: config.media.publisherSilenceSeconds * 1000,
    onSilent: (p) => log.warn({ streamId: p.streamId }, 'publisher silent: taken as gone'),
  });
  const onDemand = new StreamsOnDemand({
    router,
    telemetry,
    commands: app.unitCommands,
    streamIds,
    idleStopSeconds: config.media.idleStopSeconds,
    startTimeoutSeconds: config.media.startTimeoutSeconds,
    log: log.child({ module: 'on-demand' }),
    ...(cluster && streams ? { cluster: { hostedElsewhere: (id: string) => streams.hostedElsewhere(id), unitConnected: (id: string) => cluster.unitConnectedAnywhere(id) } } : {}),
  });
  await app.register(async (scope) => {
    scope.setValidatorCompiler(storableValidatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    scope.setErrorHandler(errorHandler);
    scope.addHook(
      'onRequest',
      operatorAuth((token) => telemetry.operators.authenticate(token)),
    );
    const api = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['streams'];
    api.post(
      '/api/streams/:unitId/start',
      {
        schema: {
          tags,
          summary: "Start a unit's camera on demand (or find it live) and get its stream id for WHEP; ?channel=N for a JT/T 808 terminal's other cameras",
          params: UnitIdParamsSchema,
          querystring: StreamStartQuerySchema,
          response: { 200: StreamStartResponseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 504: ApiErrorSchema },
        },
      },
      async (req) => {
        const { channel } = req.query;
        // a camera other than the first is a JT/T 808 terminal's channel, and must be one of its own
        if (channel !== 1 && !(await getUnit(db, req.params.unitId))?.jt808?.channels.includes(channel)) {
          throw new StreamStartError(
            'HUB_ERR_CAMERA_NOT_FOUND',
            404,
            `unit ${req.params.unitId} has no camera channel ${channel} (an MQTT unit has channel 1; a terminal the channels in its jt808.channels)`,
          );
        }
        const { streamId, state } = await onDemand.start(req.params.unitId, channel);
        return { unitId: req.params.unitId, channel, streamId, state, whep: `/whep/${streamId}` };
      },
    );
    api.get(
      '/api/units/:unitId/stream',
      {
        preHandler: requireRole('admin'),
        schema: {
          tags,
          summary: "A unit's stream id and WHIP/WHEP paths (admin), issued now if it has none: for setting up a third-party encoder while the unit is offline",
          params: UnitIdParamsSchema,
          response: { 200: UnitStreamSchema, 403: ApiErrorSchema, 404: ApiErrorSchema },
        },
      },
      async (req) => {
        const streamId = await streamIds.forUnit(req.params.unitId);
        if (!streamId) throw new NotFoundError('unit', req.params.unitId);
        return { unitId: req.params.unitId, streamId, whip: `/whip/${streamId}`, whep: `/whep/${streamId}` };
      },
    );
    api.get(
      '/api/media/ice-servers',
      { schema: { tags, summary: 'ICE servers (STUN, TURN with a short-lived credential) for this operator', response: { 200: IceServersResponseSchema } } },
      async (req) => ({ iceServers: iceServersFor(config.media, req.operator ?? 'operator') }),
    );
  });
  // a JT/T 808 terminal's cameras (JT/T 1078) come in through the gateway's media port into this SFU
  app.jt808?.useVideo(
    new TerminalPublishers({
      router,
      streamIds,
      audit: (streamId, unitId, sessionId) => auditPublish(db, streamIds, { streamId, sessionId, by: unitActor(unitId), via: 'jt1078' }),
      additionalHostAddresses: config.media.additionalHostAddresses,
      log: log.child({ module: 'jt1078' }),
    }),
  );
  const recorder = await startRecorder(app, { config, db, router, streamIds, telemetry, log, ...(streams && inCluster ? { cluster: { streams, token: inCluster.adminToken } } : {}) });
  // a hub that died cannot end its recordings: the hub that swept it does
  const onHubSwept = (hubId: string) => void recorder.endRecordingsOf(hubId).catch((err: unknown) => log.error({ err, hubId }, 'recording: a dead hub’s recordings were not ended'));
  cluster?.on('hubSwept', onHubSwept);
  return {
    router,
    onDemand,
    recorder,
    streamIds,
    ...(streams && inCluster
      ? {
          segmentFromHub: async (hubId: string, recordingId: string, seq: number) => {
            const res = await streams.fetchFrom(hubId, `/api/recordings/${recordingId}/segments/${seq}.ts`, inCluster.adminToken);
            if (!res.body) throw new Error(`hub ${hubId} sent no body`);
            return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
          },
        }
      : {}),
    close() {
      cluster?.off('hubSwept', onHubSwept);
      app.jt808?.useVideo(undefined);
      onDemand.close();
      streams?.close();
      liveness.close();
      signalling.close();
      router.close();
    },
  };
}

export type { MediaClientToServer, MediaServerToClient };
