// Alarm flags are levels, the hub's alarms are events: a bit raises an alarm when it turns on
// (edge-triggered), and again only after a report without it. Kept per unit, not per connection,
// so a terminal that reconnects with a bit still set (the emergency bit stays set until the
// platform confirms it, JT/T 808-2019 Table 24) does not raise it twice.

export class AlarmEdges {
  readonly #last = new Map<string, number>();

  /** The bits of `alarm` that were off in the unit's previous report; they count as raised from now. */
  rising(unitId: string, alarm: number): number {
    const before = this.#last.get(unitId) ?? 0;
    this.#last.set(unitId, alarm >>> 0);
    return (alarm & ~before) >>> 0;
  }

  /** The alarms of `bits` could not be stored: the terminal's resend of the report must raise them again. */
  forget(unitId: string, bits: number): void {
    const last = this.#last.get(unitId);
    if (last !== undefined) this.#last.set(unitId, (last & ~bits) >>> 0);
  }
}
