// The alarm rules engine: pure and synchronous. Messages in, NewAlarm objects out; the clock is
// injected and nothing here touches the database or the bus (see service.ts for that).
import type { DeviceAlarm, Geofence, HubConfig, Position, PositionOut, Unit, UnitStatusOut, UnitType } from '@hub/config';
import type { NewAlarm } from './store/alarms';
import { batteryRule } from './battery-rule';
import { deviceAlarmRule, forgetDeviceAlarm } from './device-rule';
import { GeofenceRule } from './geofence-rule';
import { cameOnline, heardFrom, lastWill, noPosition, positionArrived, signedOff, silence, wentOffline } from './offline-rule';
import { overspeedRule } from './overspeed-rule';
import { newUnitState, type UnitState } from './unit-state';

export type AlarmsConfig = HubConfig['alarms'];

export interface AlarmRulesOptions {
  config: AlarmsConfig;
  /** clock, epoch ms; default Date.now */
  now?: () => number;
}

/** What the rules need of a unit; `Unit` from the store fits. */
export type UnitInfo = Pick<Unit, 'id' | 'type' | 'disabled'>;

export interface SeedOptions {
  /**
   * Each unit's newest stored offline alarm. A unit whose newest offline alarm is not older than its
   * newest position is in an episode already alarmed before the restart. When this is not given,
   * a unit silent for longer than `offlineAfterSeconds` at seed time is taken as already alarmed.
   */
  offlineAlarms?: Array<{ unitId: string; ts: Date | string }>;
}

export class AlarmRules {
  private readonly config: AlarmsConfig;
  private readonly now: () => number;
  private readonly units = new Map<string, UnitState>();
  private readonly info = new Map<string, UnitInfo>();
  private readonly geofences = new GeofenceRule();
  /** silence is counted from no earlier than this (the seed): the hub's own downtime is not a unit's */
  private silenceFrom = -Infinity;

  constructor(opts: AlarmRulesOptions) {
    this.config = opts.config;
    this.now = opts.now ?? Date.now;
  }

  /** Replace the known units (types for the speed limit; disabled units raise no offline alarm). */
  setUnits(units: UnitInfo[]): void {
    this.info.clear();
    for (const u of units) this.info.set(u.id, u);
  }

  /** Add or update one unit; `undefined` info forgets it (it then counts as a vehicle). */
  setUnit(unitId: string, info: UnitInfo | undefined): void {
    if (info) this.info.set(unitId, info);
    else this.info.delete(unitId);
  }

  setGeofences(fences: Geofence[]): void {
    this.geofences.setFences(fences, this.units.values());
  }

  /**
   * Start from the stored latest positions, raising nothing: inside-states, overspeed and battery
   * episodes are set as they stand, so a hub restart neither repeats an alarm nor misses the next one.
   * Call after setGeofences and before any message.
   */
  seed(latest: Array<Position | PositionOut>, opts: SeedOptions = {}): void {
    const now = this.now();
    this.silenceFrom = now;
    for (const p of latest) this.seedPosition(p, now);
    const alarmedAt = new Map<string, number>();
    for (const a of opts.offlineAlarms ?? []) {
      const t = new Date(a.ts).getTime();
      alarmedAt.set(a.unitId, Math.max(t, alarmedAt.get(a.unitId) ?? -Infinity));
    }
    for (const unit of this.units.values()) this.seedOffline(unit, opts.offlineAlarms ? (alarmedAt.get(unit.unitId) ?? -Infinity) : undefined, now);
  }

  /**
   * Starts one unit over from its stored latest position, raising nothing, as seed() does for
   * all at start. In a cluster a unit that comes to this hub from another carries the state the
   * other hub's rules built (inside which geofences, an overspeed episode…) only in what that
   * hub stored; `newestOfflineAlarm` is its newest stored offline alarm, epoch ms.
   */
  reseedUnit(unitId: string, latest: PositionOut | undefined, newestOfflineAlarm: number | undefined): void {
    this.units.delete(unitId);
    const now = this.now();
    if (latest) this.seedPosition(latest, now);
    this.seedOffline(this.unit(unitId), newestOfflineAlarm ?? -Infinity, now);
  }

  /** Forgets a unit's state: it is on another hub of the cluster now, whose rules speak for it. */
  forgetUnit(unitId: string): void {
    this.units.delete(unitId);
  }

  private seedPosition(p: Position | PositionOut, now: number): void {
    const pos: Position = {
      unitId: p.unitId,
      ts: p.ts instanceof Date ? p.ts : new Date(p.ts),
      lat: p.lat,
      lon: p.lon,
      ...(p.speed != null && { speed: p.speed }),
      ...(p.battery != null && { battery: p.battery }),
    };
    const unit = this.unit(pos.unitId);
    if (unit.last && pos.ts.getTime() <= unit.last.ts) return;
    this.applyPosition(unit, pos);
    unit.heardAt = Math.min(pos.ts.getTime(), now);
  }

  /** An offline episode already alarmed: `alarmedAt` is the unit's newest offline alarm; undefined: not known, so judged by its silence. */
  private seedOffline(unit: UnitState, alarmedAt: number | undefined, now: number): void {
    const lastTs = unit.last?.ts ?? -Infinity;
    const alarmed = alarmedAt !== undefined ? alarmedAt >= lastTs : now - lastTs >= this.config.offlineAfterSeconds * 1000;
    if (alarmed) unit.offlineSince = Math.max(lastTs, alarmedAt ?? -Infinity);
  }

  /** Positions just committed, in any order; late ones only count as a sign of life. */
  onPositions(positions: Position[]): NewAlarm[] {
    const now = this.now();
    const sorted = [...positions].sort((a, b) => a.ts.getTime() - b.ts.getTime());
    const alarms: NewAlarm[] = [];
    for (const pos of sorted) {
      const unit = this.unit(pos.unitId);
      const ts = pos.ts.getTime();
      heardFrom(unit, ts, now);
      positionArrived(unit, now);
      if (unit.last && ts <= unit.last.ts) continue; // late: the state already moved past it
      alarms.push(...this.applyPosition(unit, pos));
    }
    return alarms;
  }

  onDeviceAlarm(msg: DeviceAlarm): NewAlarm[] {
    const unit = this.unit(msg.unitId);
    heardFrom(unit, msg.ts.getTime(), this.now());
    const alarm = deviceAlarmRule(unit, msg);
    return alarm ? [alarm] : [];
  }

  /** The alarm of `msg` could not be stored: take its redelivery as new. */
  forgetDeviceAlarm(msg: DeviceAlarm): void {
    const unit = this.units.get(msg.unitId);
    if (unit) forgetDeviceAlarm(unit, msg);
  }

  onStatus(status: UnitStatusOut): NewAlarm[] {
    const unit = this.unit(status.unitId);
    if (status.state === 'online') {
      cameOnline(unit, this.now());
      return [];
    }
    wentOffline(unit);
    if (this.info.get(status.unitId)?.disabled) return [];
    // A unit that signs off (clean disconnect, its own offline status) is not an alarm;
    // a last will means the link was lost.
    if (status.reason !== 'last_will') {
      signedOff(unit, Date.parse(status.ts));
      return [];
    }
    const alarm = lastWill(unit, Date.parse(status.ts));
    return alarm ? [alarm] : [];
  }

  /**
   * Units without a connection not heard from for `offlineAfterSeconds` (offline), and
   * connected units without a position for `noPositionAfterSeconds` (no_position); call periodically.
   */
  checkOffline(now: number = this.now()): NewAlarm[] {
    const afterMs = this.config.offlineAfterSeconds * 1000;
    const noPositionMs = this.config.noPositionAfterSeconds * 1000;
    const alarms: NewAlarm[] = [];
    for (const unit of this.units.values()) {
      if (this.info.get(unit.unitId)?.disabled) continue;
      const alarm = unit.connected
        ? noPosition(unit, Math.max(unit.positionClockFrom ?? now, this.silenceFrom), now, noPositionMs)
        : unit.heardAt === undefined
          ? null
          : silence(unit, Math.max(unit.heardAt, this.silenceFrom), now, afterMs);
      if (alarm) alarms.push(alarm);
    }
    return alarms;
  }

  /** The speed limit that applies to a unit, km/h; a unit of unknown type counts as a vehicle. */
  limitKmh(unitId: string): { limitKmh: number; unitType: UnitType } {
    const unitType = this.info.get(unitId)?.type ?? 'vehicle';
    return { limitKmh: this.config.overspeedKmh[unitType] ?? this.config.overspeedKmh.vehicle, unitType };
  }

  private applyPosition(unit: UnitState, pos: Position): NewAlarm[] {
    const first = unit.last === undefined;
    unit.last = { ts: pos.ts.getTime(), lat: pos.lat, lon: pos.lon, accuracy: pos.accuracy ?? undefined };
    const alarms = this.geofences.onPosition(unit, unit.last, first);
    const { limitKmh, unitType } = this.limitKmh(unit.unitId);
    const overspeed = overspeedRule(unit, pos, limitKmh, unitType);
    if (overspeed) alarms.push(overspeed);
    const battery = batteryRule(unit, pos, this.config.lowBatteryPercent);
    if (battery) alarms.push(battery);
    return alarms;
  }

  private unit(unitId: string): UnitState {
    let unit = this.units.get(unitId);
    if (!unit) {
      unit = newUnitState(unitId);
      this.units.set(unitId, unit);
    }
    return unit;
  }
}
