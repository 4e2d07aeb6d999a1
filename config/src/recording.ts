// Server-side recordings of live streams: REST bodies, responses, route parameters and
// list filters (the Recorder lives in media-server/src/recording).
import { z } from 'zod';
import { decimalInt, UnitIdSchema } from './ids';

/** A recording's id: a random UUID (also the name of its folder). */
export const RecordingIdSchema = z.uuid();

/** An incident's id as text: the incidents table decides its type (bigint or uuid both fit). */
export const RecordingIncidentIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'incident id must be 1-64 characters of A-Z a-z 0-9 _ . : -');

/** waiting: no publisher (or no keyframe yet); recording: segments are being written; stopping: the last segments are being closed and indexed; ended: complete */
export const RecordingStateSchema = z.enum(['waiting', 'recording', 'stopping', 'ended']);
export type RecordingState = z.infer<typeof RecordingStateSchema>;

/** `POST /api/recordings`: start recording a stream (it may not be live yet: the recording waits for it). */
export const RecordingStartSchema = z
  .object({
    /** the stream's id (a unit's id also names that unit's stream) */
    streamId: UnitIdSchema.optional(),
    /** the unit filmed: without streamId, the unit's stream is recorded */
    unitId: UnitIdSchema.optional(),
    incidentId: RecordingIncidentIdSchema.optional(),
    /** why it is recorded, e.g. "operator", "sos", "incident"; default "incident" with an incident, else "operator" */
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .refine((b) => b.streamId !== undefined || b.unitId !== undefined, { message: 'streamId or unitId is required', path: ['streamId'] });
export type RecordingStart = z.infer<typeof RecordingStartSchema>;

export const RecordingSchema = z.object({
  id: RecordingIdSchema,
  streamId: z.string(),
  unitId: z.string(),
  incidentId: z.string().nullable(),
  reason: z.string(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  /** the publisher's codec, e.g. video/H264 or video/VP8; null until a publisher has sent media */
  codec: z.string().nullable(),
  /** false: the publisher's H.264 is stored as it came; true: VP8 re-encoded to H.264 for HLS */
  transcoded: z.boolean().nullable(),
  /** in a cluster, the hub making it, whose disk holds its segments (cluster.hubId); null for a hub alone */
  hubId: z.string().nullable().optional(),
  state: RecordingStateSchema,
  /** segments indexed so far, their total duration and size */
  segments: z.number().int(),
  durationMs: z.number().int(),
  bytes: z.number().int(),
});
export type Recording = z.infer<typeof RecordingSchema>;

export const RecordingSegmentSchema = z.object({
  seq: z.number().int(),
  /** one ffmpeg run; a new part begins when the publisher returns (EXT-X-DISCONTINUITY) */
  part: z.number().int(),
  startedAt: z.iso.datetime(),
  durationMs: z.number().int(),
  bytes: z.number().int(),
  /** SHA-256 of the file, hex, computed when the segment closed */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** where to fetch it, relative to the hub */
  url: z.string(),
});
export type RecordingSegment = z.infer<typeof RecordingSegmentSchema>;

/** `GET /api/recordings?streamId=&unitId=&incidentId=&from=&to=&active=&limit=`: newest first. */
export const RecordingListQuerySchema = z.object({
  streamId: UnitIdSchema.optional(),
  unitId: UnitIdSchema.optional(),
  incidentId: RecordingIncidentIdSchema.optional(),
  /** recordings that overlap [from, to] */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: decimalInt(1, 1000).default(100),
});
export type RecordingListQuery = z.infer<typeof RecordingListQuerySchema>;

/** `/api/recordings/:id/...` */
export const RecordingIdParamsSchema = z.object({ id: RecordingIdSchema });

/** `/api/recordings/:id/segments/:file`, file = `{seq}.ts` */
export const RecordingSegmentFileParamsSchema = z.object({
  id: RecordingIdSchema,
  file: z.string().regex(/^\d{1,9}\.ts$/, 'a segment file is {seq}.ts'),
});
