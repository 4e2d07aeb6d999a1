// Small spherical-earth helpers: enough for simulated routes a few km long.

export type LatLon = { lat: number; lon: number };

const R = 6_371_000; // mean earth radius, m
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Great-circle distance in metres (haversine). */
export function distance(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from true north, [0, 360). */
export function bearing(a: LatLon, b: LatLon): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  const d = (deg(Math.atan2(y, x)) + 360) % 360;
  return d >= 360 ? 0 : d;
}

/** The point `metres` east and `north` of `p` (flat approximation, fine below ~50 km). */
export function offset(p: LatLon, east: number, north: number): LatLon {
  return { lat: p.lat + deg(north / R), lon: p.lon + deg(east / (R * Math.cos(rad(p.lat)))) };
}

/** Linear interpolation between a and b, t in [0, 1]. */
export function lerp(a: LatLon, b: LatLon, t: number): LatLon {
  return { lat: a.lat + (b.lat - a.lat) * t, lon: a.lon + (b.lon - a.lon) * t };
}
