// The offline basemap's GeoJSON (districts, roads): read once at start, for the wall
// (GET /api/basemap) and for incidents (the district an incident happened in).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BasemapOutSchema, type BasemapConfig, type BasemapOut } from '@hub/config';

export type BasemapGeojson = NonNullable<BasemapOut['geojson']>;

/** The illustrative GeoJSON that ships with the config package. */
export function sampleCityGeojsonPath(): string {
  const configEntry = createRequire(import.meta.url).resolve('@hub/config');
  return path.join(path.dirname(configEntry), '..', 'basemaps', 'sample-city.geojson');
}

/** The configured file (relative to the working folder), else the illustrative sample. */
export function basemapGeojsonPath(basemap: BasemapConfig): string {
  return basemap.geojsonFile ? path.resolve(basemap.geojsonFile) : sampleCityGeojsonPath();
}

/** The FeatureCollection in `file`, or why it could not be read (for the operator). */
export async function readBasemapGeojson(file: string): Promise<{ geojson: BasemapGeojson | null; geojsonError: string | null }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    return { geojson: null, geojsonError: `HUB_ERR_BASEMAP_GEOJSON: ${file} cannot be read as JSON (${(err as Error).message})` };
  }
  const parsed = BasemapOutSchema.shape.geojson.safeParse(raw);
  if (!parsed.success || !parsed.data) {
    return { geojson: null, geojsonError: `HUB_ERR_BASEMAP_GEOJSON: ${file} is not a GeoJSON FeatureCollection` };
  }
  return { geojson: parsed.data, geojsonError: null };
}
