// The audit log: who logged in, watched which camera, dispatched whom. Append-only (a
// trigger refuses UPDATE and DELETE).
import type { AuditEntry, AuditQuery } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso, toJson } from '@hub/platform';

export interface NewAuditEntry {
  /** the operator's username, "admin" for the admin token, or a system name */
  actor: string;
  /** e.g. login, login_failed, logout, operator_created, video_view, video_publish, recording_start, recording_stop, dispatch */
  action: string;
  target?: string;
  /** facts only: never a password, token or secret */
  detail?: Record<string, unknown>;
}

interface AuditRow {
  id: number | string;
  ts: Date | string;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
}

export async function recordAudit(db: Queryable, e: NewAuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, action, target, detail) VALUES ($1, $2, $3, $4)', [e.actor, e.action, e.target ?? null, JSON.stringify(e.detail ?? {})]);
}

export async function listAudit(db: Queryable, q: AuditQuery): Promise<AuditEntry[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.actor) where.push(`actor = $${args.push(q.actor)}`);
  if (q.action) where.push(`action = $${args.push(q.action)}`);
  if (q.since) where.push(`ts >= $${args.push(q.since)}`);
  if (q.until) where.push(`ts < $${args.push(q.until)}`);
  const { rows } = await db.query<AuditRow>(
    `SELECT id, ts, actor, action, target, detail FROM audit_log
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.push(q.limit)}`,
    args,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    ts: toIso(r.ts),
    actor: r.actor,
    action: r.action,
    target: r.target,
    detail: toJson<Record<string, unknown>>(r.detail) ?? {},
  }));
}
