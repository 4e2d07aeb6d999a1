// Spherical-earth geometry shared by the hub, the edge agent and the pages: one Earth radius,
// one haversine. Pure functions, safe in the browser.

export type LatLon = { lat: number; lon: number };

/** The mean Earth radius (IUGG), m. */
export const EARTH_RADIUS_M = 6_371_008.8;

const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Great-circle distance in metres (haversine). */
export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from true north, [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  const d = (deg(Math.atan2(y, x)) + 360) % 360;
  return d >= 360 ? 0 : d;
}

/** The point `east` and `north` metres from `p` (flat approximation, fine below ~50 km). */
export function offsetM(p: LatLon, east: number, north: number): LatLon {
  return { lat: p.lat + deg(north / EARTH_RADIUS_M), lon: p.lon + deg(east / (EARTH_RADIUS_M * Math.cos(rad(p.lat)))) };
}

/** Linear interpolation between a and b, t in [0, 1]. */
export function lerpLatLon(a: LatLon, b: LatLon, t: number): LatLon {
  return { lat: a.lat + (b.lat - a.lat) * t, lon: a.lon + (b.lon - a.lon) * t };
}
