// The time series of positions, and the latest position of each unit.
import type { BBox, Position, PositionOut, VehicleReadings } from '@hub/config';
import { ensurePartitions, forgetPartitions, utcDay } from '../db/partitions';
import type { Queryable, TrackOptions } from './types';
import { toDate, toIso, toNumberOrNull } from '@hub/platform';

interface PositionRow {
  unit_id: string;
  ts: Date | string;
  lat: number;
  lon: number;
  speed: number | null;
  heading: number | null;
  accuracy: number | null;
  alt: number | null;
  battery: number | null;
  flags: string[] | null;
  vehicle: VehicleReadings | null;
}

const COLUMNS = 'unit_id, ts, lat, lon, speed, heading, accuracy, alt, battery, flags, vehicle';

function toPositionOut(r: PositionRow): PositionOut {
  return {
    unitId: r.unit_id,
    ts: toIso(r.ts),
    lat: Number(r.lat),
    lon: Number(r.lon),
    speed: toNumberOrNull(r.speed),
    heading: toNumberOrNull(r.heading),
    accuracy: toNumberOrNull(r.accuracy),
    alt: toNumberOrNull(r.alt),
    battery: toNumberOrNull(r.battery),
    flags: r.flags ?? null,
    ...(r.vehicle ? { vehicle: r.vehicle } : {}),
  };
}

/** A position as the API returns it (ISO time, absent fields as null). */
export function positionOut(p: Position): PositionOut {
  return {
    unitId: p.unitId,
    ts: p.ts.toISOString(),
    lat: p.lat,
    lon: p.lon,
    speed: p.speed ?? null,
    heading: p.heading ?? null,
    accuracy: p.accuracy ?? null,
    alt: p.alt ?? null,
    battery: p.battery ?? null,
    flags: p.flags ?? null,
    ...(p.vehicle ? { vehicle: p.vehicle } : {}),
  };
}

const key = (unitId: string, ts: Date) => `${unitId}\n${ts.getTime()}`;

const LATEST_SET = `ts = n.ts, lat = n.lat, lon = n.lon, speed = n.speed, heading = n.heading,
  accuracy = n.accuracy, alt = n.alt, battery = n.battery, flags = n.flags, vehicle = n.vehicle,
  received_at = n.received_at`;

// Which position is a unit's latest: the one with the greatest (least(ts, received_at), ts),
// the rule of config's latestOrderMs. A fix dated ahead of the hub's clock counts as of its
// arrival, so it never holds the latest place against true fixes that arrive after it.
const ORDER = (t: string) => `(least(${t}.ts, ${t}.received_at), ${t}.ts)`;

// The whole batch travels as one JSON parameter, a row per position as an array in
// COLUMNS order (measured: cheaper than json_to_recordset's named fields or pg's array
// literals for unnest), and is inserted skipping (unit, ts) already stored. The newest
// new position of each unit then moves unit_latest forward: an UPDATE for the units
// there (cheaper than ON CONFLICT DO UPDATE for thousands of rows), an upsert for the
// rest (new units; ON CONFLICT covers another batch adding the same unit meanwhile).
// One statement: atomic on any Queryable, one round trip, no BEGIN/COMMIT.
const BATCH_CTE = `
  SELECT e->>0 AS unit_id, (e->>1)::timestamptz AS ts, (e->>2)::float8 AS lat, (e->>3)::float8 AS lon,
         (e->>4)::float8 AS speed, (e->>5)::float8 AS heading, (e->>6)::float8 AS accuracy,
         (e->>7)::float8 AS alt, (e->>8)::float8 AS battery,
         CASE WHEN json_typeof(e->9) = 'array' THEN ARRAY(SELECT json_array_elements_text(e->9)) END AS flags,
         (e->>10)::timestamptz AS received_at, nullif((e->11)::jsonb, 'null') AS vehicle
    FROM json_array_elements($1::json) AS e
`;

const LATEST_CTES = `moved AS (
  UPDATE unit_latest l SET ${LATEST_SET}
    FROM newest n WHERE l.unit_id = n.unit_id AND ${ORDER('l')} < ${ORDER('n')}
),
added AS (
  INSERT INTO unit_latest AS l (${COLUMNS}, received_at)
  SELECT ${COLUMNS}, received_at FROM newest n WHERE NOT EXISTS (SELECT 1 FROM unit_latest x WHERE x.unit_id = n.unit_id)
  ON CONFLICT (unit_id) DO UPDATE SET ${LATEST_SET.replaceAll('n.', 'EXCLUDED.')}
  WHERE ${ORDER('l')} < ${ORDER('EXCLUDED')}
)`;

const INSERT_SQL = `
WITH batch AS (${BATCH_CTE}),
ins AS (
  INSERT INTO positions (${COLUMNS})
  SELECT ${COLUMNS} FROM batch
  ON CONFLICT (unit_id, ts) DO NOTHING
  RETURNING unit_id, ts
),
newest AS (
  SELECT DISTINCT ON (b.unit_id) b.* FROM batch b JOIN ins USING (unit_id, ts)
   ORDER BY b.unit_id, least(b.ts, b.received_at) DESC, b.ts DESC
),
${LATEST_CTES}
SELECT unit_id, ts FROM ins`;

// The common case has no position already stored: then a plain INSERT (no speculative
// insertion, no RETURNING) does the same for about a third less work (measured with
// bench/store-insert.ts). A repeat makes it fail on the primary key as a whole, and the
// batch goes again through INSERT_SQL, which skips what is stored.
const FAST_SQL = `
WITH batch AS (${BATCH_CTE}),
ins AS (
  INSERT INTO positions (${COLUMNS}) SELECT ${COLUMNS} FROM batch
),
newest AS (
  SELECT DISTINCT ON (unit_id) * FROM batch ORDER BY unit_id, least(ts, received_at) DESC, ts DESC
),
${LATEST_CTES}
SELECT count(*)::int AS n FROM batch`;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

function isMissingPartition(err: unknown): boolean {
  // check_violation "no partition of relation "positions" found for row": another hub dropped it
  return (err as { code?: string }).code === '23514' && /no partition/i.test((err as Error).message);
}

// deadlock_detected, serialization_failure: concurrent batches on the same units; the
// statement was rolled back as a whole, so running it again is safe.
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

type InsertedRow = { unit_id: string; ts: Date | string };

/** Returns the rows inserted, or 'all' when the fast path stored the whole batch. */
async function runInsert(db: Queryable, payload: string, days: Set<number>): Promise<InsertedRow[] | 'all'> {
  await ensurePartitions(db, days);
  let fast = true;
  for (let attempt = 1; ; attempt++) {
    try {
      if (fast) {
        await db.query(FAST_SQL, [payload]);
        return 'all';
      }
      return (await db.query<InsertedRow>(INSERT_SQL, [payload])).rows;
    } catch (err) {
      if (fast && isUniqueViolation(err)) {
        fast = false;
        attempt--;
        continue;
      }
      if (attempt >= ATTEMPTS) throw err;
      if (isMissingPartition(err)) {
        forgetPartitions(db);
        await ensurePartitions(db, days);
      } else if (!RETRYABLE.has((err as { code?: string }).code ?? '')) {
        throw err;
      }
    }
  }
}

/**
 * Stores a batch of positions. Positions already stored (same unit and ts) and
 * repeats within the batch are skipped; late positions land in their place in time.
 * Returns the count stored and the positions that were new, in batch order, so the
 * caller pushes only those live.
 */
export async function insertPositions(
  db: Queryable,
  positions: Position[],
  /** when the hub received each position (same order); default now. Decides the latest (ORDER). */
  receivedAt?: Date[],
): Promise<{ inserted: number; fresh: Position[] }> {
  const unique = new Map<string, Position>();
  const received = new Map<Position, Date>();
  const now = new Date();
  positions.forEach((p, i) => {
    const k = key(p.unitId, p.ts);
    if (unique.has(k)) return;
    unique.set(k, p);
    received.set(p, receivedAt?.[i] ?? now);
  });
  if (unique.size === 0) return { inserted: 0, fresh: [] };
  // Rows in (unit, ts) order: concurrent batches then lock index entries in one order, without deadlocks.
  const batch = [...unique.values()].sort((x, y) => (x.unitId < y.unitId ? -1 : x.unitId > y.unitId ? 1 : x.ts.getTime() - y.ts.getTime()));
  const days = new Set<number>();
  for (const p of batch) days.add(utcDay(p.ts));
  const payload = JSON.stringify(batch.map((p) => [p.unitId, p.ts.toISOString(), p.lat, p.lon, p.speed, p.heading, p.accuracy, p.alt, p.battery, p.flags, received.get(p)!.toISOString(), p.vehicle]));
  const rows = await runInsert(db, payload, days);
  if (rows === 'all') return { inserted: batch.length, fresh: [...unique.values()] };
  if (rows.length === 0) return { inserted: 0, fresh: [] };
  const stored = new Set(rows.map((r) => key(r.unit_id, toDate(r.ts))));
  const fresh: Position[] = [];
  for (const p of unique.values()) if (stored.has(key(p.unitId, p.ts))) fresh.push(p);
  return { inserted: rows.length, fresh };
}

/** The latest position of every unit, or of those inside `bbox` ([minLon, minLat, maxLon, maxLat]). */
export async function latestPositions(db: Queryable, bbox?: BBox): Promise<PositionOut[]> {
  const { rows } = bbox
    ? await db.query<PositionRow>(
        `SELECT ${COLUMNS} FROM unit_latest
          WHERE lon BETWEEN $1 AND $3 AND lat BETWEEN $2 AND $4 ORDER BY unit_id`,
        [...bbox],
      )
    : await db.query<PositionRow>(`SELECT ${COLUMNS} FROM unit_latest ORDER BY unit_id`);
  return rows.map(toPositionOut);
}

/** The latest position of one unit. */
export async function latestPosition(db: Queryable, unitId: string): Promise<PositionOut | undefined> {
  const { rows } = await db.query<PositionRow>(`SELECT ${COLUMNS} FROM unit_latest WHERE unit_id = $1`, [unitId]);
  return rows[0] && toPositionOut(rows[0]);
}

/**
 * A unit's positions with from <= ts <= to, oldest first. With `bucketSeconds`, at most
 * one point per bucket (aligned to the epoch): the bucket's last, as a wall shows where
 * the unit ended up. Read in index order, without sorting the range.
 */
export async function track(db: Queryable, unitId: string, from: Date, to: Date, opts: TrackOptions = {}): Promise<PositionOut[]> {
  const limit = opts.limit ?? 10_000;
  if (!opts.bucketSeconds) {
    const { rows } = await db.query<PositionRow>(`SELECT ${COLUMNS} FROM positions WHERE unit_id = $1 AND ts >= $2 AND ts <= $3 ORDER BY ts LIMIT $4`, [unitId, from, to, limit]);
    return rows.map(toPositionOut);
  }
  const { rows } = await db.query<PositionRow>(
    `SELECT ${COLUMNS} FROM (
       SELECT ${COLUMNS}, floor(extract(epoch FROM ts) / $4) AS bucket,
              lead(floor(extract(epoch FROM ts) / $4)) OVER (ORDER BY ts) AS next_bucket
         FROM positions WHERE unit_id = $1 AND ts >= $2 AND ts <= $3
     ) p
     WHERE next_bucket IS DISTINCT FROM bucket
     ORDER BY ts LIMIT $5`,
    [unitId, from, to, opts.bucketSeconds, limit],
  );
  return rows.map(toPositionOut);
}
