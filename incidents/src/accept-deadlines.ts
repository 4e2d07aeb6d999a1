// One timer per dispatch waiting for its person's answer: when it runs out, the dispatch is
// timed out (incidents.dispatch.acceptTimeoutSeconds). Deadlines count from the dispatch's
// sent time, so a hub restarted mid-wait picks up where it was.
export class AcceptDeadlines {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(
    /** how long a person has to answer, seconds */
    private readonly seconds: number,
    private readonly onExpire: (commandId: string) => void,
  ) {}

  /** Starts (or restarts) the wait for `commandId`, sent at `sentAtMs`. */
  set(commandId: string, sentAtMs: number): void {
    if (this.#closed) return;
    this.clear(commandId);
    const delay = Math.max(0, sentAtMs + this.seconds * 1000 - Date.now());
    const timer = setTimeout(() => {
      this.#timers.delete(commandId);
      this.onExpire(commandId);
    }, delay);
    timer.unref();
    this.#timers.set(commandId, timer);
  }

  clear(commandId: string): void {
    const timer = this.#timers.get(commandId);
    if (timer) clearTimeout(timer);
    this.#timers.delete(commandId);
  }

  /** Safe to call twice. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
