// Incidents in PostgreSQL: rows, the append-only event trail, dispatched units.
import { OPEN_INCIDENT_STATES, type DispatchState, type Incident, type IncidentEvent, type IncidentListQuery, type IncidentSource, type IncidentState, type IncidentUnit } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso, toIsoOrNull, toJson } from '@hub/platform';

/** A database that can lend one connection for a transaction (pg.Pool), or one connection already. */
type Poolish = Queryable & { connect?: () => Promise<Queryable & { release(err?: Error | boolean): void }> };

/** Runs `fn` in a transaction on one connection. */
export async function withTransaction<T>(db: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const pool = db as Poolish;
  const conn = pool.connect ? await pool.connect() : undefined;
  const tx: Queryable = conn ?? db;
  await tx.query('BEGIN');
  try {
    const out = await fn(tx);
    await tx.query('COMMIT');
    return out;
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    conn?.release();
  }
}

interface IncidentRow {
  id: number | string;
  type: string;
  source: IncidentSource;
  alarm_id: number | string | null;
  unit_id: string | null;
  lat: number;
  lon: number;
  note: string | null;
  state: IncidentState;
  district: string | null;
  external_source: string | null;
  external_id: string | null;
  report_count: number;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
}

interface UnitRow {
  incident_id: number | string;
  unit_id: string;
  command_id: string;
  state: DispatchState;
  sent_at: Date | string;
  delivered_at: Date | string | null;
  answered_at: Date | string | null;
  en_route_at: Date | string | null;
  on_scene_at: Date | string | null;
  message: string | null;
}

interface EventRow {
  id: number | string;
  incident_id: number | string;
  ts: Date | string;
  actor: string;
  kind: string;
  from_state: IncidentState | null;
  to_state: IncidentState | null;
  detail: unknown;
}

function toIncidentUnit(r: UnitRow): IncidentUnit {
  return {
    unitId: r.unit_id,
    commandId: r.command_id,
    state: r.state,
    sentAt: toIso(r.sent_at),
    deliveredAt: toIsoOrNull(r.delivered_at),
    answeredAt: toIsoOrNull(r.answered_at),
    enRouteAt: toIsoOrNull(r.en_route_at),
    onSceneAt: toIsoOrNull(r.on_scene_at),
    message: r.message,
  };
}

function toIncident(r: IncidentRow, units: IncidentUnit[]): Incident {
  return {
    id: Number(r.id),
    type: r.type,
    source: r.source,
    alarmId: r.alarm_id === null ? null : Number(r.alarm_id),
    unitId: r.unit_id,
    lat: r.lat,
    lon: r.lon,
    note: r.note,
    state: r.state,
    district: r.district,
    externalSource: r.external_source,
    externalId: r.external_id,
    reportCount: r.report_count,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    createdBy: r.created_by,
    units,
  };
}

export function toIncidentEvent(r: EventRow): IncidentEvent {
  return {
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    ts: toIso(r.ts),
    actor: r.actor,
    kind: r.kind,
    fromState: r.from_state,
    toState: r.to_state,
    detail: toJson<Record<string, unknown>>(r.detail) ?? {},
  };
}

const OPEN = `(${OPEN_INCIDENT_STATES.map((s) => `'${s}'`).join(', ')})`;
export const OPEN_STATES_SQL = OPEN;
export const OPEN_INCIDENT_STATE_SET: ReadonlySet<IncidentState> = new Set(OPEN_INCIDENT_STATES);

async function withUnits(db: Queryable, rows: IncidentRow[]): Promise<Incident[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const { rows: units } = await db.query<UnitRow>(`SELECT * FROM incident_units WHERE incident_id = ANY($1::bigint[]) ORDER BY sent_at, unit_id`, [ids]);
  const byIncident = new Map<number, IncidentUnit[]>();
  for (const u of units) {
    const list = byIncident.get(Number(u.incident_id)) ?? [];
    list.push(toIncidentUnit(u));
    byIncident.set(Number(u.incident_id), list);
  }
  return rows.map((r) => toIncident(r, byIncident.get(Number(r.id)) ?? []));
}

export interface NewIncident {
  type: string;
  source: IncidentSource;
  lat: number;
  lon: number;
  note?: string | null;
  alarmId?: number | null;
  unitId?: string | null;
  district?: string | null;
  externalSource?: string | null;
  externalId?: string | null;
  createdBy: string;
}

/** Inserts an incident and its `created` event (same timestamp) in `tx`. */
export async function insertIncident(tx: Queryable, n: NewIncident): Promise<Incident> {
  const { rows } = await tx.query<IncidentRow>(
    `INSERT INTO incidents (type, source, alarm_id, unit_id, lat, lon, note, district, external_source, external_id, created_by, created_at, updated_at, last_reported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, clock_timestamp(), clock_timestamp(), clock_timestamp())
     RETURNING *`,
    [n.type, n.source, n.alarmId ?? null, n.unitId ?? null, n.lat, n.lon, n.note ?? null, n.district ?? null, n.externalSource ?? null, n.externalId ?? null, n.createdBy],
  );
  const row = rows[0]!;
  await tx.query(`INSERT INTO incident_events (incident_id, ts, actor, kind, to_state, detail) VALUES ($1, $2, $3, 'created', 'reported', $4)`, [
    row.id,
    row.created_at,
    n.createdBy,
    JSON.stringify({ type: n.type, source: n.source, alarmId: n.alarmId ?? null, unitId: n.unitId ?? null, note: n.note ?? null }),
  ]);
  return toIncident(row, []);
}

/** Appends one event to the trail; returns it. */
export async function appendEvent(
  db: Queryable,
  e: { incidentId: number; actor: string; kind: string; fromState?: IncidentState | null; toState?: IncidentState | null; detail?: Record<string, unknown>; ts?: string },
): Promise<IncidentEvent> {
  // `ts`: one moment shared by events that one fact caused (an ack that also moves the incident)
  const { rows } = await db.query<EventRow>(
    `INSERT INTO incident_events (incident_id, actor, kind, from_state, to_state, detail, ts)
     VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, clock_timestamp())) RETURNING *`,
    [e.incidentId, e.actor, e.kind, e.fromState ?? null, e.toState ?? null, JSON.stringify(e.detail ?? {}), e.ts ?? null],
  );
  return toIncidentEvent(rows[0]!);
}

/** The incident row, locked for the rest of the transaction. */
export async function lockIncident(tx: Queryable, id: number): Promise<IncidentRow | undefined> {
  const { rows } = await tx.query<IncidentRow>(`SELECT * FROM incidents WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0];
}

export async function setIncidentState(tx: Queryable, id: number, state: IncidentState): Promise<void> {
  await tx.query(`UPDATE incidents SET state = $2, updated_at = clock_timestamp() WHERE id = $1`, [id, state]);
}

export async function getIncident(db: Queryable, id: number): Promise<Incident | undefined> {
  const { rows } = await db.query<IncidentRow>(`SELECT * FROM incidents WHERE id = $1`, [id]);
  return (await withUnits(db, rows))[0];
}

export async function listIncidents(db: Queryable, q: Partial<IncidentListQuery> = {}): Promise<Incident[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (cond: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(cond(`$${params.length}`));
  };
  if (q.state === 'open') where.push(`state IN ${OPEN}`);
  else if (q.state) add((p) => `state = ${p}`, q.state);
  if (q.type !== undefined) add((p) => `type = ${p}`, q.type);
  if (q.district !== undefined) add((p) => `district = ${p}`, q.district);
  params.push(q.limit ?? 100);
  // the open ones first: they are the work still to do
  const { rows } = await db.query<IncidentRow>(
    `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY state IN ${OPEN} DESC, created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return withUnits(db, rows);
}

export async function timeline(db: Queryable, id: number): Promise<IncidentEvent[]> {
  const { rows } = await db.query<EventRow>(`SELECT * FROM incident_events WHERE incident_id = $1 ORDER BY ts, id`, [id]);
  return rows.map(toIncidentEvent);
}

export async function insertIncidentUnit(tx: Queryable, incidentId: number, unitId: string, commandId: string, ts: string): Promise<void> {
  // A unit sent again to the same incident gets the new command; its earlier progress starts over.
  await tx.query(
    `INSERT INTO incident_units (incident_id, unit_id, command_id, state, sent_at) VALUES ($1, $2, $3, 'sent', $4)
     ON CONFLICT (incident_id, unit_id) DO UPDATE SET command_id = EXCLUDED.command_id, state = 'sent', sent_at = EXCLUDED.sent_at,
       delivered_at = NULL, answered_at = NULL, en_route_at = NULL, on_scene_at = NULL, message = NULL`,
    [incidentId, unitId, commandId, ts],
  );
}

export interface DispatchRow {
  incidentId: number;
  unitId: string;
  commandId: string;
  state: DispatchState;
  sentAt: string;
}

export async function dispatchByCommand(tx: Queryable, commandId: string): Promise<DispatchRow | undefined> {
  const { rows } = await tx.query<UnitRow>(`SELECT * FROM incident_units WHERE command_id = $1`, [commandId]);
  const r = rows[0];
  return r && { incidentId: Number(r.incident_id), unitId: r.unit_id, commandId: r.command_id, state: r.state, sentAt: toIso(r.sent_at) };
}

/** Dispatches of open incidents still waiting for the person's answer (sent or delivered). */
export async function dispatchesAwaitingAnswer(db: Queryable): Promise<DispatchRow[]> {
  const { rows } = await db.query<UnitRow>(
    `SELECT iu.* FROM incident_units iu JOIN incidents i ON i.id = iu.incident_id
      WHERE i.state IN ${OPEN} AND iu.state IN ('sent', 'delivered')`,
  );
  return rows.map((r) => ({ incidentId: Number(r.incident_id), unitId: r.unit_id, commandId: r.command_id, state: r.state, sentAt: toIso(r.sent_at) }));
}

/** The column that stamps each dispatch state's time (accepted, refused and timed out: the answer's). */
const STATE_TIME: Record<DispatchState, string> = {
  sent: 'sent_at',
  delivered: 'delivered_at',
  accepted: 'answered_at',
  refused: 'answered_at',
  timed_out: 'answered_at',
  en_route: 'en_route_at',
  on_scene: 'on_scene_at',
};

export async function setDispatchState(tx: Queryable, commandId: string, state: DispatchState, message?: string | null, ts?: string): Promise<string> {
  const column = STATE_TIME[state];
  const { rows } = await tx.query<{ ts: Date | string }>(
    `UPDATE incident_units SET state = $2, ${column} = coalesce($4::timestamptz, clock_timestamp()), message = coalesce($3, message)
      WHERE command_id = $1 RETURNING ${column} AS ts`,
    [commandId, state, message ?? null, ts ?? null],
  );
  return toIso(rows[0]!.ts);
}

/** Dispatched units of open incidents that have not arrived yet: watched for arrival. */
export async function unitsOnTheWay(db: Queryable): Promise<{ incidentId: number; unitId: string; commandId: string; lat: number; lon: number }[]> {
  const { rows } = await db.query<{ incident_id: number | string; unit_id: string; command_id: string; lat: number; lon: number }>(
    `SELECT iu.incident_id, iu.unit_id, iu.command_id, i.lat, i.lon FROM incident_units iu JOIN incidents i ON i.id = iu.incident_id
      WHERE i.state IN ${OPEN} AND iu.state IN ('sent', 'delivered', 'accepted', 'en_route')`,
  );
  return rows.map((r) => ({ incidentId: Number(r.incident_id), unitId: r.unit_id, commandId: r.command_id, lat: r.lat, lon: r.lon }));
}
