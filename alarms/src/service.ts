// The alarm service: feeds the rules engine from the bus, stores what it raises and pushes the
// stored alarm back on the bus for the live feed. All I/O of the alarm rules lives here.
import type { Logger } from 'pino';
import type { Alarm, DeviceAlarm, Position, PositionOut, UnitStatusOut } from '@hub/config';
import { HubError, type Queryable } from '@hub/platform';
import { getUnit, latestPosition, latestPositions, listUnits, type TelemetryBus } from '@hub/telemetry';
import { countRepeat, insertAlarm, type NewAlarm } from './store/alarms';
import { FloodGate } from './flood-gate';
import { listGeofences } from './store/geofences';
import { newestOfflineAlarm, newestOfflineAlarms } from './offline-episodes';
import { ClusterUnits } from './cluster-units';
import { AlarmRules, type AlarmsConfig } from './rules';

export interface AlarmServiceOptions {
  db: Queryable;
  bus: TelemetryBus;
  config: AlarmsConfig;
  log: Logger;
  /** clock, epoch ms; default Date.now */
  now?: () => number;
  /** how often silent units are looked for, ms; default 5000 */
  checkIntervalMs?: number;
  /** wait before the one retry of a failed database write, ms; default 500 */
  retryDelayMs?: number;
  /** this hub is one of a cluster (cluster-units.ts): a unit's state is read when it comes here; default false */
  cluster?: boolean;
}

export interface AlarmService {
  /** Raises and stores the alarm of an SOS or device message; resolves once it is stored, so the unit's PUBACK can follow. */
  handleDeviceAlarm(msg: DeviceAlarm): Promise<void>;
  /**
   * Stores an alarm the hub itself raises about a unit (e.g. `recording_stalled`) in line with
   * the rules' alarms, and pushes it to the walls; resolves with the stored alarm.
   */
  raiseSystemAlarm(alarm: NewAlarm): Promise<Alarm>;
  /** Looks for silent units now (the timer does it too); resolves once their alarms are stored. */
  checkOffline(): Promise<void>;
  /** Resolves once every alarm raised so far has been stored (or given up on). */
  flush(): Promise<void>;
  /** Unsubscribes, stops the timer and waits for pending writes. Safe twice. */
  close(): Promise<void>;
}

/** The service was closed and takes no more work. */
export class AlarmServiceClosedError extends HubError {
  constructor() {
    super('HUB_ERR_ALARMS_CLOSED', 503, 'the alarm service is closed');
  }
}

export async function startAlarmService(opts: AlarmServiceOptions): Promise<AlarmService> {
  const { db, bus, log } = opts;
  const retryDelayMs = opts.retryDelayMs ?? 500;
  const now = opts.now ?? Date.now;
  const rules = new AlarmRules({ config: opts.config, now });
  const flood = new FloodGate(opts.config.flood);
  let closed = false;
  // Stores run one after another, so that walls see alarms in the order they were raised.
  let writes: Promise<unknown> = Promise.resolve();
  // Reloads of geofences and units too, so that a slow older load cannot overwrite a newer one.
  let reloads: Promise<unknown> = Promise.resolve();

  async function retryOnce<T>(what: string, fn: () => Promise<T>, facts: object): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      log.warn({ err, ...facts }, `${what} failed; retrying once`);
      await new Promise((r) => setTimeout(r, retryDelayMs));
      try {
        return await fn();
      } catch (err2) {
        log.error({ err: err2, ...facts }, `${what} failed twice; giving up`);
        throw err2;
      }
    }
  }

  function store(alarm: NewAlarm): Promise<Alarm> {
    const facts = { unitId: alarm.unitId, kind: alarm.kind };
    const at = now();
    const admitted = flood.admit(alarm.unitId, alarm.kind, at);
    // a repeat with nothing to count it on (the newest was deleted) is stored after all
    const write = admitted ? () => insertAlarm(db, alarm) : async () => (await countRepeat(db, alarm.unitId, alarm.kind, alarm.ts)) ?? insertAlarm(db, alarm);
    const stored = writes.then(() => retryOnce('storing an alarm', write, facts));
    writes = stored.catch(() => undefined);
    return stored.then(
      (row) => {
        if (admitted) log.info({ alarmId: row.id, ...facts }, 'alarm raised');
        else log.debug({ alarmId: row.id, repeats: row.repeats, ...facts }, 'alarm repeat counted (flood control)');
        // A listener's error is its own: it must not turn a stored alarm into a failed one.
        try {
          bus.emit('alarm', row);
        } catch (err) {
          log.error({ err, alarmId: row.id }, 'an alarm listener threw');
        }
        return row;
      },
      (err: unknown) => {
        if (admitted) flood.forget(alarm.unitId, alarm.kind, at);
        throw err;
      },
    );
  }

  /** From a bus listener: nothing may be thrown back into the emitter. */
  function raise(what: string, run: () => NewAlarm[]): Promise<void> {
    let alarms: NewAlarm[];
    try {
      alarms = run();
    } catch (err) {
      log.error({ err }, `alarm rules failed on ${what}`);
      return Promise.resolve();
    }
    return Promise.all(alarms.map((a) => store(a).catch(() => undefined))).then(() => undefined);
  }

  function reload(what: string, fn: () => Promise<void>): void {
    reloads = reloads.then(() => (closed ? undefined : retryOnce(`reloading ${what}`, fn, {}))).catch(() => undefined);
  }

  const cluster = opts.cluster
    ? new ClusterUnits(
        async (unitId) => {
          const [latest, offline] = await Promise.all([latestPosition(db, unitId), newestOfflineAlarm(db, unitId)]);
          if (!closed) rules.reseedUnit(unitId, latest, offline);
        },
        (unitId) => rules.forgetUnit(unitId),
        log,
      )
    : undefined;
  /** runs `fn` for the unit's message once its state is current (in a cluster: read when it came to this hub) */
  const forUnit = (unitId: string, fn: () => void) => (cluster ? cluster.run(unitId, fn) : fn());
  const byUnit = (positions: Position[]) => {
    const out = new Map<string, Position[]>();
    for (const p of positions) out.set(p.unitId, [...(out.get(p.unitId) ?? []), p]);
    return out;
  };

  // Subscribe first and hold events until the state is loaded: nothing emitted meanwhile is lost.
  let held: Array<() => void> | null = [];
  const whenReady = (fn: () => void) => (held ? held.push(fn) : fn());
  const handlers = {
    positions: (positions: Position[]) =>
      whenReady(() => {
        if (!cluster) return void raise('positions', () => rules.onPositions(positions));
        for (const [unitId, own] of byUnit(positions)) forUnit(unitId, () => void raise('positions', () => rules.onPositions(own)));
      }),
    status: (status: UnitStatusOut) => whenReady(() => forUnit(status.unitId, () => void raise('a status', () => rules.onStatus(status)))),
    clusterPositions: (positions: PositionOut[]) => {
      for (const p of positions) cluster?.elsewhere(p.unitId);
    },
    geofencesChanged: () =>
      reload('geofences', async () => {
        const fences = await listGeofences(db);
        if (!closed) rules.setGeofences(fences);
      }),
    unitChanged: (unitId: string) =>
      reload(`unit ${unitId}`, async () => {
        const unit = await getUnit(db, unitId);
        if (!closed) rules.setUnit(unitId, unit);
      }),
  };
  bus.on('positions', handlers.positions);
  bus.on('status', handlers.status);
  if (cluster) bus.on('clusterPositions', handlers.clusterPositions);
  bus.on('geofencesChanged', handlers.geofencesChanged);
  bus.on('unitChanged', handlers.unitChanged);
  const unsubscribe = () => {
    bus.off('positions', handlers.positions);
    bus.off('status', handlers.status);
    bus.off('clusterPositions', handlers.clusterPositions);
    bus.off('geofencesChanged', handlers.geofencesChanged);
    bus.off('unitChanged', handlers.unitChanged);
  };

  try {
    const [fences, units, latest, offlineAlarms] = await Promise.all([listGeofences(db), listUnits(db), latestPositions(db), newestOfflineAlarms(db)]);
    rules.setGeofences(fences);
    rules.setUnits(units);
    rules.seed(latest, { offlineAlarms });
    log.info({ geofences: fences.length, units: units.length, positions: latest.length }, 'alarm rules loaded');
  } catch (err) {
    unsubscribe();
    throw err;
  }
  const pending = held;
  held = null;
  for (const fn of pending) fn();

  const timer = setInterval(() => void checkOffline(), opts.checkIntervalMs ?? 5000);
  timer.unref();

  async function handleDeviceAlarm(msg: DeviceAlarm): Promise<void> {
    if (closed) throw new AlarmServiceClosedError();
    const [alarm] = rules.onDeviceAlarm(msg);
    if (!alarm) return; // a redelivery of one already taken
    try {
      await store(alarm);
    } catch (err) {
      // Not stored: the unit will send it again, and that one must not be taken for a duplicate.
      rules.forgetDeviceAlarm(msg);
      throw err;
    }
  }

  function checkOffline(): Promise<void> {
    if (closed) return Promise.resolve();
    return raise('the offline check', () => rules.checkOffline());
  }

  return {
    handleDeviceAlarm,
    raiseSystemAlarm: (alarm) => (closed ? Promise.reject(new AlarmServiceClosedError()) : store(alarm)),
    checkOffline,
    flush: () => Promise.all([writes, reloads]).then(() => undefined),
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(timer);
      await Promise.all([writes, reloads]);
    },
  };
}
