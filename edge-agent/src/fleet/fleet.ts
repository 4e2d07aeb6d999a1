// N virtual units in one process, each with its own MQTT connection, driving loops around a city
// centre. The simulator's CLI and the ingest benchmark both run on this.
import path from 'node:path';
import type { UnitCredential, UnitType } from '@hub/config';
import { unitSpeed } from './unit-speeds';
import { UnitAgent } from '../agent/unit-agent';
import { onDispatch } from '../agent/commands';
import { silentLogger, type Logger } from '../log';
import { RouteSource } from '../gps/route-source';
import { cityLoop, seededRandom } from '../gps/routes';

export interface StartFleetOptions {
  /** one per unit: the unit's id is its username */
  credentials: UnitCredential[];
  /** broker URL */
  broker: string;
  /** positions per second per unit; default 1 */
  rateHz?: number;
  /** city centre; default Shenzhen Futian */
  centre?: { lat: number; lon: number };
  /** connections are spread over this many ms; default 1000 */
  staggerMs?: number;
  /** per-unit durable queues under this folder; default in memory */
  queueDir?: string;
  /** per-unit queue bound; default 100000 */
  queueMax?: number;
  /** per-unit QoS 1 window; default 100 */
  maxInFlight?: number;
  /** wall-clock ms between fixes; default 1000 / rateHz (smaller runs simulated time faster) */
  tickMs?: number;
  /** each unit stops after this many positions; default never */
  maxFixes?: number;
  /** each unit's kind (its pace: body cams walk), by unit id; default every unit a vehicle */
  types?: ReadonlyMap<string, UnitType>;
  /** how many of the vehicles drive over the speed limit (the first ones); default 0 */
  speeders?: number;
  /** a simulated person accepts a dispatch after a delay in [min, max] ms, as a person reading it would; default [2000, 6000] */
  acceptDelayMs?: [number, number];
  logger?: Logger;
}

export interface FleetStats {
  units: number;
  /** agents started so far (starts are staggered) */
  started: number;
  connected: number;
  /** publishes handed to MQTT clients */
  sent: number;
  /** PUBACKs: positions durable at the hub */
  acked: number;
  queued: number;
  dropped: number;
  /** link errors seen (refused connections, timeouts) */
  errors: number;
  /** units whose credential was refused */
  authErrors: number;
}

export interface Fleet {
  readonly agents: readonly UnitAgent[];
  stats(): FleetStats;
  /** Stops starting units and closes every agent. Safe to call twice. */
  close(): Promise<void>;
}

export async function startFleet(opts: StartFleetOptions): Promise<Fleet> {
  const rateHz = opts.rateHz ?? 1;
  const intervalMs = 1000 / rateHz;
  const centre = opts.centre ?? { lat: 22.54, lon: 114.05 };
  const staggerMs = opts.staggerMs ?? 1000;
  const log = (opts.logger ?? silentLogger).child({ module: 'fleet' });
  const agents: UnitAgent[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<unknown>>();
  let errors = 0;
  let authErrors = 0;
  let closing: Promise<void> | undefined;

  // the first `speeders` vehicles (in the order of the credentials) speed
  const speeding = new Set(
    opts.credentials
      .filter((c) => (opts.types?.get(c.unitId) ?? 'vehicle') === 'vehicle')
      .slice(0, opts.speeders ?? 0)
      .map((c) => c.unitId),
  );

  const startUnit = async (cred: UnitCredential, index: number) => {
    const route = cityLoop(centre, index);
    const type = opts.types?.get(cred.unitId) ?? 'vehicle';
    const gps = new RouteSource({
      route,
      speed: unitSpeed(type, index, route.speed ?? 10, speeding.has(cred.unitId)),
      intervalMs,
      tickMs: opts.tickMs ?? intervalMs,
      maxFixes: opts.maxFixes,
      startOffsetM: seededRandom(index + 7)() * 3000,
      battery: { start: 60 + (index % 40), drainPerHour: 8 },
    });
    const agent = await UnitAgent.start({
      unitId: cred.unitId,
      secret: cred.secret,
      broker: opts.broker,
      gps,
      queueDir: opts.queueDir ? path.join(opts.queueDir, cred.unitId) : undefined,
      queueMax: opts.queueMax,
      maxInFlight: opts.maxInFlight,
      // simulated units: a power cut loses nothing real, and a thousand fsyncs a second would measure the disk
      fsync: false,
      logger: opts.logger,
    });
    // the simulated person reads the order, then accepts it: the demo's dispatches go en route
    const [minDelay, maxDelay] = opts.acceptDelayMs ?? [2000, 6000];
    const think = seededRandom(index + 101);
    const readThenAccept = () =>
      new Promise<true>((accept) => {
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            accept(true);
          },
          minDelay + think() * (maxDelay - minDelay),
        );
        timers.add(timer); // closing the fleet clears it: nobody answers for a closed unit
      });
    onDispatch(agent, readThenAccept, log);
    agent.on('linkError', () => errors++);
    agent.on('authError', (err) => {
      authErrors++;
      log.error({ unitId: cred.unitId }, err.message);
    });
    if (closing) await agent.close();
    else agents.push(agent);
  };

  opts.credentials.forEach((cred, i) => {
    const delay = opts.credentials.length > 1 ? Math.round((i * staggerMs) / opts.credentials.length) : 0;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const p = startUnit(cred, i).catch((err: Error) => {
        errors++;
        log.error({ unitId: cred.unitId, err: err.message }, 'unit failed to start');
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }, delay);
    timers.add(timer);
  });

  return {
    agents,
    stats() {
      const s: FleetStats = { units: opts.credentials.length, started: agents.length, connected: 0, sent: 0, acked: 0, queued: 0, dropped: 0, errors, authErrors };
      for (const a of agents) {
        const st = a.stats;
        if (st.connected) s.connected++;
        s.sent += st.sent;
        s.acked += st.acked;
        s.queued += st.queued;
        s.dropped += st.dropped;
      }
      return s;
    },
    close() {
      closing ??= (async () => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        await Promise.all(pending);
        await Promise.all(agents.map((a) => a.close()));
      })();
      return closing;
    },
  };
}
