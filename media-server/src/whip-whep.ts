// WHIP publish and WHEP view (RFC 9725 shape): POST an SDP offer, get 201 with the SDP
// answer and the session's URL in Location; DELETE that URL to end the session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, MediaError, SessionNotFoundError, StreamNotFoundError } from './errors';
import { MaxHeightSchema, type StreamInfo } from '@hub/config';
import type { Router } from './engine/types';
import { checkViewerLimit } from './viewer-limit';
import { claimStream } from './stream-claim';

/**
 * The one authorization callback of the media server (WHIP/WHEP, socket.io signalling,
 * GET /api/streams): true when the token may publish / view this stream. The stream list
 * asks with action 'view' and streamId '*'.
 */
export type MediaAuthorize = (token: string | undefined, action: 'publish' | 'view', streamId: string) => boolean | Promise<boolean>;

export interface WhipWhepOptions {
  router: Router;
  authorize: MediaAuthorize;
  /** the unit a stream belongs to, for GET /api/streams; default none */
  unitOf?: (streamId: string) => string | undefined | Promise<string | undefined>;
  /** viewers served at once, all streams together (see viewer-limit.ts); default no limit */
  maxViewers?: number;
}

function bearer(req: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof MediaError) return reply.code(err.statusCode).send({ code: err.code, message: err.message });
  throw err;
}

export async function whipWhep(app: FastifyInstance, opts: WhipWhepOptions): Promise<void> {
  const { router } = opts;
  app.addContentTypeParser('application/sdp', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  const guard = (action: 'publish' | 'view') => async (req: FastifyRequest, reply: FastifyReply) => {
    const token = bearer(req);
    const streamId = (req.params as { streamId?: string }).streamId ?? '*';
    if (!(await opts.authorize(token, action, streamId))) {
      // RFC 9725 §4.5: authentication by bearer token
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ code: token ? 'HUB_ERR_AUTH_INVALID' : 'HUB_ERR_AUTH_REQUIRED', message: `a valid bearer token is required to ${action} a stream` });
    }
  };
  const sdpBody = (req: FastifyRequest): string => {
    if (req.headers['content-type']?.split(';')[0]?.trim() !== 'application/sdp' || typeof req.body !== 'string') {
      throw new MediaError('HUB_ERR_SDP_OFFER', 415, 'the body must be an SDP offer with Content-Type: application/sdp');
    }
    return req.body;
  };

  app.post<{ Params: { streamId: string } }>('/whip/:streamId', { onRequest: guard('publish') }, async (req, reply) => {
    try {
      const { streamId } = req.params;
      const offer = sdpBody(req);
      await claimStream(router, streamId);
      const transport = router.createWebRtcTransport();
      const { answerSdp, producer } = await transport.publish(streamId, offer);
      router.addProducer(producer);
      return reply.code(201).header('content-type', 'application/sdp').header('location', `/whip/${streamId}/${transport.id}`).send(answerSdp);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post<{ Params: { streamId: string }; Querystring: { maxHeight?: string } }>('/whep/:streamId', { onRequest: guard('view') }, async (req, reply) => {
    try {
      const { streamId } = req.params;
      const offer = sdpBody(req);
      // ?maxHeight=N: of a simulcast stream, the smallest layer at least N pixels tall
      const maxHeight = req.query.maxHeight === undefined ? undefined : MaxHeightSchema.safeParse(Number(req.query.maxHeight));
      if (maxHeight && !maxHeight.success) throw new BadRequestError('maxHeight must be a whole number of pixels, 1 to 8192');
      const producer = router.producers.get(streamId);
      if (!producer) throw new StreamNotFoundError(streamId);
      checkViewerLimit(router, opts.maxViewers);
      const transport = router.createWebRtcTransport();
      const { answerSdp } = await transport.consume(producer, offer, { maxHeight: maxHeight?.data });
      return reply.code(201).header('content-type', 'application/sdp').header('location', `/whep/${streamId}/${transport.id}`).send(answerSdp);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  // Per-stream figures for operators: bitrate comes from the byte count over the producer's age.
  app.get('/api/streams', { onRequest: guard('view') }, async (): Promise<StreamInfo[]> => {
    const producers = [...router.producers.values()];
    const units = await Promise.all(producers.map((p) => opts.unitOf?.(p.streamId)));
    return producers.map((p, i) => {
      const s = p.stats();
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
  });

  for (const [kind, action] of [['whip', 'publish'], ['whep', 'view']] as const) {
    app.delete<{ Params: { streamId: string; sessionId: string } }>(`/${kind}/:streamId/:sessionId`, { onRequest: guard(action) }, async (req, reply) => {
      const transport = router.transports.get(req.params.sessionId);
      if (!transport) return sendError(reply, new SessionNotFoundError(req.params.sessionId));
      transport.close();
      return reply.code(200).send();
    });
  }
}
