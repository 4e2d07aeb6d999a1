// A dispatch on a terminal without a screen of its own: the order is printed, and the person
// answers "accept" or "refuse <reason>" on the input. Orders wait in arrival order; each is
// answered once (the hub times out an order nobody answers and offers the next unit).
import { bearingDeg, distanceM, type LatLon } from '@hub/config';
import type { DispatchDecision, DispatchOrder } from './commands';

const COMPASS = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'] as const;

/** "1.2 km NE" from `here` to the order's place; "" without a position. */
export function whereTo(here: LatLon | undefined, order: LatLon): string {
  if (!here) return '';
  const m = distanceM(here, order);
  const dir = COMPASS[Math.round(bearingDeg(here, order) / 45) % 8];
  return `${m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`} ${dir}`;
}

export class DispatchPrompt {
  readonly #waiting: { order: DispatchOrder; answer(d: DispatchDecision): void }[] = [];

  constructor(
    private readonly out: (line: string) => void,
    /** the unit's last position, for distance and direction */
    private readonly here: () => LatLon | undefined,
  ) {}

  /** For `onDispatch`: prints the order and resolves with the person's answer. */
  readonly decide = (order: DispatchOrder): Promise<DispatchDecision> =>
    new Promise((answer) => {
      this.#waiting.push({ order, answer });
      const where = whereTo(this.here(), order);
      this.out(
        `DISPATCH${order.incidentId ? ` incident ${order.incidentId}` : ''}: go to ${order.lat.toFixed(5)}, ${order.lon.toFixed(5)}${where ? ` (${where})` : ''}` +
          `${order.note ? ` — ${order.note}` : ''}\n  type "accept" or "refuse <reason>" and Enter`,
      );
    });

  /** Takes a typed line; true when it answered an order. */
  line(text: string): boolean {
    const m = /^(accept|refuse)\b\s*(.*)$/i.exec(text.trim());
    if (!m) return false;
    const pending = this.#waiting.shift();
    if (!pending) {
      this.out('no dispatch is waiting for an answer');
      return true;
    }
    const accepted = m[1]!.toLowerCase() === 'accept';
    pending.answer(accepted ? { accepted: true } : { accepted: false, reason: m[2] || undefined });
    this.out(accepted ? 'accepted: the hub shows this unit en route' : 'refused: the coordinator is told');
    return true;
  }

  get waiting(): number {
    return this.#waiting.length;
  }
}
