// Flood control: a unit that keeps breaking the same rule (a car that speeds and slows around
// the limit all afternoon) raises at most `maxPerWindow` alarms of that kind per window; the
// rest are counted on the newest one. The coordinator sees one alarm with "+N repeats", not N.
import { UNTHINNED_ALARM_KINDS, type AlarmKind } from '@hub/config';

export interface FloodSettings {
  /** the window, seconds */
  windowSeconds: number;
  /** alarms of one kind from one unit let through per window; 0 = all */
  maxPerWindow: number;
}

export class FloodGate {
  /** per unit and kind: the times (epoch ms) of the alarms let through, oldest first */
  private readonly passed = new Map<string, number[]>();

  constructor(private readonly settings: FloodSettings) {}

  /** true: store it as a new alarm; false: count it as a repeat of the newest. */
  admit(unitId: string, kind: AlarmKind, atMs: number): boolean {
    const { maxPerWindow, windowSeconds } = this.settings;
    if (maxPerWindow === 0 || UNTHINNED_ALARM_KINDS.includes(kind)) return true;
    const key = `${unitId}\u0000${kind}`;
    const since = atMs - windowSeconds * 1000;
    const times = (this.passed.get(key) ?? []).filter((t) => t > since);
    const admitted = times.length < maxPerWindow;
    if (admitted) times.push(atMs);
    if (times.length) this.passed.set(key, times);
    else this.passed.delete(key);
    return admitted;
  }

  /** A stored alarm that failed to store after all: it does not count against the window. */
  forget(unitId: string, kind: AlarmKind, atMs: number): void {
    const key = `${unitId}\u0000${kind}`;
    const times = this.passed.get(key);
    const i = times?.lastIndexOf(atMs) ?? -1;
    if (times && i >= 0) times.splice(i, 1);
  }
}
