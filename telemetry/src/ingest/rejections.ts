// Refused messages from units: counted by kind and reason, and the last few kept so an
// operator can see what a device sent wrong (GET /api/ingest/rejections).
import type { TelemetryMetrics } from '../metrics';

export type RejectionReason =
  | 'not_json'
  | 'invalid_fields'
  | 'unit_mismatch'
  | 'ts_in_future'
  | 'too_old'
  | 'unknown_topic'
  /** passed validation, but the database refused the row (its batch neighbours were stored) */
  | 'refused_by_database';

export interface Rejection {
  at: string;
  unitId: string;
  topic: string;
  reason: RejectionReason;
  /** what was wrong, for the operator: e.g. "lat: Too big: expected number to be <=90" */
  detail: string;
}

export class RejectionLog {
  private readonly recent: Rejection[] = [];

  constructor(
    private readonly metrics: TelemetryMetrics,
    /** how many recent rejections are kept; default 200 */
    private readonly keep = 200,
  ) {}

  record(kind: string, r: Omit<Rejection, 'at'>): Rejection {
    this.metrics.messagesRejected.inc({ kind, reason: r.reason });
    const entry = { at: new Date().toISOString(), ...r };
    this.recent.push(entry);
    if (this.recent.length > this.keep) this.recent.shift();
    return entry;
  }

  list(): Rejection[] {
    return [...this.recent].reverse();
  }
}
