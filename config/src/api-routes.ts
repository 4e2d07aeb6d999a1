// Route parameters and list filters of the telemetry REST API (bodies and responses are in api.ts).
import { z } from 'zod';
import { RowIdParamSchema, UnitIdSchema, UnitTypeSchema } from './ids';

/** `/api/units/:unitId/...` */
export const UnitIdParamsSchema = z.object({ unitId: UnitIdSchema });
export type UnitIdParams = z.infer<typeof UnitIdParamsSchema>;

/** `/api/geofences/:id`, `/api/alarms/:id`: a database row id. */
export const RowIdParamsSchema = z.object({ id: RowIdParamSchema });
export type RowIdParams = z.infer<typeof RowIdParamsSchema>;

/** `GET /api/units?type=&disabled=&search=` */
export const UnitListQuerySchema = z.object({
  type: UnitTypeSchema.optional(),
  disabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** case-insensitive substring of the unit's id or name */
  search: z.string().min(1).max(200).optional(),
});
export type UnitListQuery = z.infer<typeof UnitListQuerySchema>;

/** A response without a body (204). */
export const NoContentSchema = z.undefined();
