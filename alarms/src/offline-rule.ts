// Two alarms that used to be one:
// - `offline` (disconnected): the unit's link is gone, from its last will, or from silence
//   while it has no connection; one per episode, ended when the unit is heard from again.
// - `no_position`: the unit is connected (it may be streaming video) but has sent no
//   position for noPositionAfterSeconds, e.g. no GPS fix indoors; one per episode, ended by
//   its next position or its disconnect.
import type { NewAlarm } from './store/alarms';
import type { UnitState } from './unit-state';

export type OfflineReason = 'last_will' | 'no_position';

/** The unit spoke: a message whose own time is `ts` (epoch ms) arrived at clock time `now`. */
export function heardFrom(unit: UnitState, ts: number, now: number): void {
  unit.heardAt = Math.max(unit.heardAt ?? now, now);
  // A message from before the episode began (a straggler committed after the last will) ends nothing.
  if (unit.offlineSince !== undefined && ts > unit.offlineSince) unit.offlineSince = undefined;
}

/** An online status ends any episode: the broker has the unit's connection now. */
export function cameOnline(unit: UnitState, now: number): void {
  unit.heardAt = Math.max(unit.heardAt ?? now, now);
  unit.offlineSince = undefined;
  unit.connected = true;
  unit.positionClockFrom = now;
  unit.noPosition = false;
}

/** The unit's last connection closed. */
export function wentOffline(unit: UnitState): void {
  unit.connected = false;
  unit.noPosition = false;
}

/** A position arrived (at clock time `now`): the no-position clock starts again. */
export function positionArrived(unit: UnitState, now: number): void {
  unit.positionClockFrom = Math.max(unit.positionClockFrom ?? now, now);
  unit.noPosition = false;
}

/** A connected unit with no position since `since` (epoch ms, clock time) for `afterMs`. */
export function noPosition(unit: UnitState, since: number, now: number, afterMs: number): NewAlarm | null {
  if (!unit.connected || unit.noPosition || now - since < afterMs) return null;
  unit.noPosition = true;
  return {
    unitId: unit.unitId,
    kind: 'no_position',
    ts: new Date(now),
    lat: unit.last?.lat ?? null,
    lon: unit.last?.lon ?? null,
    details: {
      noPositionAfterSeconds: afterMs / 1000,
      lastPositionTs: unit.last ? new Date(unit.last.ts).toISOString() : null,
    },
  };
}

/** The unit signed off: no alarm, and its silence from now on is expected. */
export function signedOff(unit: UnitState, ts: number): void {
  if (unit.offlineSince === undefined) unit.offlineSince = Math.max(ts, unit.last?.ts ?? ts);
}

export function lastWill(unit: UnitState, ts: number): NewAlarm | null {
  if (unit.offlineSince !== undefined) return null;
  // The unit sent a position stamped after this status: the status is stale.
  if (unit.last && ts < unit.last.ts) return null;
  unit.offlineSince = Math.max(ts, unit.last?.ts ?? ts);
  return offlineAlarm(unit, 'last_will', ts);
}

/** Silence of a unit with no connection: nothing heard since `since` (epoch ms, clock time), and `now - since` reached the limit. */
export function silence(unit: UnitState, since: number, now: number, afterMs: number): NewAlarm | null {
  if (unit.connected || unit.offlineSince !== undefined || now - since < afterMs) return null;
  unit.offlineSince = unit.last?.ts ?? -Infinity;
  return offlineAlarm(unit, 'no_position', now, afterMs / 1000);
}

function offlineAlarm(unit: UnitState, reason: OfflineReason, ts: number, afterSeconds?: number): NewAlarm {
  const details: Record<string, unknown> = {
    reason,
    lastSeen: unit.heardAt === undefined ? null : new Date(unit.heardAt).toISOString(),
    lastPositionTs: unit.last ? new Date(unit.last.ts).toISOString() : null,
  };
  if (afterSeconds !== undefined) details.offlineAfterSeconds = afterSeconds;
  return {
    unitId: unit.unitId,
    kind: 'offline',
    ts: new Date(ts),
    lat: unit.last?.lat ?? null,
    lon: unit.last?.lon ?? null,
    details,
  };
}
