// Point-in-polygon for geofences and districts: GeoJSON polygons (RFC 7946 §3.1.6) in [lon, lat], with holes.
// Planar even-odd test on degrees: fine for city-sized fences that do not cross the antimeridian.
import type { Polygon } from './api';
import { EARTH_RADIUS_M } from './geo';

/** [minLon, minLat, maxLon, maxLat] */
export type LonLatBox = [number, number, number, number];

export interface PreparedPolygon {
  bbox: LonLatBox;
  /** rings[0] is the outer ring, the others are holes */
  rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
}

export function prepare(polygon: Polygon): PreparedPolygon {
  const outer = polygon.coordinates[0] ?? [];
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const [lon, lat] of outer) {
    if (lon < w) w = lon;
    if (lon > e) e = lon;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
  }
  return { bbox: [w, s, e, n], rings: polygon.coordinates };
}

export function inBox(box: LonLatBox, lon: number, lat: number): boolean {
  return lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3];
}

/** Even-odd ray cast; a ring may be closed (first = last) or not. */
export function inRing(ring: ReadonlyArray<readonly [number, number]>, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and in none of the holes; the bbox rejects most points cheaply. */
export function inPolygon(p: PreparedPolygon, lon: number, lat: number): boolean {
  if (!inBox(p.bbox, lon, lat)) return false;
  const [outer, ...holes] = p.rings;
  if (!outer || !inRing(outer, lon, lat)) return false;
  for (const hole of holes) if (inRing(hole, lon, lat)) return false;
  return true;
}

/**
 * Distance in metres from a point to the nearest edge of the polygon (outer ring or a hole),
 * on a local equirectangular projection around the point: exact enough at city scale.
 */
export function distanceToEdgeM(p: PreparedPolygon, lon: number, lat: number): number {
  const kx = (Math.PI / 180) * EARTH_RADIUS_M * Math.cos((lat * Math.PI) / 180);
  const ky = (Math.PI / 180) * EARTH_RADIUS_M;
  let best = Infinity;
  for (const ring of p.rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const ax = (ring[j]![0] - lon) * kx;
      const ay = (ring[j]![1] - lat) * ky;
      const bx = (ring[i]![0] - lon) * kx;
      const by = (ring[i]![1] - lat) * ky;
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
      best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
    }
  }
  return best;
}
