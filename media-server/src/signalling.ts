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
import { AuthInvalidError, AuthRequiredError, BadRequestError, MediaError, PublisherLeftError, SessionNotFoundError, StreamEndedError, StreamNotFoundError } from './errors';
import type { MediaAuthorize, OnPublish, WhepRelay } from './whip-whep';
import { checkOfferDirection } from './offer-direction';
import { checkViewerLimit } from './viewer-limit';
import { claimStream } from './stream-claim';

export type MediaNamespace = Namespace<MediaClientToServer, MediaServerToClient>;
type MediaSocket = Socket<MediaClientToServer, MediaServerToClient>;

/** The little of a pino logger this module uses. */
export interface SignallingLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Who a socket is, once its credential was accepted at connection. */
export interface MediaPeer {
  /** as the audit log and the TURN credential name it: an operator's username, `unit:{id}`… */
  name: string;
}

export interface SignallingOptions {
  router: Router;
  /** e.g. `io.of('/media')` on the hub's socket.io server */
  namespace: MediaNamespace;
  /**
   * Checks a socket's credential before it connects (and before `hello`, whose ICE servers may
   * carry a TURN credential): the peer, or null to refuse it with HUB_ERR_AUTH_INVALID. It may
   * remember more about the socket (e.g. its operator session).
   */
  authenticate: (token: string, socket: Socket) => Promise<MediaPeer | null>;
  /** the same callback WHIP/WHEP use: a grant when the token may publish / view this stream */
  authorize: MediaAuthorize;
  /** see OnPublish; default none */
  onPublish?: OnPublish;
  /** a publisher that names its unit instead of a stream id gets the unit's stream id; default: refused */
  streamIdForUnit?: (unitId: string) => Promise<string | undefined>;
  /** given to each authenticated client in `hello`; default none */
  iceServers?: (peer: MediaPeer) => IceServer[];
  /** viewers served at once, all streams together (see viewer-limit.ts); default no limit */
  maxViewers?: number;
  /** a stream hosted by another hub is viewed there, its offer relayed as a WHEP request (see WhepRelay); default none */
  relay?: WhepRelay;
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

  // authenticated before `connection`: a socket whose credential is not accepted never gets
  // `hello`, so no TURN credential reaches it
  namespace.use((socket, next) => {
    const refuse = (err: MediaError) => next(Object.assign(new Error(err.message), { data: { code: err.code, message: err.message } }));
    const token = tokenOf(socket);
    if (!token) return refuse(new AuthRequiredError('publishing or viewing'));
    opts.authenticate(token, socket).then(
      (peer) => {
        if (!peer) {
          log?.warn({ remote: socket.handshake.address }, 'media signalling refused: credential not accepted');
          return refuse(new MediaError('HUB_ERR_AUTH_INVALID', 401, 'the credential was not accepted: connect with an operator token, or a unit\'s current "unitId:secret"'));
        }
        (socket.data as { mediaPeer?: MediaPeer }).mediaPeer = peer;
        next();
      },
      (err: unknown) => {
        log?.warn({ err }, 'media signalling: the credential could not be checked');
        refuse(new MediaError('HUB_ERR_MEDIA_INTERNAL', 500, 'the credential could not be checked just now: try again'));
      },
    );
  });

  const authorize = async (socket: MediaSocket, action: 'publish' | 'view', streamId: string) => {
    const token = tokenOf(socket);
    const grant = await opts.authorize(token, action, streamId);
    if (!grant) {
      log?.warn({ action, streamId, remote: socket.handshake.address }, 'media signalling refused: credential not accepted');
      throw token ? new AuthInvalidError(action, streamId) : new AuthRequiredError(action);
    }
    return grant === true ? undefined : grant;
  };

  namespace.on('connection', (socket: MediaSocket) => {
    const sessions = new Map<string, Session>();
    sockets.set(socket.id, sessions);
    const peer = (socket.data as { mediaPeer: MediaPeer }).mediaPeer;
    socket.emit('hello', { iceServers: opts.iceServers?.(peer) ?? [] });

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
        const grant = await authorize(socket, 'publish', streamId);
        checkOfferDirection(req.sdp, 'publish');
        await claimStream(router, streamId);
        const transport = router.createWebRtcTransport();
        const { answerSdp, producer } = await transport.publish(streamId, req.sdp);
        try {
          if (!socket.connected) throw new SessionNotFoundError(transport.id);
          await opts.onPublish?.({ streamId, sessionId: transport.id, by: grant?.by, via: 'socket.io' });
        } catch (err) {
          transport.close();
          throw err;
        }
        router.addProducer(producer);
        const session: Session = { transport, streamId, role: 'publisher' };
        track(session, (state, err) => socket.emit('state', { sessionId: transport.id, streamId: streamId!, state, code: err?.code, message: err?.message }));
        log?.info({ streamId, sessionId: transport.id }, 'publisher joined over socket.io');
        return { ok: true, streamId, sessionId: transport.id, sdp: answerSdp, state: 'live' };
      }),
    );

    // viewers relayed to the hub that hosts their stream: by session id, the WHEP session's URL there
    const relayed = new Map<string, { host: NonNullable<Awaited<ReturnType<WhepRelay['hostOf']>>>; location: string }>();
    const endRelayed = (sessionId: string) => {
      const session = relayed.get(sessionId);
      relayed.delete(sessionId);
      void session?.host.send({ method: 'DELETE', path: session.location, token: tokenOf(socket) }).catch(() => {});
    };
    socket.on('view', (msg, ack) =>
      answer(ack, async () => {
        const req = parsed(MediaViewRequestSchema, msg);
        const host = router.producers.has(req.streamId) ? undefined : await opts.relay?.hostOf(req.streamId);
        if (host) {
          // that hub authorizes, counts and audits the view; media flows between the browser and it
          const path = `/whep/${encodeURIComponent(req.streamId)}${req.maxHeight ? `?maxHeight=${req.maxHeight}` : ''}`;
          const res = await host.send({ method: 'POST', path, token: tokenOf(socket), offer: req.sdp });
          if (res.status !== 201 || !res.location) {
            const err = (res.contentType?.includes('json') ? JSON.parse(res.body) : {}) as { code?: string; message?: string };
            throw new MediaError(err.code ?? 'HUB_ERR_STREAM_HOST_UNREACHABLE', res.status, err.message ?? `the hub that hosts stream "${req.streamId}" answered ${res.status}`);
          }
          const sessionId = res.location.split('/').pop()!;
          relayed.set(sessionId, { host, location: res.location });
          return { ok: true, streamId: req.streamId, sessionId, sdp: res.body, state: 'live' };
        }
        await authorize(socket, 'view', req.streamId);
        const producer = router.producers.get(req.streamId);
        if (!producer) throw new StreamNotFoundError(req.streamId);
        checkOfferDirection(req.sdp, 'view');
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
        consumer.on('producerpause', () => emit('reconnecting', new PublisherLeftError(req.streamId)));
        consumer.on('producerresume', () => emit('live'));
        return { ok: true, streamId: req.streamId, sessionId, sdp: answerSdp, state: consumer.paused ? 'reconnecting' : 'live' };
      }),
    );

    socket.on('close', (msg, ack) => {
      try {
        const { sessionId } = parsed(MediaCloseRequestSchema, msg);
        if (relayed.has(sessionId)) {
          endRelayed(sessionId);
          if (typeof ack === 'function') ack({ ok: true });
          return;
        }
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
      for (const id of [...relayed.keys()]) endRelayed(id);
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
