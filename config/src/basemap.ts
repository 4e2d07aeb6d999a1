// The wall's basemap: a city's own tile server, or (with no tiles at all) a plain background
// with a grid and districts/roads from a GeoJSON file. Served to the wall by GET /api/basemap.
import { z } from 'zod';
import { decimalInt, LatSchema, LonSchema } from './ids';

export const BasemapTilesSchema = z.object({
  /** raster (PNG/JPEG) or vector (Mapbox Vector Tiles) tiles */
  kind: z.enum(['raster', 'vector']).default('raster'),
  /** URL template with {z}/{x}/{y}, e.g. http://tiles.city.local/{z}/{x}/{y}.png */
  url: z.string().refine((u) => u.includes('{z}') && u.includes('{x}') && u.includes('{y}'), 'the tile URL must contain {z}, {x} and {y}'),
  /** tile size in CSS pixels; default 256 */
  tileSize: z.coerce.number().int().min(64).max(1024).default(256),
  /** default 0 */
  minzoom: z.coerce.number().int().min(0).max(24).default(0),
  /** default 18 */
  maxzoom: z.coerce.number().int().min(0).max(24).default(18),
  /** vector tiles only: the source layer drawn as roads (lines) and areas (fills); default every layer as lines */
  vectorLayers: z.array(z.string()).default([]),
});
export type BasemapTiles = z.infer<typeof BasemapTilesSchema>;

export const BasemapConfigSchema = z
  .object({
    /** the city's tile server; unset = the offline basemap (background, grid, GeoJSON, geofences) */
    tiles: BasemapTilesSchema.optional(),
    /**
     * a PMTiles v3 file (vector or raster) the hub serves itself at /api/basemap/tiles/{z}/{x}/{y},
     * so an air-gapped centre sees streets without a tile server; it takes the place of `tiles`.
     * A path relative to the working folder; default none. Convert an MBTiles file with
     * `pmtiles convert city.mbtiles city.pmtiles`.
     */
    file: z.string().optional(),
    /** shown in the map's corner, e.g. "© City Survey Bureau"; default none */
    attribution: z.string().max(500).default(''),
    /**
     * the datum the tiles are drawn in: wgs84 (OpenStreetMap and most others) or gcj02 (maps
     * published in China). With gcj02 the wall shifts every WGS-84 position before drawing it
     * and shifts map clicks back. Default wgs84.
     */
    coordinateSystem: z.enum(['wgs84', 'gcj02']).default('wgs84'),
    /**
     * a GeoJSON FeatureCollection drawn under the units (districts as polygons, roads as lines,
     * `name` properties shown on hover); default the illustrative config/basemaps/sample-city.geojson.
     * A path relative to the working folder.
     */
    geojsonFile: z.string().optional(),
    /** where the map opens; default Shenzhen Futian, the simulator's default area */
    center: z.object({ lat: LatSchema, lon: LonSchema }).default({ lat: 22.54, lon: 114.05 }),
    /** default 12 */
    zoom: z.coerce.number().min(0).max(22).default(12),
    /** background colour of the offline basemap; default a dark blue-grey */
    background: z.string().default('#1b2330'),
  })
  .prefault({});
export type BasemapConfig = z.infer<typeof BasemapConfigSchema>;

/** GET /api/basemap: the settings and the offline GeoJSON (read from `geojsonFile`). */
export const BasemapOutSchema = z.object({
  tiles: BasemapTilesSchema.nullable(),
  attribution: z.string(),
  coordinateSystem: z.enum(['wgs84', 'gcj02']),
  center: z.object({ lat: z.number(), lon: z.number() }),
  zoom: z.number(),
  background: z.string(),
  /** a GeoJSON FeatureCollection (RFC 7946), or null when none could be read */
  geojson: z
    .object({ type: z.literal('FeatureCollection'), features: z.array(z.record(z.string(), z.unknown())) })
    .catchall(z.unknown())
    .nullable(),
  /** why the GeoJSON is missing, for the operator */
  geojsonError: z.string().nullable(),
  /** why `basemap.file` is not served (the schematic map is drawn instead), for the operator; null when fine or unset */
  fileError: z.string().nullable().default(null),
});
export type BasemapOut = z.infer<typeof BasemapOutSchema>;

/** `GET /api/basemap/tiles/{z}/{x}/{y}`: a tile of `basemap.file` (XYZ numbering, y from the north). */
export const BasemapTileParamsSchema = z.object({ z: decimalInt(0, 30), x: decimalInt(0, 2 ** 30), y: decimalInt(0, 2 ** 30) });
export type BasemapTileParams = z.infer<typeof BasemapTileParamsSchema>;

/** Where the hub serves `basemap.file`'s tiles (the wall makes it absolute). */
export const BASEMAP_FILE_TILES_URL = '/api/basemap/tiles/{z}/{x}/{y}';
