import { z } from 'zod';

/** A unit's id: also a topic level, so no `/`, `+` or `#` (MQTT-4.7.1). */
export const UnitIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'unit id must be 1-64 characters of A-Z a-z 0-9 _ . -');
export type UnitId = z.infer<typeof UnitIdSchema>;

/**
 * A unit's camera: the logical channel of a JT/T 808 terminal (JT/T 1078-2016 Table 2: 1-36
 * audio/video, up to 255 on the wire); an MQTT unit has one camera, channel 1, and ignores it.
 */
export const CameraChannelSchema = z.number().int().min(1).max(255);

/**
 * What a wall tile shows: a unit's camera, written as its unit id (channel 1, the only camera
 * of an MQTT unit) or `{unitId}@{channel}` for another channel of a JT/T 808 terminal.
 */
export const CameraKeySchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}(@[1-9][0-9]{0,2})?$/, 'a camera is a unit id, or unit id @ channel');

export function cameraKey(unitId: string, channel = 1): string {
  return channel === 1 ? unitId : `${unitId}@${channel}`;
}

/** A tile's camera key → its unit and channel (1 when the key is a plain unit id). */
export function cameraOfKey(key: string): { unitId: string; channel: number } {
  const at = key.lastIndexOf('@');
  return at < 0 ? { unitId: key, channel: 1 } : { unitId: key.slice(0, at), channel: Number(key.slice(at + 1)) };
}

export const UnitTypeSchema = z.enum(['vehicle', 'bodycam']);
export type UnitType = z.infer<typeof UnitTypeSchema>;

/** A timestamp on the wire: ISO 8601 with offset, or epoch milliseconds. Parsed to a Date. */
export const WireTimestampSchema = z
  // 8.64e15 ms is the last instant a Date holds (ECMA-262 §21.4.1.22): beyond it the Date is invalid
  .union([z.number().int().nonnegative().max(8.64e15), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v))
  .refine((d) => !Number.isNaN(d.getTime()), 'ts is not a valid time');

export const LatSchema = z.number().min(-90).max(90);
export const LonSchema = z.number().min(-180).max(180);

/** [minLon, minLat, maxLon, maxLat], as in GeoJSON (RFC 7946 §5). */
export const BBoxSchema = z.tuple([LonSchema, LatSchema, LonSchema, LatSchema]).refine(([w, s, e, n]) => w <= e && s <= n, 'bbox must be [minLon, minLat, maxLon, maxLat]');
export type BBox = z.infer<typeof BBoxSchema>;

/** PostgreSQL's `integer` (int4) upper bound: row ids (serial) live below it. */
export const INT4_MAX = 2_147_483_647;

/** A database row id in a JSON body: a whole number the id column can hold. */
export const RowIdSchema = z.number().int().min(1).max(INT4_MAX, `an id is at most ${INT4_MAX}`);

// Decimal digits only: Number() would also read "0x1", "1e3", "" and " 1".
const DECIMAL_INT = /^-?[0-9]{1,16}$/;
const DECIMAL_NUMBER = /^-?(?:[0-9]{1,16}(?:\.[0-9]{0,16})?|\.[0-9]{1,16})$/;

/** A whole number from `min` to `max` as written in a path or query string, in decimal digits. */
export function decimalInt(min: number, max: number) {
  const range = `must be a whole number from ${min} to ${max}, in decimal digits`;
  return z.string().regex(DECIMAL_INT, range).transform(Number).pipe(z.number().int().min(min, range).max(max, range));
}

/** A number as written in a query string: decimal, e.g. "-12.5" (no hex, no exponent, not empty). */
export function decimalNumber() {
  return z.string().regex(DECIMAL_NUMBER, 'must be a decimal number, e.g. 52.37').transform(Number);
}

/** `/api/…/:id`: a database row id, in decimal digits, that the id column can hold. */
export const RowIdParamSchema = decimalInt(1, INT4_MAX);

/** Parses "minLon,minLat,maxLon,maxLat" as found in a query string. */
export const BBoxQuerySchema = z.string().transform((s, ctx) => {
  const raw = s.split(',');
  if (raw.length !== 4 || !raw.every((p) => DECIMAL_NUMBER.test(p))) {
    ctx.addIssue({ code: 'custom', message: 'bbox must be four decimal numbers "minLon,minLat,maxLon,maxLat" in degrees' });
    return z.NEVER;
  }
  const parts = raw.map(Number);
  const parsed = BBoxSchema.safeParse(parts);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'bbox must be "minLon,minLat,maxLon,maxLat" in degrees' });
    return z.NEVER;
  }
  return parsed.data;
});
