// REST bodies and responses of the telemetry API, and the live feed's socket.io events.
import { z } from 'zod';
import { BBoxQuerySchema, BBoxSchema, CameraChannelSchema, decimalInt, LatSchema, LonSchema, RowIdSchema, UnitIdSchema, UnitTypeSchema } from './ids';
import { freeText } from './text';
import { VehicleReadingsSchema } from './wire';
import type { DispatchEvent, DispatchOfferEvent, EscalationEvent, Incident, LinkageEvent } from './incident';

// --- JT/T 808 vehicle terminals (issue 15) ---
/**
 * A terminal's phone number as its message header carries it (JT/T 808-2019 Table 2: BCD[6],
 * 2019 BCD[10]): decimal digits. Leading zeros are the header's padding, so they are dropped
 * ("013800138000" and "13800138000" are one terminal); "0" stays "0".
 */
export const Jt808TerminalIdSchema = z
  .string()
  .regex(/^[0-9]{1,20}$/, 'a JT/T 808 terminal id is its phone number: 1-20 decimal digits')
  .transform((digits) => digits.replace(/^0+(?=.)/, ''));

/**
 * A terminal's cameras: its JT/T 1078 logical channels, each a stream of the unit that the wall
 * can put on a tile (a truck has several: 1 driver, 2 front, …); distinct, at most 36.
 */
export const Jt808ChannelsSchema = z
  .array(CameraChannelSchema)
  .min(1)
  .max(36)
  .refine((c) => new Set(c).size === c.length, 'each channel once');

/** `jt808` in a unit's create or change body: the unit is the terminal with this phone number (unique). */
export const Jt808TerminalSchema = z.object({
  terminalId: Jt808TerminalIdSchema,
  /** its cameras' logical channels; default [1] at creation, unchanged when a change leaves it out */
  channels: Jt808ChannelsSchema.optional(),
});
export type Jt808Terminal = z.infer<typeof Jt808TerminalSchema>;

export const Jt808TerminalOutSchema = z.object({
  terminalId: z.string(),
  /** true while the terminal holds an authentication code (issued at its registration 0x0100, or by the admin) */
  registered: z.boolean(),
  /** its cameras' logical channels (JT/T 1078), each a stream: `POST /api/streams/{unitId}/start?channel=N` */
  channels: z.array(z.number().int()),
});

/** Returned once, when the admin rotates a terminal's authentication code; only its hash is kept. */
export const Jt808AuthCodeSchema = z.object({
  unitId: UnitIdSchema,
  terminalId: z.string(),
  /** the code the terminal sends in 0x0102: shown only in this response */
  authCode: z.string(),
});
export type Jt808AuthCode = z.infer<typeof Jt808AuthCodeSchema>;
// --- end JT/T 808 ---

export const UnitSchema = z.object({
  id: UnitIdSchema,
  name: z.string(),
  type: UnitTypeSchema,
  team: z.string().nullable(),
  district: z.string().nullable(),
  disabled: z.boolean(),
  /** true once a credential has been issued */
  hasCredential: z.boolean(),
  /** a JT/T 808 vehicle terminal: present only on units that are one (see Jt808TerminalSchema) */
  jt808: Jt808TerminalOutSchema.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Unit = z.infer<typeof UnitSchema>;

export const UnitCreateSchema = z.object({
  id: UnitIdSchema,
  name: z.string().min(1).max(200),
  type: UnitTypeSchema,
  team: z.string().max(100).nullable().optional(),
  district: z.string().max(100).nullable().optional(),
  /** a JT/T 808 vehicle terminal; default none (an MQTT unit) */
  jt808: Jt808TerminalSchema.optional(),
});
export type UnitCreate = z.infer<typeof UnitCreateSchema>;

export const UnitUpdateSchema = z
  .object({
    name: z.string().min(1).max(200),
    type: UnitTypeSchema,
    team: z.string().max(100).nullable(),
    district: z.string().max(100).nullable(),
    disabled: z.boolean(),
    /** another terminal (its registration starts afresh), or null: no longer a JT/T 808 terminal */
    jt808: Jt808TerminalSchema.nullable(),
  })
  .partial();
export type UnitUpdate = z.infer<typeof UnitUpdateSchema>;

/** Returned once, when a credential is issued or rotated; only its hash is kept. */
export const UnitCredentialSchema = z.object({
  unitId: UnitIdSchema,
  /** MQTT username */
  username: z.string(),
  /** MQTT password: shown only in this response */
  secret: z.string(),
});
export type UnitCredential = z.infer<typeof UnitCredentialSchema>;

/** A position as the API and the live feed return it. */
export const PositionOutSchema = z.object({
  unitId: UnitIdSchema,
  ts: z.iso.datetime(),
  lat: LatSchema,
  lon: LonSchema,
  speed: z.number().nullable(),
  heading: z.number().nullable(),
  accuracy: z.number().nullable(),
  alt: z.number().nullable(),
  battery: z.number().nullable(),
  flags: z.array(z.string()).nullable(),
  /** the vehicle's readings with this fix; absent when it reported none */
  vehicle: VehicleReadingsSchema.optional(),
});
export type PositionOut = z.infer<typeof PositionOutSchema>;

// --- JT/T 808 position query (issue 15, third step) ---
/** `POST /api/units/{unitId}/locate`: the terminal's answer (0x0201) to a position query (0x8201). */
export const LocateResponseSchema = z.object({
  unitId: UnitIdSchema,
  /** the position it answered, stored like any report; null when the terminal had no GPS fix */
  position: PositionOutSchema.nullable(),
  /** when the hub had the answer */
  answeredAt: z.iso.datetime(),
});
export type LocateResponse = z.infer<typeof LocateResponseSchema>;
// --- end JT/T 808 position query ---

export const LatestQuerySchema = z.object({ bbox: BBoxQuerySchema.optional() });

export const TrackQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    /** downsample to at most one point per this many seconds */
    bucketSeconds: decimalInt(1, 86400).optional(),
    /** at most this many points (default 10,000) */
    limit: decimalInt(1, 100000).optional(),
  })
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });
export type TrackQuery = z.infer<typeof TrackQuerySchema>;

/** GeoJSON Polygon (RFC 7946 §3.1.6): rings of [lon, lat], each closed. */
export const PolygonSchema = z.object({
  type: z.literal('Polygon'),
  coordinates: z
    .array(
      z
        .array(z.tuple([LonSchema, LatSchema]))
        .min(4)
        .refine((ring) => {
          const a = ring[0]!;
          const b = ring[ring.length - 1]!;
          return a[0] === b[0] && a[1] === b[1];
        }, 'a linear ring must be closed (first and last positions equal, RFC 7946 §3.1.6)'),
    )
    .min(1),
});
export type Polygon = z.infer<typeof PolygonSchema>;

export const GeofenceCreateSchema = z.object({
  name: z.string().min(1).max(200),
  geometry: PolygonSchema,
  /** alarm when a unit enters / exits */
  alarmOnEnter: z.boolean().default(true),
  alarmOnExit: z.boolean().default(true),
});
export type GeofenceCreate = z.input<typeof GeofenceCreateSchema>;

export const GeofenceSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  geometry: PolygonSchema,
  alarmOnEnter: z.boolean(),
  alarmOnExit: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type Geofence = z.infer<typeof GeofenceSchema>;

export const AlarmKindSchema = z.enum([
  'sos',
  'device',
  'geofence_enter',
  'geofence_exit',
  'overspeed',
  /** disconnected: the unit's link is gone (last will, or silence without a connection) */
  'offline',
  /** connected (perhaps streaming) but no position for alarms.noPositionAfterSeconds: no GPS fix */
  'no_position',
  'low_battery',
  /** an incident nobody acknowledged in time (raised by the linkage rules) */
  'escalation',
  /** the unit's recording wrote no segment for 3 × recording.segmentSeconds while it was streaming (raised by the recorder, which starts ffmpeg again) */
  'recording_stalled',
]);
export type AlarmKind = z.infer<typeof AlarmKindSchema>;

export const AlarmSchema = z.object({
  id: z.number().int(),
  unitId: UnitIdSchema,
  kind: AlarmKindSchema,
  ts: z.iso.datetime(),
  lat: LatSchema.nullable(),
  lon: LonSchema.nullable(),
  /** kind-specific facts: geofence id and name, speed and limit, battery, device code… */
  details: z.record(z.string(), z.unknown()),
  acknowledgedAt: z.iso.datetime().nullable(),
  acknowledgedBy: z.string().nullable(),
  note: z.string().nullable(),
  /** how many more times the same unit raised the same kind after this alarm, thinned by flood control (alarms.flood) */
  repeats: z.number().int(),
  /** when the newest of those repeats came; null without repeats */
  lastRepeatAt: z.iso.datetime().nullable(),
});
export type Alarm = z.infer<typeof AlarmSchema>;

export const AlarmQuerySchema = z.object({
  unitId: UnitIdSchema.optional(),
  kind: AlarmKindSchema.optional(),
  acknowledged: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: decimalInt(1, 1000).default(100),
});
export type AlarmQuery = z.infer<typeof AlarmQuerySchema>;

export const AlarmAckSchema = z.object({ note: freeText().max(1000).optional() });

/** Acknowledge many alarms at once (a group of repeats, or all shown): one note for all. */
export const AlarmBulkAckSchema = z.object({
  ids: z.array(RowIdSchema).min(1).max(500),
  note: freeText().max(1000).optional(),
});
export const AlarmBulkAckResultSchema = z.object({
  /** the alarms this request acknowledged (those acknowledged before keep their first acknowledgement and are not listed) */
  acknowledged: AlarmSchema.array(),
  /** ids with no alarm */
  missing: z.array(z.number().int()),
});
export type AlarmBulkAckResult = z.infer<typeof AlarmBulkAckResultSchema>;

/** Every API error body. `code` is stable (e.g. HUB_ERR_UNIT_NOT_FOUND); `message` is for the operator. */
export const ApiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

// ---- live feed (socket.io) ----

/** Client → hub: which area this wall watches; no bbox means everything. */
export const LiveSubscribeSchema = z.object({ bbox: BBoxSchema.nullable().optional() });
export type LiveSubscribe = z.infer<typeof LiveSubscribeSchema>;

export const UnitStatusOutSchema = z.object({
  unitId: UnitIdSchema,
  state: z.enum(['online', 'offline']),
  ts: z.iso.datetime(),
  /**
   * why: the unit connected or disconnected cleanly, its own status message said so, or
   * its last will was published because the link was lost (the case that alarms)
   */
  reason: z.enum(['connected', 'disconnected', 'status_message', 'last_will']),
});
export type UnitStatusReason = UnitStatusOut['reason'];
export type UnitStatusOut = z.infer<typeof UnitStatusOutSchema>;

/** One coalesced message of the live feed. */
export interface LiveBatch {
  positions: PositionOut[];
  alarms: Alarm[];
  statuses: UnitStatusOut[];
}

export interface LiveServerToClient {
  batch: (batch: LiveBatch) => void;
  /** an incident, on every change */
  incident: (incident: Incident) => void;
  /** a unit's dispatch moved on: sent, delivered, accepted, refused, timed out, en route, on scene */
  dispatch: (event: DispatchEvent) => void;
  /** an alarm set linkage in motion: open these cameras, propose these units */
  linkage: (event: LinkageEvent) => void;
  /** an incident nobody acknowledged in time */
  escalation: (event: EscalationEvent) => void;
  /** a unit refused a dispatch or did not answer in time: the next nearest is offered */
  offer: (event: DispatchOfferEvent) => void;
}
export interface LiveClientToServer {
  subscribe: (msg: LiveSubscribe, ack?: (res: { ok: boolean; code?: string; error?: string }) => void) => void;
}
