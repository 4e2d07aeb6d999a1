// An offline basemap from the city's own PMTiles file (basemap.file), served by the hub at
// /api/basemap/tiles/{z}/{x}/{y}: the wall is told it is a vector map with its source
// layers, a tile comes back as stored, a tile the file lacks is 404, and a file that is not
// PMTiles leaves the schematic map in place with a sentence saying why.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import Pbf from 'pbf';
import { VectorTile } from '@mapbox/vector-tile';
import { BASEMAP_FILE_TILES_URL, type BasemapOut } from '@hub/config';
import { ADMIN_TOKEN, withTestHub, type TestHub } from '../../test-support/test-hub';
import { tileOf, writeTestCityPmtiles } from '../../test-support/pmtiles';

const dir = mkdtempSync(path.join(tmpdir(), 'hub-basemap-'));
const cityFile = path.join(dir, 'city.pmtiles');
writeTestCityPmtiles(cityFile);
const notPmtiles = path.join(dir, 'city.mbtiles');
writeFileSync(notPmtiles, 'SQLite format 3\0 — not a PMTiles archive');

const tile = (th: TestHub, z: number, x: number, y: number) => fetch(`${th.http}/api/basemap/tiles/${z}/${x}/${y}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

describe('basemap.file set to a PMTiles street map', () => {
  let th: TestHub;
  withTestHub({ 'basemap.file': cityFile }, (h) => (th = h));

  test('the wall is told to draw the file as vector tiles, with its source layers', async () => {
    const { body } = await th.api<BasemapOut>('GET', '/api/basemap');
    expect(body.tiles).toMatchObject({ kind: 'vector', url: BASEMAP_FILE_TILES_URL, minzoom: 12, maxzoom: 15 });
    expect([...body.tiles!.vectorLayers].sort()).toEqual(['building', 'park', 'transportation', 'water']);
    expect(body.fileError).toBeNull();
    expect(body.geojson).not.toBeNull(); // the schematic layers stay above the tiles
  });

  test('a tile over the city comes back as a vector tile with its streets', async () => {
    const { x, y } = tileOf(22.54, 114.05, 14);
    const res = await tile(th, 14, x, y);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    const vt = new VectorTile(new Pbf(new Uint8Array(await res.arrayBuffer())));
    const roads = vt.layers['transportation']!;
    expect(roads.length).toBeGreaterThan(3);
    const classes = new Set(Array.from({ length: roads.length }, (_, i) => roads.feature(i).properties['class']));
    expect(classes).toContain('primary');
  });

  test('a tile the file does not have is 404 with a code, and so is a zoom outside it', async () => {
    const far = await tile(th, 14, 0, 0);
    expect(far.status).toBe(404);
    expect(((await far.json()) as { code: string }).code).toBe('HUB_ERR_BASEMAP_TILE_NOT_FOUND');
    const { x, y } = tileOf(22.54, 114.05, 18);
    expect((await tile(th, 18, x, y)).status).toBe(404);
    expect((await tile(th, 14, 2 ** 14, 0)).status).toBe(404);
  });

  test('tiles are for operators only', async () => {
    const { x, y } = tileOf(22.54, 114.05, 14);
    expect((await fetch(`${th.http}/api/basemap/tiles/14/${x}/${y}`)).status).toBe(401);
  });
});

describe('basemap.file that is not a PMTiles archive', () => {
  let th: TestHub;
  withTestHub({ 'basemap.file': notPmtiles }, (h) => (th = h));

  test('the hub starts, the wall keeps the schematic map and is told why', async () => {
    const { body } = await th.api<BasemapOut>('GET', '/api/basemap');
    expect(body.tiles).toBeNull();
    expect(body.fileError).toMatch(/^HUB_ERR_BASEMAP_FILE: .*city\.mbtiles cannot be served as a PMTiles basemap/);
    expect(body.geojson).not.toBeNull();
    expect((await tile(th, 12, 3340, 1785)).status).toBe(404);
  });
});
