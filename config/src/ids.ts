import { z } from 'zod';

/** A unit's id: also a topic level, so no `/`, `+` or `#` (MQTT-4.7.1). */
export const UnitIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'unit id must be 1-64 characters of A-Z a-z 0-9 _ . -');
export type UnitId = z.infer<typeof UnitIdSchema>;

export const UnitTypeSchema = z.enum(['vehicle', 'bodycam']);
export type UnitType = z.infer<typeof UnitTypeSchema>;

/** A timestamp on the wire: ISO 8601 with offset, or epoch milliseconds. Parsed to a Date. */
export const WireTimestampSchema = z
  .union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v));

export const LatSchema = z.number().min(-90).max(90);
export const LonSchema = z.number().min(-180).max(180);

/** [minLon, minLat, maxLon, maxLat], as in GeoJSON (RFC 7946 §5). */
export const BBoxSchema = z
  .tuple([LonSchema, LatSchema, LonSchema, LatSchema])
  .refine(([w, s, e, n]) => w <= e && s <= n, 'bbox must be [minLon, minLat, maxLon, maxLat]');
export type BBox = z.infer<typeof BBoxSchema>;

/** Parses "minLon,minLat,maxLon,maxLat" as found in a query string. */
export const BBoxQuerySchema = z
  .string()
  .transform((s, ctx) => {
    const parts = s.split(',').map(Number);
    const parsed = BBoxSchema.safeParse(parts);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'bbox must be "minLon,minLat,maxLon,maxLat" in degrees' });
      return z.NEVER;
    }
    return parsed.data;
  });
