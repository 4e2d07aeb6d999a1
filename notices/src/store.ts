// The notice loop's rows: cases (one per incident opened with a notice) and notices (texts).
import type { Notice, NoticeCase, NoticeCasePhase, NoticeState, SubjectKind } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { maskPhone } from './phone';

export interface CaseRow {
  incident_id: number | string;
  subject_kind: SubjectKind;
  subject_id: string;
  camera_id: string | null;
  type: string;
  lat: number;
  lon: number;
  phase: NoticeCasePhase;
  grace_ends_at: Date | string;
  recheck_seconds: number;
  last_seen_at: Date | string;
}

interface NoticeRow {
  id: number | string;
  incident_id: number | string;
  subject_kind: SubjectKind;
  subject_id: string;
  phone: string;
  language: 'zh-CN' | 'en';
  text: string;
  params: Record<string, string>;
  channel: string;
  state: NoticeState;
  message_id: string | null;
  error: string | null;
  created_at: Date | string;
}

/** The case of an incident, locked for the rest of the transaction. */
export async function lockCase(tx: Queryable, incidentId: number): Promise<CaseRow | undefined> {
  const { rows } = await tx.query<CaseRow>('SELECT * FROM notice_cases WHERE incident_id = $1 FOR UPDATE', [incidentId]);
  return rows[0];
}

export async function setPhase(tx: Queryable, incidentId: number, phase: NoticeCasePhase): Promise<void> {
  await tx.query('UPDATE notice_cases SET phase = $2, phase_at = clock_timestamp() WHERE incident_id = $1', [incidentId, phase]);
}

export async function insertCase(
  tx: Queryable,
  c: { incidentId: number; subject: { kind: SubjectKind; id: string }; cameraId: string | null; type: string; lat: number; lon: number; graceSeconds: number; recheckSeconds: number },
): Promise<{ graceEndsAt: string }> {
  const { rows } = await tx.query<{ grace_ends_at: Date }>(
    `INSERT INTO notice_cases (incident_id, subject_kind, subject_id, camera_id, type, lat, lon, phase, grace_ends_at, recheck_seconds, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'noticed', clock_timestamp() + make_interval(secs => $8), $9, clock_timestamp()) RETURNING grace_ends_at`,
    [c.incidentId, c.subject.kind, c.subject.id, c.cameraId, c.type, c.lat, c.lon, c.graceSeconds, c.recheckSeconds],
  );
  return { graceEndsAt: toIso(rows[0]!.grace_ends_at) };
}

/** Texts to this subject within the window that were (or are being) sent: the rate limit counts them. */
export async function recentNotices(tx: Queryable, kind: SubjectKind, id: string, windowSeconds: number): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(
    `SELECT count(*) AS n FROM notices WHERE subject_kind = $1 AND subject_id = $2 AND state <> 'rate_limited'
        AND created_at >= clock_timestamp() - make_interval(secs => $3)`,
    [kind, id, windowSeconds],
  );
  return Number(rows[0]!.n);
}

export async function insertNotice(
  tx: Queryable,
  n: { incidentId: number; subject: { kind: SubjectKind; id: string }; phone: string; language: string; text: string; params: Record<string, string>; channel: string; state: NoticeState },
): Promise<number> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO notices (incident_id, subject_kind, subject_id, phone, language, text, params, channel, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [n.incidentId, n.subject.kind, n.subject.id, n.phone, n.language, n.text, JSON.stringify(n.params), n.channel, n.state],
  );
  return Number(rows[0]!.id);
}

/** Takes a pending notice for sending: once, whichever hub asks first. */
export async function claimNotice(db: Queryable, id: number): Promise<NoticeRow | undefined> {
  const { rows } = await db.query<NoticeRow>(`UPDATE notices SET state = 'sending' WHERE id = $1 AND state = 'pending' RETURNING *`, [id]);
  return rows[0];
}

export async function finishNotice(db: Queryable, id: number, state: NoticeState, fields: { messageId?: string; error?: string }): Promise<void> {
  await db.query(
    `UPDATE notices SET state = $2, message_id = coalesce($3, message_id), error = coalesce($4, error),
        submitted_at = CASE WHEN $2 = 'submitted' THEN clock_timestamp() ELSE submitted_at END,
        done_at = CASE WHEN $2 IN ('delivered', 'failed') THEN clock_timestamp() ELSE done_at END
      WHERE id = $1`,
    [id, state, fields.messageId ?? null, fields.error ?? null],
  );
}

/** The notice a receipt is about, moved to its final state (once: a repeated receipt finds nothing). */
export async function receiptNotice(db: Queryable, channel: string, messageId: string, delivered: boolean, error: string | null): Promise<{ id: number; incidentId: number } | undefined> {
  const { rows } = await db.query<{ id: string; incident_id: string }>(
    `UPDATE notices SET state = $3, error = coalesce($4, error), done_at = clock_timestamp()
      WHERE channel = $1 AND message_id = $2 AND state IN ('sending', 'submitted') RETURNING id, incident_id`,
    [channel, messageId, delivered ? 'delivered' : 'failed', error],
  );
  return rows[0] && { id: Number(rows[0].id), incidentId: Number(rows[0].incident_id) };
}

const toNotice = (r: NoticeRow): Notice => ({
  id: Number(r.id),
  incidentId: Number(r.incident_id),
  phone: maskPhone(r.phone),
  language: r.language,
  text: r.text,
  channel: r.channel,
  state: r.state,
  messageId: r.message_id,
  error: r.error,
  createdAt: toIso(r.created_at),
});

/** The case with its notices, phones masked. */
export async function getCase(db: Queryable, incidentId: number): Promise<NoticeCase | undefined> {
  const { rows } = await db.query<CaseRow>('SELECT * FROM notice_cases WHERE incident_id = $1', [incidentId]);
  const c = rows[0];
  if (!c) return undefined;
  const { rows: notices } = await db.query<NoticeRow>('SELECT * FROM notices WHERE incident_id = $1 ORDER BY id', [incidentId]);
  return {
    incidentId: Number(c.incident_id),
    subject: { kind: c.subject_kind, id: c.subject_id },
    cameraId: c.camera_id,
    phase: c.phase,
    graceEndsAt: toIso(c.grace_ends_at),
    lastSeenAt: toIso(c.last_seen_at),
    notices: notices.map(toNotice),
  };
}
