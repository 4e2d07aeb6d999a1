// Which district a point lies in, from the basemap's GeoJSON: features with
// `properties.kind = "district"` and a `name`, Polygon or MultiPolygon. Incidents take the
// district they happened in, so the KPIs per district follow the map the wall draws.
import type { Polygon } from '@hub/config';
import { inPolygon, prepare, type PreparedPolygon } from '@hub/config';
import type { BasemapGeojson } from './geojson';

export interface DistrictMap {
  /** the name of the first district containing the point, or null */
  at(lat: number, lon: number): string | null;
  readonly names: readonly string[];
}

type Ring = [number, number][];
const isRing = (r: unknown): r is Ring => Array.isArray(r) && r.length >= 4 && r.every((p) => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number');
const isRings = (rs: unknown): rs is Ring[] => Array.isArray(rs) && rs.length > 0 && rs.every(isRing);

/** The polygons of one feature's geometry; anything else (lines, points, bad shapes) gives none. */
function polygonsOf(geometry: unknown): Polygon[] {
  const g = geometry as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object') return [];
  if (g.type === 'Polygon' && isRings(g.coordinates)) return [{ type: 'Polygon', coordinates: g.coordinates }];
  if (g.type === 'MultiPolygon' && Array.isArray(g.coordinates)) {
    return g.coordinates.filter(isRings).map((coordinates) => ({ type: 'Polygon' as const, coordinates }));
  }
  return [];
}

export function districtMap(geojson: BasemapGeojson | null): DistrictMap {
  const districts: { name: string; polygons: PreparedPolygon[] }[] = [];
  for (const f of geojson?.features ?? []) {
    const props = f.properties as { kind?: unknown; name?: unknown } | null | undefined;
    if (props?.kind !== 'district' || typeof props.name !== 'string' || !props.name) continue;
    const polygons = polygonsOf(f.geometry).map(prepare);
    if (polygons.length > 0) districts.push({ name: props.name, polygons });
  }
  return {
    names: districts.map((d) => d.name),
    at(lat, lon) {
      for (const d of districts) if (d.polygons.some((p) => inPolygon(p, lon, lat))) return d.name;
      return null;
    },
  };
}
