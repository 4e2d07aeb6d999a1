// Whether a unit is online, across the cluster: the broker says when a unit's first
// connection here opens and its last one here closes; Redis (ClusterMember) says whether
// that makes it online or offline in the whole cluster, and only then does this hub say so
// (UnitStatusTracker: the bus, the walls, units.online). A hub that dies takes its units
// offline once its lease runs out, said by the one hub that swept it.
//
// While Redis cannot be reached this hub decides alone, from its own connections; when Redis
// is back, its units are registered again.
import type { Logger } from 'pino';
import type { ClusterMember } from '@hub/cluster';
import type { UnitStatusTracker } from '../ingest/unit-status';
import type { TelemetryMetrics } from '../metrics';

export class ClusterPresence {
  /** per unit, the presence calls in the order the broker made them */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly member: ClusterMember,
    private readonly status: UnitStatusTracker,
    /** the units connected to this hub now, and whether one is */
    private readonly local: { unitIds(): string[]; isConnected(unitId: string): boolean },
    private readonly log: Logger,
    private readonly metrics: Pick<TelemetryMetrics, 'clusterResyncs' | 'clusterUnitsLost'>,
  ) {
    const onLost = (unitIds: string[]) => this.#lost(unitIds);
    const onResync = (reason: 'redis_back' | 'lease_lapsed') => {
      metrics.clusterResyncs.inc({ reason });
      this.#resync();
    };
    member.on('unitsLost', onLost);
    member.on('resync', onResync);
    this.#unsubscribe.push(
      () => member.off('unitsLost', onLost),
      () => member.off('resync', onResync),
    );
  }

  /** The unit's first connection on this hub opened. */
  connected(unitId: string): void {
    this.#serial(unitId, async () => {
      if (await this.#ask(() => this.member.unitConnected(unitId), true)) this.#say(unitId, 'online');
    });
  }

  /** The unit's last connection on this hub closed. */
  disconnected(unitId: string): void {
    this.#serial(unitId, async () => {
      if (await this.#ask(() => this.member.unitDisconnected(unitId), true)) this.#say(unitId, 'offline');
      else this.status.forget(unitId); // connected on another hub: that hub speaks for it now
    });
  }

  /** Before this hub stops: its units with no connection elsewhere go offline now, not after the lease. */
  async leave(): Promise<void> {
    await this.flush();
    for (const unitId of await this.member.leave()) this.#say(unitId, 'offline');
    this.close();
  }

  /** Resolves once every presence call so far is answered. */
  async flush(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all(this.#chains.values());
  }

  close(): void {
    this.#unsubscribe.splice(0).forEach((u) => u());
  }

  #say(unitId: string, state: 'online' | 'offline'): void {
    this.status.forget(unitId);
    if (state === 'online') this.status.connected(unitId);
    else this.status.disconnected(unitId);
  }

  /** Redis's answer, or `alone` (this hub's own view) while Redis cannot be reached. */
  async #ask(question: () => Promise<boolean>, alone: boolean): Promise<boolean> {
    try {
      return await question();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'cluster: presence decided by this hub alone (Redis cannot be reached)');
      return alone;
    }
  }

  #serial(unitId: string, step: () => Promise<void>): void {
    const before = this.#chains.get(unitId) ?? Promise.resolve();
    const next = before.then(step).catch((err: unknown) => this.log.error({ err, unitId }, 'cluster: presence step failed'));
    this.#chains.set(unitId, next);
    void next.then(() => {
      if (this.#chains.get(unitId) === next) this.#chains.delete(unitId);
    });
  }

  /** A dead hub's units with no connection left: offline, unless one reconnected here meanwhile. */
  #lost(unitIds: string[]): void {
    for (const unitId of unitIds) {
      this.#serial(unitId, async () => {
        if (this.local.isConnected(unitId)) {
          // it came here while the dead hub was swept: register it again, it is online
          if (await this.#ask(() => this.member.unitConnected(unitId), false)) this.#say(unitId, 'online');
          return;
        }
        this.#say(unitId, 'offline');
      });
    }
    this.metrics.clusterUnitsLost.inc(unitIds.length);
    this.log.info({ units: unitIds.length }, 'cluster: units of a dead hub taken offline');
  }

  /** Redis came back or this hub's lease had lapsed: its units are registered again; those another hub took offline come online. */
  #resync(): void {
    for (const unitId of this.local.unitIds()) {
      this.#serial(unitId, async () => {
        if (!this.local.isConnected(unitId)) return;
        if (await this.#ask(() => this.member.unitConnected(unitId), false)) this.#say(unitId, 'online');
      });
    }
  }
}
