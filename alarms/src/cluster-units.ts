// The alarm rules of a hub in a cluster speak for the units connected to it. A unit that comes
// to this hub from another (it reconnected through the load balancer, or its hub died) is
// started over from what the database holds of it before its first message here is judged, so
// that being inside a geofence, an overspeed episode or an alarmed offline episode carries
// over and nothing is raised twice; a unit heard through another hub (its positions relayed)
// is forgotten here, so this hub's silence checks do not call it offline.
import type { Logger } from 'pino';

export class ClusterUnits {
  /** units whose rule state was read since they came to this hub */
  readonly #current = new Set<string>();
  /** per unit, what waits for its state to be read */
  readonly #held = new Map<string, (() => void)[]>();

  constructor(
    /** reads the unit's state from the database into the rules */
    private readonly load: (unitId: string) => Promise<void>,
    /** drops the unit's state from the rules */
    private readonly forget: (unitId: string) => void,
    private readonly log: Logger,
  ) {}

  /** Runs `fn` once the unit's state is current on this hub (at once, mostly). */
  run(unitId: string, fn: () => void): void {
    if (this.#current.has(unitId)) return fn();
    const waiting = this.#held.get(unitId);
    if (waiting) {
      waiting.push(fn);
      return;
    }
    this.#held.set(unitId, [fn]);
    this.load(unitId)
      .catch((err: unknown) => this.log.warn({ err, unitId }, 'alarm state of a unit new to this hub not read; judged from its messages here'))
      .finally(() => {
        this.#current.add(unitId);
        const fns = this.#held.get(unitId) ?? [];
        this.#held.delete(unitId);
        for (const f of fns) f();
      });
  }

  /** The unit was heard through another hub: its state here is stale from now on. */
  elsewhere(unitId: string): void {
    if (!this.#current.delete(unitId) || this.#held.has(unitId)) return;
    this.forget(unitId);
  }
}
