// Writes a small PMTiles v3 archive for tests: one root directory, no leaf directories,
// directories and metadata uncompressed (spec v3 §3-§4,
// https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md). Enough for a basemap of a
// few tiles built by the test itself, so no test downloads a map.
import { writeFileSync } from 'node:fs';
import { Compression, TileType, zxyToTileId } from 'pmtiles';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import type { FeatureCollection } from 'geojson';
import { boxPolygon } from './polygons';

export interface TestTile {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

const HEADER_BYTES = 127;

function varint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/** The directory of spec v3 §4.1: count, then tile-id deltas, run lengths, lengths, offsets. */
function directory(entries: { tileId: number; offset: number; length: number }[]): Uint8Array {
  const out: number[] = [];
  varint(out, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(out, e.tileId - last);
    last = e.tileId;
  }
  for (const _ of entries) varint(out, 1);
  for (const e of entries) varint(out, e.length);
  // offset + 1 for each (0 would mean "right after the previous tile")
  for (const e of entries) varint(out, e.offset + 1);
  return Uint8Array.from(out);
}

/** Writes `tiles` to `file` as PMTiles of `tileType`; `metadata` is the JSON metadata (e.g. vector_layers). */
export function writePmtiles(file: string, tiles: TestTile[], tileType: TileType, metadata: Record<string, unknown> = {}): void {
  const sorted = tiles.map((t) => ({ ...t, tileId: zxyToTileId(t.z, t.x, t.y) })).sort((a, b) => a.tileId - b.tileId);
  let offset = 0;
  const entries = sorted.map((t) => {
    const e = { tileId: t.tileId, offset, length: t.data.length };
    offset += t.data.length;
    return e;
  });
  const root = directory(entries);
  const meta = new TextEncoder().encode(JSON.stringify(metadata));
  const tileData = Buffer.concat(sorted.map((t) => Buffer.from(t.data)));
  const rootOffset = HEADER_BYTES;
  const metaOffset = rootOffset + root.length;
  const dataOffset = metaOffset + meta.length;
  const zooms = sorted.map((t) => t.z);

  const h = Buffer.alloc(HEADER_BYTES);
  h.write('PMTiles', 0, 'ascii');
  h.writeUInt8(3, 7);
  const u64 = (at: number, v: number) => h.writeBigUInt64LE(BigInt(v), at);
  u64(8, rootOffset);
  u64(16, root.length);
  u64(24, metaOffset);
  u64(32, meta.length);
  u64(40, dataOffset); // no leaf directories
  u64(48, 0);
  u64(56, dataOffset);
  u64(64, tileData.length);
  u64(72, sorted.length);
  u64(80, sorted.length);
  u64(88, sorted.length);
  h.writeUInt8(1, 96); // clustered: tiles in tile-id order
  h.writeUInt8(Compression.None, 97);
  h.writeUInt8(Compression.None, 98);
  h.writeUInt8(tileType, 99);
  h.writeUInt8(Math.min(...zooms), 100);
  h.writeUInt8(Math.max(...zooms), 101);
  h.writeInt32LE(-1800000000, 102);
  h.writeInt32LE(-850000000, 106);
  h.writeInt32LE(1800000000, 110);
  h.writeInt32LE(850000000, 114);
  h.writeUInt8(Math.min(...zooms), 118);
  writeFileSync(file, Buffer.concat([h, root, meta, tileData]));
}

/** Web-Mercator tile x/y of a WGS-84 point at zoom z. */
export function tileOf(lat: number, lon: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { x, y };
}

/**
 * A vector (MVT) PMTiles file of `layers` (source-layer name → GeoJSON in WGS-84), cut into the
 * tiles around (lat, lon) for zooms `minZoom`..`maxZoom`, with OpenMapTiles-style metadata.
 */
export function writeVectorPmtiles(file: string, layers: Record<string, FeatureCollection>, around: { lat: number; lon: number }, minZoom: number, maxZoom: number): void {
  const indexes = Object.fromEntries(Object.entries(layers).map(([name, fc]) => [name, new GeoJSONVT(fc, { maxZoom, indexMaxZoom: maxZoom, tolerance: 1, buffer: 64 })]));
  const tiles: TestTile[] = [];
  for (let z = minZoom; z <= maxZoom; z++) {
    const c = tileOf(around.lat, around.lon, z);
    for (let dx = -2; dx <= 2; dx++) {
      for (let dy = -2; dy <= 2; dy++) {
        const x = c.x + dx;
        const y = c.y + dy;
        const parts = Object.fromEntries(Object.entries(indexes).flatMap(([name, index]) => (index.getTile(z, x, y) ? [[name, index.getTile(z, x, y)!]] : [])));
        if (Object.keys(parts).length) tiles.push({ z, x, y, data: fromGeojsonVt(parts as never, { version: 2, extent: 4096 }) });
      }
    }
  }
  writePmtiles(file, tiles, TileType.Mvt, { vector_layers: Object.keys(layers).map((id) => ({ id, fields: {} })) });
}

type Props = Record<string, string>;
const line = (props: Props, coords: [number, number][]) => ({ type: 'Feature' as const, properties: props, geometry: { type: 'LineString' as const, coordinates: coords } });
const box = (props: Props, w: number, s: number, e: number, n: number) => ({ type: 'Feature' as const, properties: props, geometry: boxPolygon(w, s, e, n) });

/**
 * A made-up street map around (22.54, 114.05), the simulator's centre, in the OpenMapTiles
 * schema's layer names (transportation with `class`, water, park, building): an avenue
 * grid, side streets, a river and a park, for zooms 12-15.
 */
export function writeTestCityPmtiles(file: string): void {
  const lat0 = 22.54;
  const lon0 = 114.05;
  const roads = [];
  for (let i = -4; i <= 4; i++) {
    const cls = i % 4 === 0 ? 'primary' : i % 2 === 0 ? 'secondary' : 'minor';
    roads.push(
      line({ class: cls, name: `Avenue ${i + 5}` }, [
        [lon0 - 0.05, lat0 + i * 0.006],
        [lon0 + 0.05, lat0 + i * 0.006],
      ]),
    );
    roads.push(
      line({ class: cls, name: `Road ${i + 5}` }, [
        [lon0 + i * 0.007, lat0 - 0.04],
        [lon0 + i * 0.007, lat0 + 0.04],
      ]),
    );
  }
  roads.push(
    line({ class: 'motorway', name: 'Ring expressway' }, [
      [lon0 - 0.045, lat0 - 0.035],
      [lon0 + 0.045, lat0 - 0.035],
      [lon0 + 0.045, lat0 + 0.035],
      [lon0 - 0.045, lat0 + 0.035],
      [lon0 - 0.045, lat0 - 0.035],
    ]),
  );
  const buildings = [];
  for (let i = -3; i < 3; i++) for (let j = -3; j < 3; j++) buildings.push(box({}, lon0 + j * 0.007 + 0.001, lat0 + i * 0.006 + 0.001, lon0 + j * 0.007 + 0.005, lat0 + i * 0.006 + 0.004));
  writeVectorPmtiles(
    file,
    {
      water: { type: 'FeatureCollection', features: [box({ class: 'river' }, lon0 - 0.06, lat0 - 0.03, lon0 + 0.06, lat0 - 0.026)] },
      park: { type: 'FeatureCollection', features: [box({ class: 'park', name: 'Central Park' }, lon0 + 0.008, lat0 + 0.007, lon0 + 0.02, lat0 + 0.017)] },
      building: { type: 'FeatureCollection', features: buildings },
      transportation: { type: 'FeatureCollection', features: roads },
    },
    { lat: lat0, lon: lon0 },
    12,
    15,
  );
}
