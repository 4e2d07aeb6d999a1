// Closed routes for simulated units: loaded from a GeoJSON file or generated around a city centre.
import { readFile } from 'node:fs/promises';
import { RouteFileSchema } from '@hub/config';
import { GpsSourceError } from '../errors';
import { offsetM, type LatLon } from '@hub/config';

export interface Route {
  /** the loop's corners; the last joins the first */
  points: LatLon[];
  /** m/s, when the file names one */
  speed?: number;
}

/** Reads a route file (GeoJSON LineString or Feature, see RouteFileSchema). */
export async function loadRouteFile(file: string): Promise<Route> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new GpsSourceError(`route file ${file} cannot be read as JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = RouteFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GpsSourceError(`route file ${file} is not a GeoJSON LineString: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const geom = parsed.data.type === 'Feature' ? parsed.data.geometry : parsed.data;
  const route: Route = { points: geom.coordinates.map(([lon, lat]) => ({ lat, lon })) };
  if (parsed.data.type === 'Feature' && parsed.data.properties?.speed) route.speed = parsed.data.properties.speed;
  return route;
}

/** Deterministic PRNG (mulberry32) so that unit N drives the same loop on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A city-block loop for unit number `index`: a rectangle of 0.4-1.6 km sides, snapped to a
 * 200 m street grid, somewhere within `radiusM` of the centre, with a corner every block.
 */
export function cityLoop(centre: LatLon, index: number, radiusM = 3000): Route {
  const rnd = seededRandom(index + 1);
  const block = 200;
  const snap = (m: number) => Math.round(m / block) * block;
  const angle = rnd() * 2 * Math.PI;
  const dist = Math.sqrt(rnd()) * radiusM;
  const x0 = snap(Math.cos(angle) * dist);
  const y0 = snap(Math.sin(angle) * dist);
  const w = snap(400 + rnd() * 1200);
  const h = snap(400 + rnd() * 1200);
  const corners: [number, number][] = [];
  for (let x = 0; x < w; x += block) corners.push([x, 0]);
  for (let y = 0; y < h; y += block) corners.push([w, y]);
  for (let x = w; x > 0; x -= block) corners.push([x, h]);
  for (let y = h; y > 0; y -= block) corners.push([0, y]);
  // vehicles drive clockwise or anticlockwise at 8-15 m/s (30-55 km/h)
  if (rnd() < 0.5) corners.reverse();
  return { points: corners.map(([x, y]) => offsetM(centre, x0 + x, y0 + y)), speed: Math.round((8 + rnd() * 7) * 10) / 10 };
}
