// GET /api/basemap: what the wall draws under its units. The city's tile server when one is
// configured; always the offline GeoJSON (districts, roads), so a wall with no tiles at all
// still shows a useful map.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BasemapConfigSchema, BasemapOutSchema, type BasemapConfig, type BasemapOut } from '@hub/config';

export interface BasemapRouteOptions {
  /** the hub config's basemap section; default every field's default */
  basemap?: BasemapConfig;
}

/** The illustrative GeoJSON that ships with the config package. */
export function sampleCityGeojsonPath(): string {
  const configEntry = createRequire(import.meta.url).resolve('@hub/config');
  return path.join(path.dirname(configEntry), '..', 'basemaps', 'sample-city.geojson');
}

async function readGeojson(file: string): Promise<{ geojson: BasemapOut['geojson']; geojsonError: string | null }> {
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

export const basemapRoutes: FastifyPluginAsyncZod<BasemapRouteOptions> = async (app, opts) => {
  const basemap = opts.basemap ?? BasemapConfigSchema.parse(undefined);
  const file = basemap.geojsonFile ? path.resolve(basemap.geojsonFile) : sampleCityGeojsonPath();
  // read at start (a bad file is logged once, and said in every answer); the file is small
  const { geojson, geojsonError } = await readGeojson(file);
  if (geojsonError) app.log.warn({ file }, geojsonError);
  const body: BasemapOut = {
    tiles: basemap.tiles ?? null,
    attribution: basemap.attribution,
    coordinateSystem: basemap.coordinateSystem,
    center: basemap.center,
    zoom: basemap.zoom,
    background: basemap.background,
    geojson,
    geojsonError,
  };

  app.get('/basemap', {
    schema: { tags: ['basemap'], summary: 'The wall\'s basemap: tile source, datum and offline GeoJSON', response: { 200: BasemapOutSchema } },
  }, async () => body);
};
