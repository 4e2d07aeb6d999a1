// Recordings and their segments in PostgreSQL (migration 005_recordings).
import type { RecordingListQuery, RecordingSegment, RecordingState } from '@hub/config';
import type { Queryable } from './types';

/** What a recording is when it starts: the columns written by insertRecording. */
export interface NewRecording {
  id: string;
  streamId: string;
  unitId: string;
  incidentId: string | null;
  reason: string;
  startedAt: Date;
  /** the hub making it (cluster.hubId), whose disk holds its segments; null for a hub alone */
  hubId: string | null;
}

/** A recording as read back: what it started with, plus what came since (end, codec, segment totals). */
export interface RecordingRow extends NewRecording {
  endedAt: Date | null;
  codec: string | null;
  transcoded: boolean | null;
  segments: number;
  durationMs: number;
  bytes: number;
}

export interface SegmentRow {
  recordingId: string;
  seq: number;
  part: number;
  startedAt: Date;
  durationMs: number;
  /** relative to the recordings folder */
  path: string;
  bytes: number;
  sha256: string;
}

const RECORDING_COLUMNS = `r.id, r.stream_id, r.unit_id, r.incident_id, r.reason, r.started_at, r.hub_id, r.ended_at, r.codec, r.transcoded,
  coalesce(s.segments, 0)::int AS segments, coalesce(s.duration_ms, 0)::bigint AS duration_ms, coalesce(s.bytes, 0)::bigint AS bytes`;
const RECORDING_FROM = `recordings r LEFT JOIN LATERAL (
    SELECT count(*) AS segments, sum(duration_ms) AS duration_ms, sum(bytes) AS bytes FROM recording_segments WHERE recording_id = r.id
  ) s ON true`;

type Raw = Record<string, unknown>;

function toRecording(r: Raw): RecordingRow {
  return {
    id: r.id as string,
    streamId: r.stream_id as string,
    unitId: r.unit_id as string,
    incidentId: (r.incident_id as string | null) ?? null,
    reason: r.reason as string,
    startedAt: r.started_at as Date,
    hubId: (r.hub_id as string | null) ?? null,
    endedAt: (r.ended_at as Date | null) ?? null,
    codec: (r.codec as string | null) ?? null,
    transcoded: (r.transcoded as boolean | null) ?? null,
    segments: Number(r.segments),
    durationMs: Number(r.duration_ms),
    bytes: Number(r.bytes),
  };
}

function toSegment(r: Raw): SegmentRow {
  return {
    recordingId: r.recording_id as string,
    seq: r.seq as number,
    part: r.part as number,
    startedAt: r.started_at as Date,
    durationMs: r.duration_ms as number,
    path: r.path as string,
    bytes: Number(r.bytes),
    sha256: r.sha256 as string,
  };
}

export async function insertRecording(db: Queryable, r: NewRecording): Promise<void> {
  await db.query('INSERT INTO recordings (id, stream_id, unit_id, incident_id, reason, started_at, hub_id) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    r.id,
    r.streamId,
    r.unitId,
    r.incidentId,
    r.reason,
    r.startedAt,
    r.hubId,
  ]);
}

/** The first publisher's codec is the recording's. */
export async function setRecordingCodec(db: Queryable, id: string, codec: string, transcoded: boolean): Promise<void> {
  await db.query('UPDATE recordings SET codec = $2, transcoded = $3 WHERE id = $1 AND codec IS NULL', [id, codec, transcoded]);
}

export async function endRecording(db: Queryable, id: string, endedAt: Date): Promise<void> {
  await db.query('UPDATE recordings SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL', [id, endedAt]);
}

/** An open recording ends where its last segment ends (or where it started). */
const END_AT_LAST_SEGMENT = `ended_at = coalesce(
  (SELECT max(started_at + duration_ms * interval '1 millisecond') FROM recording_segments WHERE recording_id = r.id), r.started_at)`;

/** The open recordings of a hub that died (its lease was swept): they end where their last segment ends. */
export async function endRecordingsOfHub(db: Queryable, hubId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`UPDATE recordings r SET ${END_AT_LAST_SEGMENT} WHERE ended_at IS NULL AND hub_id = $1 RETURNING id`, [hubId]);
  return rows.map((r) => r.id);
}

/**
 * Recordings left open by a hub that stopped without ending them: they end where their
 * last segment ends (or where they started). `makers` are the hubs that may be making
 * recordings now (the live members of a cluster other than this one): theirs stay open.
 */
export async function endOrphanRecordings(db: Queryable, makers: readonly string[] = []): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`UPDATE recordings r SET ${END_AT_LAST_SEGMENT} WHERE ended_at IS NULL AND (hub_id IS NULL OR NOT (hub_id = ANY($1::text[]))) RETURNING id`, [
    makers,
  ]);
  return rows.map((r) => r.id);
}

export async function insertSegment(db: Queryable, s: SegmentRow): Promise<void> {
  await db.query('INSERT INTO recording_segments (recording_id, seq, part, started_at, duration_ms, path, bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    s.recordingId,
    s.seq,
    s.part,
    s.startedAt,
    s.durationMs,
    s.path,
    s.bytes,
    s.sha256,
  ]);
}

export async function getRecording(db: Queryable, id: string): Promise<RecordingRow | undefined> {
  const { rows } = await db.query(`SELECT ${RECORDING_COLUMNS} FROM ${RECORDING_FROM} WHERE r.id = $1`, [id]);
  return rows[0] ? toRecording(rows[0]) : undefined;
}

export async function listRecordings(db: Queryable, q: Partial<RecordingListQuery>): Promise<RecordingRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.streamId) add('r.stream_id = ?', q.streamId);
  if (q.unitId) add('r.unit_id = ?', q.unitId);
  if (q.incidentId) add('r.incident_id = ?', q.incidentId);
  if (q.from) add('(r.ended_at IS NULL OR r.ended_at >= ?)', new Date(q.from));
  if (q.to) add('r.started_at <= ?', new Date(q.to));
  if (q.active !== undefined) where.push(q.active ? 'r.ended_at IS NULL' : 'r.ended_at IS NOT NULL');
  params.push(q.limit ?? 100);
  const { rows } = await db.query(
    `SELECT ${RECORDING_COLUMNS} FROM ${RECORDING_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY r.started_at DESC, r.id LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRecording);
}

export async function listSegments(db: Queryable, recordingId: string): Promise<SegmentRow[]> {
  const { rows } = await db.query('SELECT * FROM recording_segments WHERE recording_id = $1 ORDER BY seq', [recordingId]);
  return rows.map(toSegment);
}

export async function getSegment(db: Queryable, recordingId: string, seq: number): Promise<SegmentRow | undefined> {
  const { rows } = await db.query('SELECT * FROM recording_segments WHERE recording_id = $1 AND seq = $2', [recordingId, seq]);
  return rows[0] ? toSegment(rows[0]) : undefined;
}

/** Ended recordings that ended before `before`, oldest first. */
export async function endedBefore(db: Queryable, before: Date, limit = 500): Promise<RecordingRow[]> {
  const { rows } = await db.query(`SELECT ${RECORDING_COLUMNS} FROM ${RECORDING_FROM} WHERE r.ended_at < $1 ORDER BY r.ended_at LIMIT $2`, [before, limit]);
  return rows.map(toRecording);
}

/** Deletes a recording's row and its segments' rows (ON DELETE CASCADE). */
export async function deleteRecording(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM recordings WHERE id = $1', [id]);
}

/** The API's shape of a segment row. */
export function segmentOut(s: SegmentRow): RecordingSegment {
  return {
    seq: s.seq,
    part: s.part,
    startedAt: s.startedAt.toISOString(),
    durationMs: s.durationMs,
    bytes: s.bytes,
    sha256: s.sha256,
    url: `/api/recordings/${s.recordingId}/segments/${s.seq}.ts`,
  };
}

export type { RecordingState };
