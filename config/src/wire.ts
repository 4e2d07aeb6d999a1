// MQTT wire messages between units and the hub. Topics: see `topics.ts`.
import { z } from 'zod';
import { freeText, storableText } from './text';
import { CameraChannelSchema, LatSchema, LonSchema, UnitIdSchema, WireTimestampSchema } from './ids';

/**
 * A vehicle's own readings beside a position: a JT/T 808 terminal's common additional items
 * (JT/T 808-2019 Table 27: 0x01 mileage, 0x02 fuel, 0x03 recorder speed, 0x30 signal, 0x31
 * satellites), or the same from an MQTT unit that knows them. Kept with the position.
 */
export const VehicleReadingsSchema = z.object({
  /** odometer, km */
  odometerKm: z.number().min(0).max(1e8).optional(),
  /** fuel in the tank, litres */
  fuelL: z.number().min(0).max(1e5).optional(),
  /** speed from the tachograph (driving recorder), km/h */
  recorderSpeedKmh: z.number().min(0).max(600).optional(),
  /** wireless network signal strength as the terminal gives it (0–255; often 0–31) */
  signal: z.int().min(0).max(255).optional(),
  /** GNSS satellites in view */
  satellites: z.int().min(0).max(255).optional(),
});
export type VehicleReadings = z.infer<typeof VehicleReadingsSchema>;

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
  /** the vehicle's readings with this fix, when it reports them */
  vehicle: VehicleReadingsSchema.optional(),
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

/** A unit coming to an SOS, as the wearer who pressed it sees it. */
export const SosHelperSchema = z.object({
  unitId: UnitIdSchema,
  name: z.string().max(200),
  state: z.enum(['accepted', 'en_route', 'on_scene']),
  /** seconds to the scene from the unit's last position and recent speed; absent without a position */
  etaSeconds: z.number().min(0).optional(),
});
export type SosHelper = z.infer<typeof SosHelperSchema>;

/**
 * `sos.status`: what the centre has done about this unit's SOS, a whole snapshot each time (a
 * repeat after a reconnect does no harm): the incident it opened, whether an operator has
 * acknowledged the alarm, and who accepted to come.
 */
const SosStatusFields = {
  incidentId: z.string().max(32),
  acknowledged: z.boolean(),
  coming: z.array(SosHelperSchema).max(50),
};

/** `units/{unitId}/cmd`, QoS 1: downlink from the hub to a unit. */
export const CommandMessageSchema = z.discriminatedUnion('type', [
  z.object({ ...CommandBase, type: z.literal('stream.start'), streamId: z.string().optional(), channel: CameraChannelSchema.optional() }),
  z.object({ ...CommandBase, type: z.literal('stream.stop'), channel: CameraChannelSchema.optional() }),
  z.object({
    ...CommandBase,
    type: z.literal('dispatch'),
    incidentId: z.string().optional(),
    lat: LatSchema,
    lon: LonSchema,
    note: z.string().max(1000).optional(),
  }),
  z.object({ ...CommandBase, type: z.literal('message'), text: z.string().max(1000) }),
  z.object({ ...CommandBase, type: z.literal('sos.status'), ...SosStatusFields }),
]);
export type CommandMessage = z.input<typeof CommandMessageSchema>;
export type Command = z.output<typeof CommandMessageSchema>;

/**
 * Why a command failed, in `cmd/ack`'s `code` (`message` says it in words):
 * `unsupported_command` the unit has no handler for this type (or does not know it),
 * `invalid_command` its fields are wrong, `failed` the handler threw, `timed_out` it took too long.
 */
export const COMMAND_ACK_CODES = ['unsupported_command', 'invalid_command', 'failed', 'timed_out'] as const;
export type CommandAckCode = (typeof COMMAND_ACK_CODES)[number];

/**
 * `units/{unitId}/cmd/ack`, QoS 1: the DEVICE's answer to a command. For a dispatch, ok: true
 * means only that the order reached the unit (delivered); the person's answer is `cmd/answer`.
 */
export const CommandAckSchema = z.object({
  id: storableText().min(1).max(64),
  ok: z.boolean(),
  /** with ok: false, one of COMMAND_ACK_CODES; a code this hub does not know is kept as sent (a newer device) */
  code: storableText().max(64).optional(),
  /** cleaned (text.ts), not refused: a lost acknowledgement would leave the dispatch hanging */
  message: freeText().max(500).optional(),
  ts: WireTimestampSchema.optional(),
});
export type CommandAck = z.input<typeof CommandAckSchema>;
/** A validated acknowledgement. */
export type CommandAckMessage = z.output<typeof CommandAckSchema>;

/**
 * `units/{unitId}/cmd/answer`, QoS 1: the PERSON's answer to a dispatch (`id` = the dispatch
 * command's id): accepted, or refused with a reason. Apart from `cmd/ack`, which a device sends
 * by itself on receipt: only this moves a dispatch to accepted (and en route) or refused.
 */
export const DispatchAnswerSchema = z.object({
  id: storableText().min(1).max(64),
  accepted: z.boolean(),
  /** why not (a refusal); cleaned (text.ts), not refused */
  reason: freeText().max(500).optional(),
  ts: WireTimestampSchema.optional(),
});
export type DispatchAnswer = z.input<typeof DispatchAnswerSchema>;
/** A validated answer. */
export type DispatchAnswerMessage = z.output<typeof DispatchAnswerSchema>;
