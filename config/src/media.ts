// Video: stream ids, ICE servers, and the socket.io signalling on the hub's `/media`
// namespace (publish and view), next to WHIP/WHEP (RFC 9725) which carry the same SDP.
import { z } from 'zod';
import { UnitIdSchema } from './ids';

/** The socket.io namespace of the media signalling. */
export const MEDIA_NAMESPACE = '/media';

/** The largest SDP offer taken (WHIP/WHEP body, socket.io `publish`/`view`), bytes: 256 KiB. */
export const SDP_MAX_BYTES = 256 * 1024;

/**
 * `media.corsOrigins`: web origins (scheme://host[:port]) whose pages may use WHIP/WHEP from
 * another origin (a CORS allow-list, RFC 9725 §4.2); "*" allows any origin. Default none.
 */
export const MediaCorsOriginsSchema = z
  .array(z.union([z.literal('*'), z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin is scheme://host[:port], without a path, e.g. https://player.example')]))
  .default([]);

/**
 * A stream id: opaque and random, issued by the hub for a unit (not its unit id), so
 * that knowing a unit does not let anyone guess its video's address.
 */
export const StreamIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'stream id must be 8-64 characters of A-Z a-z 0-9 _ -');
export type StreamId = z.infer<typeof StreamIdSchema>;

/** One ICE server as the browser's RTCPeerConnection takes it (W3C RTCIceServer). */
export const IceServerSchema = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServerSchema>;

/** `GET /api/media/ice-servers`, and the `hello` event of the signalling. */
export const IceServersResponseSchema = z.object({ iceServers: z.array(IceServerSchema) });
export type IceServersResponse = z.infer<typeof IceServersResponseSchema>;

/** `POST /api/streams/{unitId}/start?channel=N`: which camera of the unit (a JT/T 808 terminal's logical channel); default 1. */
export const StreamStartQuerySchema = z.object({
  /** the camera channel; default 1, the one camera of an MQTT unit */
  channel: z.coerce.number().int().min(1).max(255).default(1),
});
export type StreamStartQuery = z.infer<typeof StreamStartQuerySchema>;

/** `POST /api/streams/{unitId}/start`: the stream id of the unit's camera channel, live now or just started. */
export const StreamStartResponseSchema = z.object({
  unitId: UnitIdSchema,
  /** the camera channel this stream is (1 unless asked for another) */
  channel: z.number().int(),
  streamId: StreamIdSchema,
  state: z.enum(['live', 'started']),
  whep: z.string(),
});
export type StreamStartResponse = z.infer<typeof StreamStartResponseSchema>;

/**
 * `GET /api/units/{unitId}/stream` (admin): the unit's stream id, issued now if it has none,
 * with the paths a third-party encoder publishes to (WHIP, with `{unitId}:{secret}` as its
 * bearer token) and a viewer plays from (WHEP); the unit need not be online.
 */
export const UnitStreamSchema = z.object({
  unitId: UnitIdSchema,
  streamId: StreamIdSchema,
  /** path of the WHIP endpoint, e.g. /whip/3q2…; the wall prefixes the hub's origin */
  whip: z.string(),
  /** path of the WHEP endpoint */
  whep: z.string(),
});
export type UnitStream = z.infer<typeof UnitStreamSchema>;

/** One row of `GET /api/streams`: a stream with a live publisher. */
export const StreamInfoSchema = z.object({
  streamId: z.string(),
  /** the unit the stream belongs to; null for a stream an operator published under an id of its own */
  unitId: z.string().nullable(),
  mimeType: z.string().nullable(),
  viewers: z.number().int(),
  packets: z.number().int(),
  bitrateKbps: z.number(),
  uptimeSeconds: z.number(),
  keyFrameRequests: z.number().int(),
  /** the stream's audio codec (audio/opus) when the publisher sends audio, else null */
  audioMimeType: z.string().nullable(),
  /** the incoming video streams: one, or one per simulcast layer (rid) in the publisher's order */
  layers: z.array(
    z.object({
      rid: z.string().nullable(),
      width: z.number().int().nullable(),
      height: z.number().int().nullable(),
      bitrateKbps: z.number(),
      fps: z.number(),
    }),
  ),
  /** each viewer's video: the layer it gets (null without simulcast) and the height it asked for */
  consumers: z.array(z.object({ id: z.string(), layer: z.string().nullable(), maxHeight: z.number().int().nullable() })),
  /** in a cluster, the hub that hosts the stream's publisher (the list spans every hub); absent on a hub alone */
  hubId: z.string().optional(),
});
export type StreamInfo = z.infer<typeof StreamInfoSchema>;

// ---- socket.io signalling (namespace /media) ----
// Handshake: `io(hub + '/media', { auth: { token } })`, token = an operator token, or a
// unit's `{unitId}:{secret}` (publish its own stream only). No token: connect_error with
// data {code, message}. Every request is acknowledged with ok:true or a refusal.

/** `publish`: a publisher's SDP offer for a stream; a unit may name itself instead of its stream id. */
export const MediaPublishRequestSchema = z
  .object({
    streamId: StreamIdSchema.optional(),
    unitId: UnitIdSchema.optional(),
    sdp: z.string().min(10).max(SDP_MAX_BYTES),
  })
  .refine((r) => r.streamId !== undefined || r.unitId !== undefined, 'either streamId or unitId is required');
export type MediaPublishRequest = z.input<typeof MediaPublishRequestSchema>;

/** The tallest picture a viewer shows, in device pixels (a tile's height × devicePixelRatio). */
export const MaxHeightSchema = z.number().int().min(1).max(8192);

/** `view`: a viewer's SDP offer (recvonly video, and audio if it plays sound) for a stream. */
export const MediaViewRequestSchema = z.object({
  streamId: StreamIdSchema,
  sdp: z.string().min(10).max(SDP_MAX_BYTES),
  /** of a simulcast stream, the smallest layer at least this tall (else the tallest); default the tallest */
  maxHeight: MaxHeightSchema.optional(),
});
export type MediaViewRequest = z.infer<typeof MediaViewRequestSchema>;

/** A media session's id (a WHIP/WHEP session's URL, a socket.io publish or view). */
export const MediaSessionIdSchema = z.string().min(1).max(64);

/**
 * A stream's id in a WHIP/WHEP URL: a unit's issued id (StreamIdSchema) or the name an
 * operator publishes a stream of their own under (as the recordings API takes it): 1-64 of
 * A-Z a-z 0-9 _ . -, the shape of a unit id.
 */
export const StreamPathIdSchema = UnitIdSchema;
/** WHIP `POST /whip/{streamId}`, WHEP `POST /whep/{streamId}`. */
export const WhipEndpointParamsSchema = z.object({ streamId: StreamPathIdSchema });
/** A WHIP/WHEP session's URL: `/whip/{streamId}/{sessionId}`. */
export const WhipSessionParamsSchema = z.object({ streamId: StreamPathIdSchema, sessionId: MediaSessionIdSchema });
/** WHEP `?maxHeight=`: of a simulcast stream, the smallest layer at least this tall. */
export const WhepQuerySchema = z.object({ maxHeight: z.coerce.number().pipe(MaxHeightSchema).optional() });
/** WHIP/WHEP's body: an SDP offer (application/sdp). */
export const SdpOfferBodySchema = z.string().max(SDP_MAX_BYTES);

/** `close`: ends one of this socket's sessions (closing the socket ends them all). */
export const MediaCloseRequestSchema = z.object({ sessionId: MediaSessionIdSchema });
export type MediaCloseRequest = z.infer<typeof MediaCloseRequestSchema>;

/**
 * `keyframe`: a viewer that is connected but not decoding (just joined, or its publisher
 * came back) asks for a keyframe; the SFU asks the publisher (PLI, at most once a second).
 */
export const MediaKeyFrameRequestSchema = z.object({ sessionId: MediaSessionIdSchema });
export type MediaKeyFrameRequest = z.infer<typeof MediaKeyFrameRequestSchema>;

/** `layer`: a viewer's tile changed size; null = the tallest layer. The switch waits for the layer's keyframe. */
export const MediaLayerRequestSchema = z.object({ sessionId: MediaSessionIdSchema, maxHeight: MaxHeightSchema.nullable() });
export type MediaLayerRequest = z.infer<typeof MediaLayerRequestSchema>;

/** Why a request was refused: a stable code and a sentence an operator understands. */
export const MediaRefusalSchema = z.object({
  ok: z.literal(false),
  code: z.string(),
  message: z.string(),
});
export type MediaRefusal = z.infer<typeof MediaRefusalSchema>;

export const MediaSessionSchema = z.object({
  ok: z.literal(true),
  streamId: StreamIdSchema,
  sessionId: z.string(),
  /** the SFU's SDP answer (vanilla ICE: candidates included) */
  sdp: z.string(),
  /** a viewer joining a stream whose publisher dropped starts in `reconnecting` */
  state: z.enum(['live', 'reconnecting']),
});
export type MediaSession = z.infer<typeof MediaSessionSchema>;

export type MediaAnswer = MediaSession | MediaRefusal;

/** What a viewer sees of its stream: live; reconnecting (publisher dropped); ended (gone for good). */
export const StreamStateSchema = z.enum(['live', 'reconnecting', 'ended']);
export type StreamState = z.infer<typeof StreamStateSchema>;

/** `state`, server → client, for each session of the socket. */
export const MediaStateEventSchema = z.object({
  sessionId: z.string(),
  streamId: z.string(),
  state: StreamStateSchema,
  /** why it is reconnecting or ended, e.g. HUB_ERR_PUBLISHER_LEFT, HUB_ERR_STREAM_ENDED */
  code: z.string().optional(),
  message: z.string().optional(),
});
export type MediaStateEvent = z.infer<typeof MediaStateEventSchema>;

/** `hello`, server → client at connection: what a browser needs for its peer connection. */
export const MediaHelloSchema = IceServersResponseSchema;
export type MediaHello = z.infer<typeof MediaHelloSchema>;

export interface MediaServerToClient {
  hello: (msg: MediaHello) => void;
  state: (msg: MediaStateEvent) => void;
}
export interface MediaClientToServer {
  publish: (msg: MediaPublishRequest, ack: (res: MediaAnswer) => void) => void;
  view: (msg: MediaViewRequest, ack: (res: MediaAnswer) => void) => void;
  close: (msg: MediaCloseRequest, ack?: (res: { ok: true } | MediaRefusal) => void) => void;
  keyframe: (msg: MediaKeyFrameRequest) => void;
  layer: (msg: MediaLayerRequest) => void;
}
