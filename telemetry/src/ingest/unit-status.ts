// Whether each unit is online: exactly while the broker holds a connection of it.
//
// The broker reports a unit's first connection opening and last one closing. A unit's own
// status messages and its last will do not move the state (a will of a connection taken
// over by a reconnect, or a retained "offline" from a unit that is connected, would make
// a connected unit look offline); an "offline" one only says why the next close happens
// (last will: the link was lost, which alarms; its own status: it signed off).
//
// The state is stored in units.online by one writer that always writes the current state
// and retries until the database takes it, so a write that fails (the database is down) or
// lands late cannot leave a unit "online" in the database with no connection.
import type { Logger } from 'pino';
import type { UnitStatusReason } from '@hub/config';
import type { TelemetryBus } from '../events';

export interface UnitStatusTrackerOptions {
  bus: TelemetryBus;
  log: Logger;
  /** persists the state (units.online); a rejection is retried with backoff */
  persist: (unitId: string, online: boolean, ts: Date) => Promise<void>;
  /** first wait before storing again after a failure, ms; doubles up to `retryMaxMs`; default 250 */
  retryMinMs?: number;
  /** default 5000 */
  retryMaxMs?: number;
}

interface UnitState {
  state: 'online' | 'offline';
  ts: Date;
}

/** Units stored at once; the pool queues the rest. */
const WRITE_CONCURRENCY = 16;

export class UnitStatusTracker {
  private readonly state = new Map<string, UnitState>();
  /** why the unit's next close happens, from its last will or its own status message */
  private readonly closeReason = new Map<string, Extract<UnitStatusReason, 'last_will' | 'status_message'>>();
  private readonly unstored = new Set<string>();
  private writing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private failing = false;
  private closed = false;

  constructor(private readonly opts: UnitStatusTrackerOptions) {
    this.retryMs = opts.retryMinMs ?? 250;
  }

  /** The unit's first connection opened. */
  connected(unitId: string, ts = new Date()): void {
    this.closeReason.delete(unitId);
    this.change(unitId, 'online', 'connected', ts);
  }

  /** The unit's last connection closed. */
  disconnected(unitId: string, ts = new Date()): void {
    const reason = this.closeReason.get(unitId) ?? 'disconnected';
    this.closeReason.delete(unitId);
    this.change(unitId, 'offline', reason, ts);
  }

  /** One of the unit's connections closed and others remain: a will it published was that connection's, not the unit's. */
  connectionClosed(unitId: string): void {
    this.closeReason.delete(unitId);
  }

  /**
   * The unit's own status message (`reason` status_message) or its last will (`last_will`).
   * "offline" gives the reason of the close that follows; "online" takes it back.
   */
  set(unitId: string, state: 'online' | 'offline', reason: UnitStatusReason, _ts?: Date): void {
    if (state === 'online') this.closeReason.delete(unitId);
    else if (reason === 'last_will' || reason === 'status_message') this.closeReason.set(unitId, reason);
  }

  /**
   * Forgets what this hub last said of the unit, so that the next connected()/disconnected()
   * is said and stored even if it repeats it: in a cluster, another hub may have said otherwise
   * since (cluster/presence.ts decides the transitions there).
   */
  forget(unitId: string): void {
    this.state.delete(unitId);
  }

  get(unitId: string): 'online' | 'offline' | undefined {
    return this.state.get(unitId)?.state;
  }

  /** Units online now. */
  onlineUnits(): string[] {
    return [...this.state].filter(([, s]) => s.state === 'online').map(([id]) => id);
  }

  /** Resolves once every state so far is stored, or at once if the database is failing (the writer keeps trying). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Stops retrying. Safe twice. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }

  private change(unitId: string, state: 'online' | 'offline', reason: UnitStatusReason, ts: Date): void {
    if (this.state.get(unitId)?.state === state) return;
    this.state.set(unitId, { state, ts });
    this.opts.bus.emit('status', { unitId, state, ts: ts.toISOString(), reason });
    this.unstored.add(unitId);
    if (!this.retryTimer) this.startWriting();
  }

  private startWriting(): void {
    if (this.writing || this.closed) return;
    this.writing = this.store().finally(() => {
      this.writing = undefined;
    });
  }

  /** Writes the current state of every unit not yet stored, then of those that changed meanwhile. */
  private async store(): Promise<void> {
    while (this.unstored.size > 0 && !this.closed) {
      const ids = [...this.unstored];
      this.unstored.clear();
      const failed: string[] = [];
      let lastErr: unknown;
      for (let i = 0; i < ids.length; i += WRITE_CONCURRENCY) {
        const slice = ids.slice(i, i + WRITE_CONCURRENCY);
        const results = await Promise.allSettled(
          slice.map((id) => {
            const s = this.state.get(id)!;
            return this.opts.persist(id, s.state === 'online', s.ts);
          }),
        );
        results.forEach((r, j) => {
          if (r.status === 'rejected') {
            failed.push(slice[j]!);
            lastErr = r.reason;
          }
        });
      }
      if (failed.length > 0) {
        for (const id of failed) this.unstored.add(id);
        if (!this.failing) this.opts.log.error({ err: lastErr, units: failed.length }, 'unit online states could not be stored; retrying until the database takes them');
        this.failing = true;
        this.retryLater();
        return;
      }
      if (this.failing) this.opts.log.info({ units: ids.length }, 'unit online states stored again');
      this.failing = false;
      this.retryMs = this.opts.retryMinMs ?? 250;
    }
  }

  private retryLater(): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.opts.retryMaxMs ?? 5000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.startWriting();
    }, wait);
    this.retryTimer.unref();
  }
}
