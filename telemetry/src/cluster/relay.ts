// What crosses hubs besides presence: everything the walls show (positions, alarms, unit
// statuses, incident events) and the unit changes every hub must act on (a disabled unit or a
// rotated credential closes its connections wherever they are). Each hub publishes its own
// events on one Redis channel and shows the others' to its walls, so a wall on any hub sees
// the whole fleet. Positions go in one message per RELAY_FLUSH_MS, the newest per unit.
//
// Only the walls take remote events: alarm rules, ingest and incidents run where a unit's
// message arrived, so nothing is raised twice.
import type { Logger } from 'pino';
import type { ClusterMember } from '@hub/cluster';
import type { PositionOut } from '@hub/config';
import type { TelemetryBus } from '../events';
import type { LiveEvent, LiveFeed } from '../live/live-feed';

/** how long positions are gathered before they go to the other hubs, ms */
const RELAY_FLUSH_MS = 50;

/** One message between hubs: a wall event, positions, or a unit change to act on. */
type HubMessage = LiveEvent | { kind: 'positions'; positions: PositionOut[] } | { kind: 'bus'; event: ReplayedEvent; args: unknown[] };

/** the bus events every hub acts on: caches reloaded (units, geofences), connections of a disabled unit or a rotated credential closed */
const REPLAYED = ['unitChanged', 'credentialIssued', 'geofencesChanged'] as const;
type ReplayedEvent = (typeof REPLAYED)[number];

export class ClusterRelay {
  #positions = new Map<string, PositionOut>();
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: (() => void)[] = [];
  /** true while a remote unit change is re-emitted on this hub's bus (it must not go back out) */
  #replaying = false;

  constructor(
    private readonly member: ClusterMember,
    private readonly bus: TelemetryBus,
    private readonly log: Logger,
  ) {
    this.#timer = setInterval(() => this.#flush(), RELAY_FLUSH_MS);
    this.#timer.unref();
    for (const event of REPLAYED) {
      const fn = (...args: unknown[]) => !this.#replaying && this.#send({ kind: 'bus', event, args });
      bus.on(event, fn as never);
      this.#unsubscribe.push(() => bus.off(event, fn as never));
    }
  }

  /** Shows the other hubs' events on `live`; sends this hub's (LiveFeed's onLocal). */
  attach(live: LiveFeed): void {
    const onMessage = (from: string, body: string) => this.#receive(live, from, body);
    this.member.on('message', onMessage);
    this.#unsubscribe.push(() => this.member.off('message', onMessage));
  }

  /** A local event the walls were shown: positions wait for the next flush, the rest go now. */
  local(event: LiveEvent): void {
    if (event.kind === 'position') this.#positions.set(event.position.unitId, event.position);
    else this.#send(event);
  }

  #flush(): void {
    if (this.#positions.size === 0) return;
    const positions = [...this.#positions.values()];
    this.#positions = new Map();
    this.#send({ kind: 'positions', positions });
  }

  #send(message: HubMessage): void {
    this.member.publish(JSON.stringify(message));
  }

  #receive(live: LiveFeed, from: string, body: string): void {
    let message: HubMessage;
    try {
      message = JSON.parse(body) as HubMessage;
    } catch (err) {
      this.log.warn({ from, err: (err as Error).message }, 'cluster: a message from another hub is not JSON; ignored');
      return;
    }
    switch (message.kind) {
      case 'positions':
        for (const position of message.positions) live.show({ kind: 'position', position });
        this.bus.emit('clusterPositions', message.positions);
        return;
      case 'status':
        live.show(message);
        this.bus.emit('clusterStatus', message.status);
        return;
      case 'alarm':
        live.show(message);
        this.bus.emit('clusterAlarm', message.alarm);
        return;
      case 'bus':
        if (!(REPLAYED as readonly string[]).includes(message.event)) return;
        this.#replaying = true;
        try {
          (this.bus.emit as (event: string, ...args: unknown[]) => boolean)(message.event, ...message.args);
        } finally {
          this.#replaying = false;
        }
        return;
      default:
        live.show(message);
    }
  }

  /** Sends what is gathered and stops. Safe twice. */
  close(): void {
    clearInterval(this.#timer);
    this.#flush();
    this.#unsubscribe.splice(0).forEach((u) => u());
  }
}
