// Wall presets: an operator's named layouts (grid size, which unit sits in which tile, wall
// mode, where the map looks), saved per operator at /api/presets/{name}.
import { z } from 'zod';
import { CameraKeySchema } from './ids';

/** A preset's name: also a path segment, so a short plain string. */
export const PresetNameSchema = z.string().regex(/^[\p{L}\p{N} _.-]{1,64}$/u, 'preset name must be 1-64 letters, digits, spaces, _ . -');

/** The video wall grids the wall offers: 1, 4, 9 or 16 tiles. */
export const GridSizeSchema = z.union([z.literal(1), z.literal(4), z.literal(9), z.literal(16)]);
export type GridSize = z.infer<typeof GridSizeSchema>;

/** Where the wall's map looks. The centre is WGS-84 whatever the basemap's datum, so a view outlives a basemap change. */
export const MapViewSchema = z.object({
  center: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
  /** MapLibre zoom level */
  zoom: z.number().min(0).max(24),
  /** degrees clockwise from north; default 0 (north up) */
  bearing: z.number().min(-360).max(360).default(0),
});
export type MapView = z.infer<typeof MapViewSchema>;

export const WallLayoutSchema = z.object({
  /** tiles in the video grid */
  grid: GridSizeSchema,
  /** the camera shown in each tile (a unit id, or unit@channel), by tile index; null for an empty tile (length ≤ grid) */
  tiles: z.array(CameraKeySchema.nullable()).max(16),
  /** full-screen video wall for the big screen */
  wallMode: z.boolean().default(false),
  /** the map's view when the preset was saved; presets saved before views were kept have none */
  map: MapViewSchema.optional(),
});
export type WallLayout = z.infer<typeof WallLayoutSchema>;
export type WallLayoutInput = z.input<typeof WallLayoutSchema>;

/** `PUT /api/presets/{name}` body. */
export const PresetPutSchema = z.object({ layout: WallLayoutSchema });
export type PresetPut = z.input<typeof PresetPutSchema>;

export const PresetSchema = z.object({
  name: PresetNameSchema,
  /** the operator it belongs to */
  operator: z.string(),
  layout: WallLayoutSchema,
  updatedAt: z.iso.datetime(),
});
export type Preset = z.infer<typeof PresetSchema>;

export const PresetNameParamsSchema = z.object({ name: PresetNameSchema });
