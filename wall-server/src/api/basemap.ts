// GET /api/basemap: what the wall draws under its units. The city's own PMTiles file
// (`basemap.file`, served here at /api/basemap/tiles/{z}/{x}/{y}) or tile server when one is
// configured; always the offline GeoJSON (districts, roads), so a wall with no tiles at all
// still shows a useful map.
import path from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BASEMAP_FILE_TILES_URL, BasemapConfigSchema, BasemapOutSchema, BasemapTileParamsSchema, type BasemapConfig, type BasemapOut } from '@hub/config';
import { NotFoundError } from '@hub/platform';
import { basemapGeojsonPath, readBasemapGeojson } from '../basemap/geojson';
import { openTileFile, type TileFile } from '../basemap/pmtiles-file';

export interface BasemapRouteOptions {
  /** the hub config's basemap section; default every field's default */
  basemap?: BasemapConfig;
}

/** The configured tile file, or why it is not served (the schematic map is drawn instead). */
async function openConfiguredFile(file: string | undefined): Promise<{ tileFile: TileFile | null; fileError: string | null }> {
  if (!file) return { tileFile: null, fileError: null };
  const resolved = path.resolve(file);
  try {
    return { tileFile: await openTileFile(resolved), fileError: null };
  } catch (err) {
    return { tileFile: null, fileError: `HUB_ERR_BASEMAP_FILE: ${resolved} cannot be served as a PMTiles basemap (${(err as Error).message}); the schematic map is drawn instead` };
  }
}

export const basemapRoutes: FastifyPluginAsyncZod<BasemapRouteOptions> = async (app, opts) => {
  const basemap = opts.basemap ?? BasemapConfigSchema.parse(undefined);
  const file = basemapGeojsonPath(basemap);
  // read at start (a bad file is logged once, and said in every answer); the file is small
  const { geojson, geojsonError } = await readBasemapGeojson(file);
  if (geojsonError) app.log.warn({ file }, geojsonError);
  const { tileFile, fileError } = await openConfiguredFile(basemap.file);
  if (fileError) app.log.error({ file: basemap.file }, fileError);
  if (tileFile) app.addHook('onClose', () => tileFile.close());
  const body: BasemapOut = {
    tiles: tileFile?.tiles(BASEMAP_FILE_TILES_URL) ?? basemap.tiles ?? null,
    attribution: basemap.attribution,
    coordinateSystem: basemap.coordinateSystem,
    center: basemap.center,
    zoom: basemap.zoom,
    background: basemap.background,
    geojson,
    geojsonError,
    fileError,
  };

  app.get(
    '/basemap',
    {
      schema: { tags: ['basemap'], summary: "The wall's basemap: tile source, datum and offline GeoJSON", response: { 200: BasemapOutSchema } },
    },
    async () => body,
  );

  app.get(
    '/basemap/tiles/:z/:x/:y',
    {
      schema: {
        tags: ['basemap'],
        // the body is the tile's bytes (no JSON schema); a missing tile is 404 HUB_ERR_BASEMAP_TILE_NOT_FOUND
        summary: "A tile of the city's own basemap file (basemap.file), as stored: MVT or an image",
        params: BasemapTileParamsSchema,
      },
    },
    async (request, reply) => {
      const { z, x, y } = request.params;
      const tile = await tileFile?.tile(z, x, y);
      if (!tile) throw new NotFoundError('basemap_tile', `${z}/${x}/${y}`);
      reply.header('Content-Type', tile.contentType).header('Cache-Control', 'private, max-age=3600');
      if (tile.contentEncoding) reply.header('Content-Encoding', tile.contentEncoding);
      return reply.send(tile.data);
    },
  );
};
