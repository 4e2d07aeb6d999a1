// MQTT wire messages between units and the hub. Topics: see `topics.ts`.
import { z } from 'zod';
import { freeText, storableText } from './text';
import { LatSchema, LonSchema, UnitIdSchema, WireTimestampSchema } from './ids';

/** `units/{unitId}/gps`, QoS 1. */
export const PositionMessageSchema = z.object({
  unitId: UnitIdSchema,
  ts: WireTimestampSchema,
  lat: LatSchema,
  lon: LonSchema,
  /** metres per second */
  speed: z.number().min(0).max(150).optional(),
  /** degrees clockwise from true north, [0, 360) */
  heading: z.number().min(0).lt(360).optional(),
  /** horizontal accuracy, metres */
  accuracy: z.number().min(0).optional(),
  /** metres above sea level */
  alt: z.number().min(-1000).max(20000).optional(),
  /** percent */
  battery: z.number().min(0).max(100).optional(),
  /** device flags, e.g. ["ignition", "door_open"]: codes, so one PostgreSQL cannot store refuses the position */
  flags: z.array(storableText().max(32)).max(16).optional(),
});
export type PositionMessage = z.input<typeof PositionMessageSchema>;
/** A validated position, as stored and as pushed to walls. */
export type Position = z.output<typeof PositionMessageSchema>;

/**
 * Where a position stands when deciding a unit's latest (live marker, unit_latest, the wall):
 * the fix time, but never later than when it was received. A device clock running ahead
 * (a fix dated minutes into the future) would otherwise hold the latest place, and freeze
 * the marker, until the true fixes caught up with it. Ties go to the later fix time.
 */
export function latestOrderMs(tsMs: number, receivedMs: number): number {
  return Math.min(tsMs, receivedMs);
}

/** `units/{unitId}/alarm`, QoS 1: SOS or an alarm raised by the device itself. */
export const AlarmMessageSchema = z.object({
  unitId: UnitIdSchema,
  ts: WireTimestampSchema,
  type: z.enum(['sos', 'device']),
  /** the device's own alarm code, e.g. "tamper"; cleaned, not refused: an SOS is never lost for a stray byte */
  code: freeText().max(64).optional(),
  /** cleaned (text.ts), not refused */
  message: freeText().max(500).optional(),
  lat: LatSchema.optional(),
  lon: LonSchema.optional(),
});
export type AlarmMessage = z.input<typeof AlarmMessageSchema>;
/** A validated device alarm (SOS or device). */
export type DeviceAlarm = z.output<typeof AlarmMessageSchema>;

/** `units/{unitId}/status`, retained; the last will carries `offline`. */
export const StatusMessageSchema = z.object({
  unitId: UnitIdSchema,
  state: z.enum(['online', 'offline']),
  ts: WireTimestampSchema.optional(),
});
export type StatusMessage = z.input<typeof StatusMessageSchema>;

const CommandBase = { id: z.string().min(1).max(64), ts: WireTimestampSchema };

/** `units/{unitId}/cmd`, QoS 1: downlink from the hub to a unit. */
export const CommandMessageSchema = z.discriminatedUnion('type', [
  z.object({ ...CommandBase, type: z.literal('stream.start'), streamId: z.string().optional() }),
  z.object({ ...CommandBase, type: z.literal('stream.stop') }),
  z.object({
    ...CommandBase,
    type: z.literal('dispatch'),
    incidentId: z.string().optional(),
    lat: LatSchema,
    lon: LonSchema,
    note: z.string().max(1000).optional(),
  }),
  z.object({ ...CommandBase, type: z.literal('message'), text: z.string().max(1000) }),
]);
export type CommandMessage = z.input<typeof CommandMessageSchema>;
export type Command = z.output<typeof CommandMessageSchema>;

/** `units/{unitId}/cmd/ack`, QoS 1: the unit's answer to a command. */
export const CommandAckSchema = z.object({
  id: storableText().min(1).max(64),
  ok: z.boolean(),
  /** cleaned (text.ts), not refused: a lost acknowledgement would leave the dispatch hanging */
  message: freeText().max(500).optional(),
  ts: WireTimestampSchema.optional(),
});
export type CommandAck = z.input<typeof CommandAckSchema>;
/** A validated acknowledgement. */
export type CommandAckMessage = z.output<typeof CommandAckSchema>;
