// Low battery: one alarm at or below the threshold, re-armed once the battery is 5 points above it,
// so a reading that hovers around the threshold alarms once.
import type { Position } from '@hub/config';
import type { NewAlarm } from './store/alarms';
import type { UnitState } from './unit-state';

const REARM_POINTS = 5;

export function batteryRule(unit: UnitState, pos: Position, lowPercent: number): NewAlarm | null {
  if (pos.battery === undefined) return null;
  if (unit.lowBattery) {
    if (pos.battery >= lowPercent + REARM_POINTS) unit.lowBattery = false;
    return null;
  }
  if (pos.battery > lowPercent) return null;
  unit.lowBattery = true;
  return {
    unitId: unit.unitId,
    kind: 'low_battery',
    ts: pos.ts,
    lat: pos.lat,
    lon: pos.lon,
    details: { battery: pos.battery, thresholdPercent: lowPercent },
  };
}
