// Refused messages from units: counted by kind and reason, and the last few kept so an
// operator can see what a device sent wrong (GET /api/ingest/rejections).
import type { Rejection } from '@hub/config';
import type { TelemetryMetrics } from '../metrics';

export type { Rejection, RejectionReason } from '@hub/config';

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
