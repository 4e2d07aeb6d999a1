// WGS-84 ↔ GCJ-02, the obfuscated datum Chinese basemaps are drawn in (GB 20263-2006).
// The forward formula is the public reconstruction used by eviltransform and coordtransform
// (Krasovsky 1940 ellipsoid, a = 6378245 m); the inverse is iterated to below 1e-9 degrees.
// Pure functions with no imports, so the wall's browser bundle can use them too.

const A = 6378245.0;
// 0.00669342162296594323 in the references: the same double, written as JavaScript keeps it
const EE = 0.006693421622965943;

/** The area where GCJ-02 applies: outside it, points are returned unchanged (as every reference implementation does). */
export function outOfChina(lat: number, lon: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function transformLon(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

function delta(lat: number, lon: number): [number, number] {
  let dLat = transformLat(lon - 105.0, lat - 35.0);
  let dLon = transformLon(lon - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [dLat, dLon];
}

/** A WGS-84 position (GPS) as a GCJ-02 basemap draws it. */
export function wgs84ToGcj02(lat: number, lon: number): { lat: number; lon: number } {
  if (outOfChina(lat, lon)) return { lat, lon };
  const [dLat, dLon] = delta(lat, lon);
  return { lat: lat + dLat, lon: lon + dLon };
}

/** A point on a GCJ-02 basemap (a map click) back to WGS-84, exact to about 1e-9 degrees. */
export function gcj02ToWgs84(lat: number, lon: number): { lat: number; lon: number } {
  if (outOfChina(lat, lon)) return { lat, lon };
  // fixed-point iteration: the offset varies slowly, so a few steps converge
  let wLat = lat;
  let wLon = lon;
  for (let i = 0; i < 30; i++) {
    const g = wgs84ToGcj02(wLat, wLon);
    const eLat = g.lat - lat;
    const eLon = g.lon - lon;
    wLat -= eLat;
    wLon -= eLon;
    if (Math.abs(eLat) < 1e-10 && Math.abs(eLon) < 1e-10) break;
  }
  return { lat: wLat, lon: wLon };
}
