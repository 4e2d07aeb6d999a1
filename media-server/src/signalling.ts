// Publish and view over socket.io (namespace /media): the same SDP offer/answer as
// WHIP/WHEP (RFC 9725), with typed state events so a wall tile can show "reconnecting".
// A socket owns its sessions: when it goes, its transports are closed.
import type { Namespace, Socket } from 'socket.io';
import {
  MediaCloseRequestSchema,
  MediaKeyFrameRequestSchema,
  MediaLayerRequestSchema,
  MediaPublishRequestSchema,
  MediaViewRequestSchema,
  type IceServer,
  type MediaAnswer,
  type MediaClientToServer,
  type MediaRefusal,
  type MediaServerToClient,
  type StreamState,
} from '@hub/config';
import type { Consumer, Router, WebRtcTransport } from './engine/types';
import { AuthInvalidError, AuthRequiredError, BadRequestError, MediaError, SessionNotFoundError, StreamEndedError, StreamNotFoundError } from './errors';
import type { MediaAuthorize } from './whip-whep';
import { checkViewerLimit } from './viewer-limit';
import { claimStream } from './stream-claim';

export type MediaNamespace = Namespace<MediaClientToServer, MediaServerToClient>;
type MediaSocket = Socket<MediaClientToServer, MediaServerToClient>;

/** The little of a pino logger this module uses. */
export interface SignallingLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SignallingOptions {
  router: Router;
  /** e.g. `io.of('/media')` on the hub's socket.io server */
  namespace: MediaNamespace;
  /** the same callback WHIP/WHEP use: true when the token may publish / view this stream */
  authorize: MediaAuthorize;
  /** a publisher that names its unit instead of a stream id gets the unit's stream id; default: refused */
  streamIdForUnit?: (unitId: string) => Promise<string | undefined>;
  /** given to every client in `hello`; default none */
  iceServers?: () => IceServer[];
  /** viewers served at once, all streams together (see viewer-limit.ts); default no limit */
  maxViewers?: number;
  log?: SignallingLog;
}

interface Session {
  transport: WebRtcTransport;
  streamId: string;
  role: 'publisher' | 'viewer';
  /** a viewer's consumer */
  consumer?: Consumer;
}

function tokenOf(socket: MediaSocket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown };
  if (typeof auth.token === 'string' && auth.token) return auth.token;
  return /^Bearer\s+(\S+)$/i.exec(socket.handshake.headers.authorization ?? '')?.[1];
}

function refusal(err: unknown): MediaRefusal {
  if (err instanceof MediaError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'HUB_ERR_MEDIA_INTERNAL', message: 'the media server could not complete the request' };
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, msg: unknown): T {
  const r = schema.safeParse(msg);
  if (r.success) return r.data;
  throw new BadRequestError(r.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '));
}

/** Attaches publish/view/close handlers to the namespace; returns a function that closes every session. */
export function attachSignalling(opts: SignallingOptions): { close(): void } {
  const { router, namespace, log } = opts;
  const sockets = new Map<string, Map<string, Session>>();

  namespace.use((socket, next) => {
    if (tokenOf(socket)) return next();
    const err = new AuthRequiredError('publishing or viewing') as Error & { data?: unknown };
    err.data = { code: (err as AuthRequiredError).code, message: err.message };
    next(err);
  });

  const authorize = async (socket: MediaSocket, action: 'publish' | 'view', streamId: string) => {
    const token = tokenOf(socket);
    if (!(await opts.authorize(token, action, streamId))) {
      log?.warn({ action, streamId, remote: socket.handshake.address }, 'media signalling refused: credential not accepted');
      throw token ? new AuthInvalidError(action, streamId) : new AuthRequiredError(action);
    }
  };

  namespace.on('connection', (socket: MediaSocket) => {
    const sessions = new Map<string, Session>();
    sockets.set(socket.id, sessions);
    socket.emit('hello', { iceServers: opts.iceServers?.() ?? [] });

    const track = (session: Session, sendState: (state: StreamState, err?: MediaError) => void) => {
      const id = session.transport.id;
      sessions.set(id, session);
      session.transport.once('close', () => {
        if (!sessions.delete(id)) return; // closed at the client's request
        sendState('ended', new StreamEndedError(session.streamId));
      });
    };

    const answer = (ack: unknown, run: () => Promise<MediaAnswer>) => {
      if (typeof ack !== 'function') return; // a request without an ack cannot be answered
      run().then(
        (res) => ack(res),
        (err: unknown) => {
          if (!(err instanceof MediaError)) log?.warn({ err }, 'media signalling request failed');
          ack(refusal(err));
        },
      );
    };

    socket.on('publish', (msg, ack) =>
      answer(ack, async () => {
        const req = parsed(MediaPublishRequestSchema, msg);
        let streamId = req.streamId;
        if (!streamId) {
          streamId = await opts.streamIdForUnit?.(req.unitId!);
          // an unknown unit is refused like a wrong secret: existence is not disclosed
          if (!streamId) throw tokenOf(socket) ? new AuthInvalidError('publish', `of unit ${req.unitId}`) : new AuthRequiredError('publish');
        }
        await authorize(socket, 'publish', streamId);
        await claimStream(router, streamId);
        const transport = router.createWebRtcTransport();
        const { answerSdp, producer } = await transport.publish(streamId, req.sdp);
        if (!socket.connected) {
          transport.close();
          throw new SessionNotFoundError(transport.id);
        }
        router.addProducer(producer);
        const session: Session = { transport, streamId, role: 'publisher' };
        track(session, (state, err) => socket.emit('state', { sessionId: transport.id, streamId: streamId!, state, code: err?.code, message: err?.message }));
        log?.info({ streamId, sessionId: transport.id }, 'publisher joined over socket.io');
        return { ok: true, streamId, sessionId: transport.id, sdp: answerSdp, state: 'live' };
      }),
    );

    socket.on('view', (msg, ack) =>
      answer(ack, async () => {
        const req = parsed(MediaViewRequestSchema, msg);
        await authorize(socket, 'view', req.streamId);
        const producer = router.producers.get(req.streamId);
        if (!producer) throw new StreamNotFoundError(req.streamId);
        checkViewerLimit(router, opts.maxViewers);
        const transport = router.createWebRtcTransport();
        const { answerSdp, consumer } = await transport.consume(producer, req.sdp, { maxHeight: req.maxHeight });
        if (!socket.connected) {
          transport.close();
          throw new SessionNotFoundError(transport.id);
        }
        const sessionId = transport.id;
        const emit = (state: StreamState, err?: MediaError) => socket.emit('state', { sessionId, streamId: req.streamId, state, code: err?.code, message: err?.message });
        track({ transport, streamId: req.streamId, role: 'viewer', consumer }, emit);
        consumer.on('producerpause', () => emit('reconnecting'));
        consumer.on('producerresume', () => emit('live'));
        return { ok: true, streamId: req.streamId, sessionId, sdp: answerSdp, state: consumer.paused ? 'reconnecting' : 'live' };
      }),
    );

    socket.on('close', (msg, ack) => {
      try {
        const { sessionId } = parsed(MediaCloseRequestSchema, msg);
        const session = sessions.get(sessionId);
        if (!session) throw new SessionNotFoundError(sessionId);
        sessions.delete(sessionId);
        session.transport.close();
        if (typeof ack === 'function') ack({ ok: true });
      } catch (err) {
        if (typeof ack === 'function') ack(refusal(err));
      }
    });

    socket.on('keyframe', (msg) => {
      const r = MediaKeyFrameRequestSchema.safeParse(msg);
      const session = r.success ? sessions.get(r.data.sessionId) : undefined;
      session?.consumer?.requestKeyFrame();
    });

    socket.on('layer', (msg) => {
      const r = MediaLayerRequestSchema.safeParse(msg);
      const session = r.success ? sessions.get(r.data.sessionId) : undefined;
      if (r.success) session?.consumer?.setMaxHeight(r.data.maxHeight ?? undefined);
    });

    socket.on('disconnect', () => {
      sockets.delete(socket.id);
      for (const s of [...sessions.values()]) s.transport.close();
      sessions.clear();
    });
  });

  return {
    close() {
      for (const sessions of sockets.values()) for (const s of [...sessions.values()]) s.transport.close();
      sockets.clear();
      namespace.disconnectSockets(true);
    },
  };
}
