// Timers per incident that wake this hub at a time the database holds (a grace period's end, a
// department's deadline). The database decides what is due and claims it once; a timer only
// wakes the hub, so a lost or doubled timer (a restart, a second hub) changes nothing.

/** setTimeout's longest wait; a later time wakes the hub once on the way, and the wake schedules again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WakeTimers {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly wake: (incidentId: number) => Promise<void>,
    private readonly failed: (err: unknown, incidentId: number) => void,
  ) {}

  /** Wakes for the incident at `when` (at once if past); replaces its earlier timer. */
  at(incidentId: number, when: Date | string): void {
    if (this.closed) return;
    this.cancel(incidentId);
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, new Date(when).getTime() - Date.now()));
    const timer = setTimeout(() => {
      this.timers.delete(incidentId);
      this.wake(incidentId).catch((err: unknown) => this.failed(err, incidentId));
    }, wait);
    timer.unref();
    this.timers.set(incidentId, timer);
  }

  cancel(incidentId: number): void {
    clearTimeout(this.timers.get(incidentId));
    this.timers.delete(incidentId);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
