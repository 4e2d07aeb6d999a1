// GET /api/basemap: what the wall draws under its units. The city's tile server when one is
// configured; always the offline GeoJSON (districts, roads), so a wall with no tiles at all
// still shows a useful map.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BasemapConfigSchema, BasemapOutSchema, type BasemapConfig, type BasemapOut } from '@hub/config';
import { basemapGeojsonPath, readBasemapGeojson } from '../basemap/geojson';

export interface BasemapRouteOptions {
  /** the hub config's basemap section; default every field's default */
  basemap?: BasemapConfig;
}

export const basemapRoutes: FastifyPluginAsyncZod<BasemapRouteOptions> = async (app, opts) => {
  const basemap = opts.basemap ?? BasemapConfigSchema.parse(undefined);
  const file = basemapGeojsonPath(basemap);
  // read at start (a bad file is logged once, and said in every answer); the file is small
  const { geojson, geojsonError } = await readBasemapGeojson(file);
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

  app.get(
    '/basemap',
    {
      schema: { tags: ['basemap'], summary: "The wall's basemap: tile source, datum and offline GeoJSON", response: { 200: BasemapOutSchema } },
    },
    async () => body,
  );
};
