// The media role: the WebRTC SFU with WHIP publish and WHEP view on the hub's port, the
// socket.io signalling (namespace /media) for browsers, cameras on demand, ICE servers.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { MEDIA_NAMESPACE, type HubConfig, type MediaClientToServer, type MediaServerToClient } from '@hub/config';
import { WeriftRouter, attachSignalling, watchPublisherLiveness, whipWhep, type Router } from '@hub/media-server';
import { verifyCredential } from '@hub/telemetry/store/credentials';
import { operatorAuth } from '@hub/telemetry/api/auth';
import { recordAudit } from '@hub/telemetry/store/audit';
import { handshakeToken, setSocketPrincipal } from '@hub/telemetry/auth/socket-sessions';
import type { Telemetry } from '@hub/telemetry';
import type { Logger } from 'pino';
import { StreamStartError, StreamsOnDemand } from './on-demand';
import { startRecorder, type Recorder } from './recording';
import { StreamIds } from './stream-ids';
import { iceServersFor } from './ice-servers';

/**
 * Who may do what, for WHIP/WHEP, the socket.io signalling and the stream list alike: an
 * operator (session or admin token) publishes and views any stream, and each view is
 * audited; a unit's credential, sent as `{unitId}:{secret}`, publishes its own stream (the
 * stream id the hub issued to it) only.
 */
async function authorize(
  db: pg.Pool,
  streamIds: StreamIds,
  telemetry: Telemetry,
  token: string | undefined,
  action: 'publish' | 'view',
  streamId: string,
): Promise<boolean> {
  const principal = await telemetry.operators.authenticate(token);
  if (principal) {
    // a view of one stream is audited; '*' is the stream list, which walls poll
    if (action === 'view' && streamId !== '*') await recordAudit(db, { actor: principal.username, action: 'video_view', target: streamId });
    return true;
  }
  if (action !== 'publish' || !token) return false;
  const colon = token.indexOf(':');
  if (colon <= 0) return false;
  const unitId = token.slice(0, colon);
  if ((await streamIds.unitOf(streamId)) !== unitId) return false;
  return (await verifyCredential(db, unitId, token.slice(colon + 1))) === 'ok';
}

export interface Media {
  router: Router;
  onDemand: StreamsOnDemand;
  /** server-side recording of streams (hub/src/recording.ts); the hub awaits its close before close() */
  recorder: Recorder;
  streamIds: StreamIds;
  close(): void;
}

export async function startMedia(app: FastifyInstance, config: HubConfig, db: pg.Pool, telemetry: Telemetry, log: Logger): Promise<Media> {
  const router = new WeriftRouter({ additionalHostAddresses: config.media.additionalHostAddresses, portRange: config.media.portRange });
  const streamIds = new StreamIds(db);
  const authorizeMedia = (token: string | undefined, action: 'publish' | 'view', streamId: string) => authorize(db, streamIds, telemetry, token, action, streamId);
  await app.register(whipWhep, { router, authorize: authorizeMedia, unitOf: (streamId) => streamIds.unitOf(streamId), maxViewers: config.media.maxViewers });
  // An operator's media socket lives as long as their session: a logout or a disabled
  // operator cuts it (telemetry's guardOperatorSockets watches /media too).
  telemetry.io.of(MEDIA_NAMESPACE).use((socket, next) => {
    const token = handshakeToken(socket);
    telemetry.operators.authenticate(token).then(
      (principal) => {
        if (principal && token) setSocketPrincipal(socket, token, principal);
        next();
      },
      () => next(),
    );
  });
  const signalling = attachSignalling({
    router,
    namespace: telemetry.io.of(MEDIA_NAMESPACE) as unknown as import('@hub/media-server').MediaNamespace,
    authorize: authorizeMedia,
    streamIdForUnit: (unitId) => streamIds.forUnit(unitId),
    iceServers: () => iceServersFor(config.media, 'media'),
    maxViewers: config.media.maxViewers,
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
    streamIds,
    idleStopSeconds: config.media.idleStopSeconds,
    startTimeoutSeconds: config.media.startTimeoutSeconds,
    log: log.child({ module: 'on-demand' }),
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', operatorAuth((token) => telemetry.operators.authenticate(token)));
    scope.post<{ Params: { unitId: string } }>('/api/streams/:unitId/start', async (req, reply) => {
      try {
        const { streamId, state } = await onDemand.start(req.params.unitId);
        return { unitId: req.params.unitId, streamId, state, whep: `/whep/${streamId}` };
      } catch (err) {
        if (err instanceof StreamStartError) return reply.code(err.statusCode).send({ code: err.code, message: err.message });
        throw err;
      }
    });
    scope.get('/api/media/ice-servers', async (req) => ({ iceServers: iceServersFor(config.media, req.operator ?? 'operator') }));
  });
  const recorder = await startRecorder(app, { config, db, router, streamIds, telemetry, log });
  return {
    router,
    onDemand,
    recorder,
    streamIds,
    close() {
      onDemand.close();
      liveness.close();
      signalling.close();
      router.close();
    },
  };
}

export type { MediaClientToServer, MediaServerToClient };
