// Overspeed: one alarm per episode; the episode ends (and the rule re-arms) below 90 % of the limit,
// so a unit cruising at the limit does not alarm on every GPS wobble.
import type { Position } from '@hub/config';
import type { NewAlarm } from './store/alarms';
import type { UnitState } from './unit-state';

const REARM_FRACTION = 0.9;

export function overspeedRule(unit: UnitState, pos: Position, limitKmh: number, unitType: string): NewAlarm | null {
  if (pos.speed === undefined) return null;
  const kmh = pos.speed * 3.6; // the wire carries m/s
  if (unit.overspeed) {
    if (kmh < limitKmh * REARM_FRACTION) unit.overspeed = false;
    return null;
  }
  if (kmh <= limitKmh) return null;
  unit.overspeed = true;
  return {
    unitId: unit.unitId,
    kind: 'overspeed',
    ts: pos.ts,
    lat: pos.lat,
    lon: pos.lon,
    details: { speedKmh: Math.round(kmh * 10) / 10, limitKmh, unitType },
  };
}
