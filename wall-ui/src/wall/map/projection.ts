// Positions are WGS-84 everywhere in the hub; a basemap drawn in GCJ-02 (Chinese map
// publishers) needs them shifted before drawing, and clicks shifted back.
import { gcj02ToWgs84, wgs84ToGcj02 } from '@hub/config';

export interface Projector {
  readonly coordinateSystem: 'wgs84' | 'gcj02';
  /** a WGS-84 position → [lon, lat] on the basemap */
  toMap(lat: number, lon: number): [number, number];
  /** a basemap point → WGS-84 */
  fromMap(lon: number, lat: number): { lat: number; lon: number };
}

export function makeProjector(coordinateSystem: 'wgs84' | 'gcj02'): Projector {
  if (coordinateSystem === 'gcj02') {
    return {
      coordinateSystem,
      toMap(lat, lon) {
        const g = wgs84ToGcj02(lat, lon);
        return [g.lon, g.lat];
      },
      fromMap: (lon, lat) => gcj02ToWgs84(lat, lon),
    };
  }
  return { coordinateSystem, toMap: (lat, lon) => [lon, lat], fromMap: (lon, lat) => ({ lat, lon }) };
}

/** Shifts every coordinate of a GeoJSON object (the offline basemap's districts and roads, geofences). */
export function projectGeometryCoords<T>(coords: T, p: Projector): T {
  if (p.coordinateSystem === 'wgs84') return coords;
  const walk = (c: unknown): unknown => {
    if (Array.isArray(c) && typeof c[0] === 'number') return p.toMap(c[1] as number, c[0] as number);
    if (Array.isArray(c)) return c.map(walk);
    return c;
  };
  return walk(coords) as T;
}

export function projectFeatureCollection<T extends { features: unknown[] }>(fc: T, p: Projector): T {
  if (p.coordinateSystem === 'wgs84') return fc;
  return {
    ...fc,
    features: fc.features.map((f) => {
      const feat = f as { geometry?: { coordinates?: unknown } | null };
      if (!feat.geometry || !feat.geometry.coordinates) return f;
      return { ...feat, geometry: { ...feat.geometry, coordinates: projectGeometryCoords(feat.geometry.coordinates, p) } };
    }),
  };
}
