// Geofences: GeoJSON polygons (RFC 7946 §3.1.6) with their bounding box kept beside
// them, so that the candidates for a point are found without reading every polygon.
import type { BBox, Geofence, GeofenceCreate, Polygon } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso, toJson } from '@hub/platform';

interface GeofenceRow {
  id: number;
  name: string;
  geometry: unknown;
  alarm_on_enter: boolean;
  alarm_on_exit: boolean;
  created_at: Date | string;
}

const COLUMNS = 'id, name, geometry, alarm_on_enter, alarm_on_exit, created_at';

function toGeofence(r: GeofenceRow): Geofence {
  return {
    id: Number(r.id),
    name: r.name,
    geometry: toJson<Polygon>(r.geometry),
    alarmOnEnter: r.alarm_on_enter,
    alarmOnExit: r.alarm_on_exit,
    createdAt: toIso(r.created_at),
  };
}

/** [minLon, minLat, maxLon, maxLat] of every ring's positions. */
export function polygonBBox(polygon: Polygon): BBox {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const ring of polygon.coordinates) {
    for (const [lon, lat] of ring) {
      if (lon < minLon) minLon = lon;
      if (lon > maxLon) maxLon = lon;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
  }
  return [minLon, minLat, maxLon, maxLat];
}

export async function createGeofence(db: Queryable, g: GeofenceCreate): Promise<Geofence> {
  const [minLon, minLat, maxLon, maxLat] = polygonBBox(g.geometry);
  const { rows } = await db.query<GeofenceRow>(
    `INSERT INTO geofences (name, geometry, min_lon, min_lat, max_lon, max_lat, alarm_on_enter, alarm_on_exit)
     VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [g.name, JSON.stringify(g.geometry), minLon, minLat, maxLon, maxLat, g.alarmOnEnter ?? true, g.alarmOnExit ?? true],
  );
  return toGeofence(rows[0]!);
}

/** Every geofence by id, or those whose bounding box meets `bbox`. */
export async function listGeofences(db: Queryable, bbox?: BBox): Promise<Geofence[]> {
  const { rows } = bbox
    ? await db.query<GeofenceRow>(
        `SELECT ${COLUMNS} FROM geofences
          WHERE max_lon >= $1 AND min_lon <= $3 AND max_lat >= $2 AND min_lat <= $4 ORDER BY id`,
        [...bbox],
      )
    : await db.query<GeofenceRow>(`SELECT ${COLUMNS} FROM geofences ORDER BY id`);
  return rows.map(toGeofence);
}

export async function getGeofence(db: Queryable, id: number): Promise<Geofence | undefined> {
  const { rows } = await db.query<GeofenceRow>(`SELECT ${COLUMNS} FROM geofences WHERE id = $1`, [id]);
  return rows[0] && toGeofence(rows[0]);
}

/** true when it existed. */
export async function deleteGeofence(db: Queryable, id: number): Promise<boolean> {
  const { rows } = await db.query(`DELETE FROM geofences WHERE id = $1 RETURNING id`, [id]);
  return rows.length > 0;
}
