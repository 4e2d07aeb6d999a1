// Paces a fleet's sends: each unit its own phase in the period, so 10,000 units at 1 Hz are
// spread over the second instead of bursting at its start.

export interface Pace {
  /** when sending starts (epoch ms) */
  startAt: number;
  /** how long it goes on */
  seconds: number;
  /** sends per unit per second */
  rate: number;
  /** the timer's tick; default 10 ms */
  tickMs?: number;
  /**
   * true: a unit that fell behind (a busy event loop) sends every send it owes, so the rate
   * holds; false: it skips to the next one, so a slow publisher lowers the rate instead of
   * bursting. Default false.
   */
  catchUp?: boolean;
}

/** Calls `send(i, now)` for unit i whenever its next send is due, until the pace ends. */
export async function paceUnits(count: number, pace: Pace, send: (i: number, now: number) => void): Promise<void> {
  const periodMs = 1000 / pace.rate;
  const endAt = pace.startAt + pace.seconds * 1000;
  const nextDue = Array.from({ length: count }, (_, i) => pace.startAt + (i * periodMs) / count);
  await new Promise((r) => setTimeout(r, Math.max(0, pace.startAt - Date.now())));
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      if (now >= endAt) {
        clearInterval(timer);
        resolve();
        return;
      }
      for (let i = 0; i < count; i++) {
        while (nextDue[i]! <= now && nextDue[i]! < endAt) {
          nextDue[i]! += periodMs;
          send(i, now);
          if (!pace.catchUp) {
            while (nextDue[i]! <= now) nextDue[i]! += periodMs;
          }
        }
      }
    }, pace.tickMs ?? 10);
  });
}
