// Alarms: SOS, device, geofence, overspeed, offline, low battery; listed newest first
// and acknowledged by an operator.
import type { Alarm, AlarmKind, AlarmQuery } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso, toIsoOrNull, toJson, toNumberOrNull } from '@hub/platform';

export interface NewAlarm {
  unitId: string;
  kind: AlarmKind;
  ts: Date;
  lat?: number | null;
  lon?: number | null;
  details?: Record<string, unknown>;
}

interface AlarmRow {
  id: number | string;
  unit_id: string;
  kind: Alarm['kind'];
  ts: Date | string;
  lat: number | null;
  lon: number | null;
  details: unknown;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  note: string | null;
  repeats: number;
  last_repeat_at: Date | string | null;
}

const COLUMNS = 'id, unit_id, kind, ts, lat, lon, details, acknowledged_at, acknowledged_by, note, repeats, last_repeat_at';

function toAlarm(r: AlarmRow): Alarm {
  return {
    id: Number(r.id),
    unitId: r.unit_id,
    kind: r.kind,
    ts: toIso(r.ts),
    lat: toNumberOrNull(r.lat),
    lon: toNumberOrNull(r.lon),
    details: toJson<Record<string, unknown>>(r.details) ?? {},
    acknowledgedAt: toIsoOrNull(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    note: r.note,
    repeats: Number(r.repeats),
    lastRepeatAt: toIsoOrNull(r.last_repeat_at),
  };
}

export async function insertAlarm(db: Queryable, a: NewAlarm): Promise<Alarm> {
  const { rows } = await db.query<AlarmRow>(`INSERT INTO alarms (unit_id, kind, ts, lat, lon, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING ${COLUMNS}`, [
    a.unitId,
    a.kind,
    a.ts,
    a.lat ?? null,
    a.lon ?? null,
    JSON.stringify(a.details ?? {}),
  ]);
  return toAlarm(rows[0]!);
}

export async function getAlarm(db: Queryable, id: number): Promise<Alarm | undefined> {
  const { rows } = await db.query<AlarmRow>(`SELECT ${COLUMNS} FROM alarms WHERE id = $1`, [id]);
  return rows[0] && toAlarm(rows[0]);
}

/** Alarms matching `q`, newest first; at most `q.limit` (default 100). */
export async function listAlarms(db: Queryable, q: Partial<AlarmQuery> = {}): Promise<Alarm[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (cond: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(cond(`$${params.length}`));
  };
  if (q.unitId !== undefined) add((p) => `unit_id = ${p}`, q.unitId);
  if (q.kind !== undefined) add((p) => `kind = ${p}`, q.kind);
  if (q.acknowledged !== undefined) where.push(q.acknowledged ? 'acknowledged_at IS NOT NULL' : 'acknowledged_at IS NULL');
  if (q.from !== undefined) add((p) => `ts >= ${p}`, q.from);
  if (q.to !== undefined) add((p) => `ts <= ${p}`, q.to);
  params.push(q.limit ?? 100);
  const { rows } = await db.query<AlarmRow>(
    `SELECT ${COLUMNS} FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ts DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toAlarm);
}

/**
 * Marks an alarm acknowledged by `by`. Idempotent: a second acknowledgement keeps the
 * first one's time, actor and note. undefined when there is no such alarm.
 */
export async function acknowledgeAlarm(db: Queryable, id: number, by: string, note?: string): Promise<Alarm | undefined> {
  const { rows } = await db.query<AlarmRow>(
    `UPDATE alarms SET acknowledged_at = now(), acknowledged_by = $2, note = $3
      WHERE id = $1 AND acknowledged_at IS NULL RETURNING ${COLUMNS}`,
    [id, by, note ?? null],
  );
  return rows[0] ? toAlarm(rows[0]) : getAlarm(db, id);
}

/**
 * Acknowledges each of `ids` not acknowledged yet, in one statement: the alarms this call
 * acknowledged, and the ids with no alarm at all.
 */
export async function acknowledgeAlarms(db: Queryable, ids: readonly number[], by: string, note?: string): Promise<{ acknowledged: Alarm[]; missing: number[] }> {
  const { rows } = await db.query<AlarmRow & { found: boolean }>(
    `WITH asked AS (SELECT DISTINCT unnest($1::bigint[]) AS id),
          acked AS (UPDATE alarms SET acknowledged_at = now(), acknowledged_by = $2, note = $3
                     WHERE id IN (SELECT id FROM asked) AND acknowledged_at IS NULL RETURNING ${COLUMNS})
     SELECT acked.*, true AS found FROM acked
     UNION ALL
     SELECT asked.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, false FROM asked
      WHERE NOT EXISTS (SELECT 1 FROM alarms a WHERE a.id = asked.id)
      ORDER BY 1`,
    [ids, by, note ?? null],
  );
  return { acknowledged: rows.filter((r) => r.found).map(toAlarm), missing: rows.filter((r) => !r.found).map((r) => Number(r.id)) };
}

/**
 * A thinned repeat: counted on the newest stored alarm of the unit and kind (its repeats and
 * the time of the newest). undefined when the unit has no such alarm.
 */
export async function countRepeat(db: Queryable, unitId: string, kind: AlarmKind, ts: Date): Promise<Alarm | undefined> {
  const { rows } = await db.query<AlarmRow>(
    `UPDATE alarms SET repeats = repeats + 1, last_repeat_at = greatest(last_repeat_at, $3)
      WHERE id = (SELECT id FROM alarms WHERE unit_id = $1 AND kind = $2 ORDER BY ts DESC, id DESC LIMIT 1)
      RETURNING ${COLUMNS}`,
    [unitId, kind, ts],
  );
  return rows[0] && toAlarm(rows[0]);
}
