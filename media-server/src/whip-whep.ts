// WHIP publish and WHEP view (RFC 9725 shape): POST an SDP offer, get 201 with the SDP
// answer and the session's URL in Location; DELETE that URL to end the session.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorHandler as hubErrorHandler, HubError, storableValidatorCompiler } from '@hub/platform';
import { BodyTooLargeError, MediaError, MethodNotAllowedError, SessionNotFoundError, StreamNotFoundError } from './errors';
import { SdpOfferBodySchema, SDP_MAX_BYTES, StreamInfoSchema, WhepQuerySchema, WhipEndpointParamsSchema, WhipSessionParamsSchema, type StreamInfo } from '@hub/config';
import type { Router, WebRtcTransport } from './engine/types';
import { checkViewerLimit } from './viewer-limit';
import { claimStream } from './stream-claim';
import { checkOfferDirection } from './offer-direction';
import { Cors } from './cors';

/** Who was let in: the name the audit log records (an operator's username, `unit:{id}`…). */
export interface MediaGrant {
  by: string;
}

/**
 * The one authorization callback of the media server (WHIP/WHEP, socket.io signalling,
 * GET /api/streams): a grant (or true) when the token may publish / view this stream, false
 * when the credential is missing or not accepted (401). It may throw a MediaError, e.g.
 * ForbiddenError (403) for a valid credential whose role may not. The stream list asks with
 * action 'view' and streamId '*'.
 */
export type MediaAuthorize = (token: string | undefined, action: 'publish' | 'view', streamId: string) => boolean | MediaGrant | Promise<boolean | MediaGrant>;

/** A publisher the SFU took, before its answer leaves: for the audit log. */
export interface PublishEvent {
  streamId: string;
  sessionId: string;
  /** the grant's name; undefined when the callback answered just true */
  by: string | undefined;
  via: 'whip' | 'socket.io';
}

/** Called for each publisher taken, awaited before the answer; a throw refuses the publish (nothing unaudited goes live). */
export type OnPublish = (event: PublishEvent) => void | Promise<void>;

export interface WhipWhepOptions {
  router: Router;
  authorize: MediaAuthorize;
  /** the unit a stream belongs to, for GET /api/streams; default none */
  unitOf?: (streamId: string) => string | undefined | Promise<string | undefined>;
  /** viewers served at once, all streams together (see viewer-limit.ts); default no limit */
  maxViewers?: number;
  /** see OnPublish; default none */
  onPublish?: OnPublish;
  /** web origins allowed to use WHIP/WHEP from another origin, "*" any (see cors.ts); default none */
  corsOrigins?: readonly string[];
  /** see WhepRelay; default none (a stream not hosted here is a 404) */
  relay?: WhepRelay;
}

/** A WHEP request as relayed to the hub that hosts the stream (path and bearer token as the viewer sent them). */
export interface RelayedRequest {
  method: 'POST' | 'DELETE';
  /** e.g. /whep/{streamId}?maxHeight=360 or /whep/{streamId}/{sessionId}: the same on every hub */
  path: string;
  token: string | undefined;
  /** the SDP offer of a POST */
  offer?: string;
}

/** That hub's answer, passed on to the viewer as it is. */
export interface RelayedAnswer {
  status: number;
  contentType: string | undefined;
  /** a relative URL (/whep/{streamId}/{sessionId}), so later requests come back to the hub the viewer talks to */
  location: string | undefined;
  body: string;
}

/**
 * Where a stream whose producer is not here lives (a cluster's stream registry): the WHEP
 * signalling is relayed to that hub server-side, and media flows between the viewer and it.
 */
export interface WhepRelay {
  /** the other hub that hosts the stream's producer; undefined when none does (404 here) */
  hostOf(streamId: string): Promise<{ send(request: RelayedRequest): Promise<RelayedAnswer> } | undefined>;
  /** this hub's name in the cluster */
  readonly hubId: string;
  /** the streams the other hubs host, each hub asked with the operator's token; a hub that does not answer is named in `unreachable` */
  otherHubsStreams(token: string | undefined): Promise<{ streams: StreamInfo[]; unreachable: string[] }>;
}

/** marks a relayed request: the hub that gets it answers itself and never relays it on (no loop while the registry changes) */
export const RELAYED_HEADER = 'x-hub-relayed';

type Kind = 'whip' | 'whep';

const tags = ['streams'];

/** RFC 9725 §4.3: a session takes DELETE only (no trickle ICE, no ICE restart: the answer carries every candidate). */
const SESSION_ALLOW = 'DELETE, OPTIONS';
const ENDPOINT_ALLOW = 'POST, OPTIONS';

function bearer(req: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** Fastify's own refusals of a WHIP/WHEP body in the protocol's words; then the hub's one mapping. */
function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return hubErrorHandler(new BodyTooLargeError(SDP_MAX_BYTES), req, reply);
  if (!(err instanceof HubError) && err.statusCode === 415) return hubErrorHandler(notAnOffer(), req, reply);
  hubErrorHandler(err, req, reply);
}

const notAnOffer = () => new MediaError('HUB_ERR_SDP_OFFER', 415, 'the body must be an SDP offer with Content-Type: application/sdp');

export async function whipWhep(app: FastifyInstance, opts: WhipWhepOptions): Promise<void> {
  const { router } = opts;
  const cors = new Cors(opts.corsOrigins ?? []);
  // each kind's own sessions: a WHIP session cannot be ended through a /whep/ URL, nor a
  // socket.io session through either
  const sessions: Record<Kind, Map<string, { streamId: string; transport: WebRtcTransport }>> = { whip: new Map(), whep: new Map() };
  const track = (kind: Kind, streamId: string, transport: WebRtcTransport) => {
    sessions[kind].set(transport.id, { streamId, transport });
    transport.once('close', () => sessions[kind].delete(transport.id));
  };

  app.setValidatorCompiler(storableValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // an SDP offer is the only body taken here: anything else (JSON…) is a 415 naming what to send
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/sdp', { parseAs: 'string', bodyLimit: SDP_MAX_BYTES }, (_req, body, done) => done(null, body));
  // a trickle-ICE PATCH (RFC 8840 fragment) is read, so that it gets its 405 rather than a 415
  app.addContentTypeParser('application/trickle-ice-sdpfrag', { parseAs: 'string', bodyLimit: SDP_MAX_BYTES }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', async (req, reply) => {
    if (/^\/(whip|whep)\//.test(req.url)) cors.decorate(req, reply);
  });

  const guard = (action: 'publish' | 'view') => async (req: FastifyRequest) => {
    const token = bearer(req);
    const streamId = (req.params as { streamId?: string }).streamId ?? '*';
    // a refusal the authorizer throws (403, 503…) goes to the error handler as it is
    const grant = await opts.authorize(token, action, streamId);
    if (grant) {
      req.mediaGrant = grant === true ? undefined : grant;
      return;
    }
    // RFC 9725 §4.5: authentication by bearer token
    throw new MediaError(token ? 'HUB_ERR_AUTH_INVALID' : 'HUB_ERR_AUTH_REQUIRED', 401, `a valid bearer token is required to ${action} a stream`);
  };
  // a viewer of a stream hosted by another hub: that hub authorizes, counts and audits the view
  // (the token is valid on every hub), so nothing of it happens here
  const relayOrGuard = async (req: FastifyRequest) => {
    const { streamId, sessionId } = req.params as { streamId: string; sessionId?: string };
    const local = sessionId === undefined ? router.producers.has(streamId) : sessions.whep.has(sessionId);
    const host = local || !opts.relay || req.headers[RELAYED_HEADER] ? undefined : await opts.relay.hostOf(streamId);
    if (host) req.whepRelay = host;
    else await guard('view')(req);
  };
  const relay = async (req: FastifyRequest, reply: FastifyReply, offer?: string) => {
    const answer = await req.whepRelay!.send({ method: req.method === 'DELETE' ? 'DELETE' : 'POST', path: req.url, token: bearer(req), ...(offer === undefined ? {} : { offer }) });
    if (answer.location) reply.header('location', answer.location);
    if (answer.contentType) reply.header('content-type', answer.contentType);
    return reply.code(answer.status).send(answer.body);
  };
  const sdpBody = (req: FastifyRequest): string => {
    if (req.headers['content-type']?.split(';')[0]?.trim() !== 'application/sdp' || typeof req.body !== 'string') {
      throw notAnOffer();
    }
    return req.body;
  };

  const zod = app.withTypeProvider<ZodTypeProvider>();
  zod.post(
    '/whip/:streamId',
    { onRequest: guard('publish'), schema: { tags, summary: 'WHIP: publish a stream (SDP offer in, answer out)', params: WhipEndpointParamsSchema, body: SdpOfferBodySchema } },
    async (req, reply) => {
      const { streamId } = req.params;
      const offer = sdpBody(req);
      checkOfferDirection(offer, 'publish');
      await claimStream(router, streamId);
      const transport = router.createWebRtcTransport();
      const { answerSdp, producer } = await transport.publish(streamId, offer);
      try {
        await opts.onPublish?.({ streamId, sessionId: transport.id, by: req.mediaGrant?.by, via: 'whip' });
      } catch (err) {
        transport.close();
        throw err;
      }
      router.addProducer(producer);
      track('whip', streamId, transport);
      return reply.code(201).header('content-type', 'application/sdp').header('location', `/whip/${streamId}/${transport.id}`).send(answerSdp);
    },
  );

  zod.post(
    '/whep/:streamId',
    {
      onRequest: relayOrGuard,
      schema: {
        tags,
        summary: 'WHEP: view a stream (SDP offer in, answer out; relayed to the hub that hosts it)',
        params: WhipEndpointParamsSchema,
        querystring: WhepQuerySchema,
        body: SdpOfferBodySchema,
      },
    },
    async (req, reply) => {
      const { streamId } = req.params;
      const offer = sdpBody(req);
      if (req.whepRelay) return relay(req, reply, offer);
      // ?maxHeight=N: of a simulcast stream, the smallest layer at least N pixels tall
      const { maxHeight } = req.query;
      const producer = router.producers.get(streamId);
      if (!producer) throw new StreamNotFoundError(streamId);
      checkOfferDirection(offer, 'view');
      checkViewerLimit(router, opts.maxViewers);
      const transport = router.createWebRtcTransport();
      const { answerSdp } = await transport.consume(producer, offer, { maxHeight });
      track('whep', streamId, transport);
      return reply.code(201).header('content-type', 'application/sdp').header('location', `/whep/${streamId}/${transport.id}`).send(answerSdp);
    },
  );

  // Per-stream figures for operators: bitrate comes from the byte count over the producer's age.
  zod.get(
    '/api/streams',
    {
      onRequest: guard('view'),
      schema: {
        tags,
        summary: 'Streams with a live publisher',
        description:
          'In a cluster, the streams of every hub, each with the hub that hosts it (`hubId`); a hub that does not answer within a few seconds is left out and named in the `x-hub-streams-unreachable` header.',
        response: { 200: StreamInfoSchema.array() },
      },
    },
    async (req, reply): Promise<StreamInfo[]> => {
      const here = await localStreams();
      if (!opts.relay || req.headers[RELAYED_HEADER]) return here;
      const hubId = opts.relay.hubId;
      const others = await opts.relay.otherHubsStreams(bearer(req));
      if (others.unreachable.length) void reply.header('x-hub-streams-unreachable', others.unreachable.join(','));
      return [...here.map((s) => ({ ...s, hubId })), ...others.streams];
    },
  );

  async function localStreams(): Promise<StreamInfo[]> {
    const producers = [...router.producers.values()];
    const units = await Promise.all(producers.map((p) => opts.unitOf?.(p.streamId)));
    const stats = await Promise.all(producers.map((p) => p.stats()));
    return producers.map((p, i) => {
      const s = stats[i]!;
      const seconds = s.since ? (Date.now() - s.since) / 1000 : 0;
      return {
        streamId: p.streamId,
        unitId: units[i] ?? null,
        mimeType: p.mimeType ?? null,
        viewers: p.consumers.size,
        packets: s.packets,
        bitrateKbps: seconds > 0 ? Math.round((s.bytes * 8) / seconds / 1000) : 0,
        uptimeSeconds: Math.round(seconds),
        keyFrameRequests: s.keyFrameRequests,
        audioMimeType: p.audio?.mimeType ?? null,
        layers: s.layers.map((l) => ({ rid: l.rid, width: l.width, height: l.height, bitrateKbps: Math.round(l.bitrate / 1000), fps: l.fps })),
        consumers: s.consumers.map((c) => ({ id: c.id, layer: c.layer, maxHeight: c.maxHeight })),
      };
    });
  }

  for (const [kind, action] of [
    ['whip', 'publish'],
    ['whep', 'view'],
  ] as const) {
    const name = kind.toUpperCase();
    const onRequest = kind === 'whep' ? relayOrGuard : guard(action);
    zod.delete(`/${kind}/:streamId/:sessionId`, { onRequest, schema: { tags, summary: `${name}: end a session`, params: WhipSessionParamsSchema } }, async (req, reply) => {
      if (req.whepRelay) return relay(req, reply);
      const session = sessions[kind].get(req.params.sessionId);
      if (!session || session.streamId !== req.params.streamId) throw new SessionNotFoundError(req.params.sessionId);
      session.transport.close();
      return reply.code(200).send();
    });
    app.options(`/${kind}/:streamId/:sessionId`, async (req, reply) => cors.preflight(req, reply, SESSION_ALLOW));
    app.options(`/${kind}/:streamId`, async (req, reply) => cors.preflight(req, reply.header('accept-post', 'application/sdp'), ENDPOINT_ALLOW));
    app.route({
      method: ['GET', 'PUT', 'PATCH'],
      url: `/${kind}/:streamId/:sessionId`,
      handler: async () => {
        throw new MethodNotAllowedError(SESSION_ALLOW, `a ${name} session takes only DELETE: trickle ICE and ICE restarts (PATCH) are not supported, the answer to the offer carries every candidate`);
      },
    });
    app.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url: `/${kind}/:streamId`,
      handler: async () => {
        throw new MethodNotAllowedError(ENDPOINT_ALLOW, `a ${name} endpoint takes only POST with an SDP offer`);
      },
    });
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** who the media authorization let in (WHIP/WHEP) */
    mediaGrant?: MediaGrant;
    /** the hub a WHEP request is relayed to (WhepRelay) */
    whepRelay?: Awaited<ReturnType<WhepRelay['hostOf']>>;
  }
}
