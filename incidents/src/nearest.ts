// Nearest available units to a point, ranked by arrival estimate: the nearest candidates by
// great-circle distance (CANDIDATES_PER_PLACE per place asked for), each with an ETA from its
// recent speed (median over a window of its stored positions, floored by unit type), sorted by
// that ETA. A coordinator wants who gets there first, not who is closest: a car 1 km away
// arrives before a walker at 400 m. The ranking runs on the in-memory UnitIndex (`nearestUnits`); `nearestUnitsSql`
// is the same ranking as one SQL over unit_latest, kept for comparison (bench/nearest.ts).
import type { NearestQuery, NearestUnit, UnitType } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { distanceSql } from './geo';
import { OPEN_STATES_SQL } from './store';
import type { Ranked, UnitIndex } from './unit-index';

export type NearestRequest = Pick<NearestQuery, 'lat' | 'lon' | 'limit'> & {
  types?: UnitType[];
  all?: boolean;
  exclude?: string[];
  /** only these units (their arrival estimates: the units coming to an SOS); not for the SQL ranking */
  only?: string[];
};

/** How many candidates by distance are timed for each place asked for. */
const CANDIDATES_PER_PLACE = 5;
const candidates = (limit: number) => Math.max(limit * CANDIDATES_PER_PLACE, 20);

/** Units dispatched to an open incident (and not refused or timed out): unit id → that incident. */
async function busyUnits(db: Queryable): Promise<Map<string, number>> {
  const { rows } = await db.query<{ unit_id: string; incident_id: number | string }>(
    `SELECT DISTINCT ON (iu.unit_id) iu.unit_id, iu.incident_id
       FROM incident_units iu JOIN incidents i ON i.id = iu.incident_id
      WHERE i.state IN ${OPEN_STATES_SQL} AND iu.state NOT IN ('refused', 'timed_out')
      ORDER BY iu.unit_id, iu.sent_at DESC`,
  );
  return new Map(rows.map((r) => [r.unit_id, Number(r.incident_id)]));
}

export async function nearestUnits(index: UnitIndex, db: Queryable, q: NearestRequest, eta: EtaSettings): Promise<NearestUnit[]> {
  const busy = await busyUnits(db);
  const exclude = new Set(q.exclude ?? []);
  const only = q.only ? new Set(q.only) : undefined;
  const types = q.types?.length ? new Set(q.types) : undefined;
  const ranked = index.nearest(
    q.lat,
    q.lon,
    candidates(q.limit),
    (u) => !u.disabled && !exclude.has(u.id) && (!only || only.has(u.id)) && (!types || types.has(u.type)) && (q.all === true || (u.online && !busy.has(u.id))),
  );
  return withEta(
    db,
    ranked.map((r) => ({ id: r.id, name: r.name, type: r.type, online: r.online, lat: r.lat, lon: r.lon, distance_m: r.distanceM, incident_id: busy.get(r.id) ?? null })),
    eta,
    q.limit,
  );
}

export interface EtaSettings {
  /** median speed over this many minutes of positions */
  etaWindowMinutes: number;
  /** road distance ÷ straight distance */
  routeFactor: number;
  defaultSpeedMps: Record<UnitType, number>;
  minSpeedMps: Record<UnitType, number>;
}

/** A unit as the query ranks it: the index's shape, with the database's column names for the rest. */
type Row = Omit<Ranked, 'distanceM'> & { distance_m: number; incident_id: number | string | null };

export async function nearestUnitsSql(db: Queryable, q: NearestRequest, eta: EtaSettings): Promise<NearestUnit[]> {
  const { rows } = await db.query<Row>(
    // the busy units once (a hash join), not a lookup per unit: 10,000 lookups cost a second
    `WITH busy AS (
       SELECT DISTINCT ON (iu.unit_id) iu.unit_id, iu.incident_id
         FROM incident_units iu JOIN incidents i ON i.id = iu.incident_id
        WHERE i.state IN ${OPEN_STATES_SQL} AND iu.state NOT IN ('refused', 'timed_out')
        ORDER BY iu.unit_id, iu.sent_at DESC
     )
     , ranked AS (
       SELECT u.id, u.name, u.type, u.online, l.lat, l.lon, ${distanceSql('$1', '$2', 'l.lat', 'l.lon')} AS distance_m
         FROM unit_latest l
         JOIN units u ON u.id = l.unit_id
        WHERE NOT u.disabled
          AND ($3::text[] IS NULL OR u.type = ANY($3::text[]))
          AND ($4 OR u.online)
          AND NOT (u.id = ANY($6::text[]))
          AND ($4 OR NOT EXISTS (SELECT 1 FROM busy b WHERE b.unit_id = u.id))
        ORDER BY distance_m, u.id
        LIMIT $5
     )
     SELECT r.*, b.incident_id FROM ranked r LEFT JOIN busy b ON b.unit_id = r.id
      ORDER BY r.distance_m, r.id
`,
    [q.lat, q.lon, q.types?.length ? q.types : null, q.all ?? false, candidates(q.limit), q.exclude ?? []],
  );
  return withEta(db, rows, eta, q.limit);
}

/** The candidates with their ETA, the `limit` soonest first (ties: the nearer, then by id). */
async function withEta(db: Queryable, rows: Row[], eta: EtaSettings, limit: number): Promise<NearestUnit[]> {
  if (rows.length === 0) return [];
  const speeds = await recentSpeeds(
    db,
    rows.map((r) => r.id),
    eta.etaWindowMinutes,
  );
  const timed = rows.map((r) => {
    const recent = speeds.get(r.id);
    const speed = Math.max(recent ?? eta.defaultSpeedMps[r.type], eta.minSpeedMps[r.type]);
    return {
      unitId: r.id,
      name: r.name,
      type: r.type,
      lat: r.lat,
      lon: r.lon,
      distanceM: Math.round(r.distance_m * 10) / 10,
      etaSeconds: Math.round((r.distance_m * eta.routeFactor) / speed),
      online: r.online,
      assignedIncidentId: r.incident_id === null ? null : Number(r.incident_id),
    };
  });
  return timed.sort((a, b) => a.etaSeconds - b.etaSeconds || a.distanceM - b.distanceM || (a.unitId < b.unitId ? -1 : 1)).slice(0, limit);
}

/** Median reported speed of each unit over the last `minutes` (units without moving positions are absent). */
async function recentSpeeds(db: Queryable, unitIds: string[], minutes: number): Promise<Map<string, number>> {
  const { rows } = await db.query<{ unit_id: string; median: number }>(
    `SELECT unit_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY speed) AS median
       FROM positions
      WHERE unit_id = ANY($1::text[]) AND ts >= now() - make_interval(secs => $2) AND speed IS NOT NULL
      GROUP BY unit_id`,
    [unitIds, minutes * 60],
  );
  return new Map(rows.filter((r) => r.median !== null && Number(r.median) > 0).map((r) => [r.unit_id, Number(r.median)]));
}
