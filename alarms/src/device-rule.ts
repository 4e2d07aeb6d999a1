// SOS and device alarms: every one the unit raises is stored, except QoS 1 redeliveries of the same one.
import type { DeviceAlarm } from '@hub/config';
import type { NewAlarm } from './store/alarms';
import type { UnitState } from './unit-state';

const REMEMBERED = 16;

// MQTT-4.3.2: QoS 1 is at least once, so the same alarm may arrive twice.
const keyOf = (msg: DeviceAlarm) => `${msg.type}|${msg.ts.getTime()}|${msg.code ?? ''}|${msg.message ?? ''}`;

export function deviceAlarmRule(unit: UnitState, msg: DeviceAlarm): NewAlarm | null {
  const key = keyOf(msg);
  if (unit.recentDeviceAlarms.includes(key)) return null;
  unit.recentDeviceAlarms.push(key);
  if (unit.recentDeviceAlarms.length > REMEMBERED) unit.recentDeviceAlarms.shift();

  const fromMessage = msg.lat !== undefined && msg.lon !== undefined;
  const lat = fromMessage ? msg.lat! : (unit.last?.lat ?? null);
  const lon = fromMessage ? msg.lon! : (unit.last?.lon ?? null);
  const details: Record<string, unknown> = {
    position: fromMessage ? 'message' : unit.last ? 'last_known' : 'unknown',
  };
  if (!fromMessage && unit.last) details.positionTs = new Date(unit.last.ts).toISOString();
  if (msg.code !== undefined) details.code = msg.code;
  if (msg.message !== undefined) details.message = msg.message;
  return { unitId: unit.unitId, kind: msg.type, ts: msg.ts, lat, lon, details };
}

/** Forget an alarm taken earlier (it could not be stored), so that its resending is not dropped. */
export function forgetDeviceAlarm(unit: UnitState, msg: DeviceAlarm): void {
  const key = keyOf(msg);
  unit.recentDeviceAlarms = unit.recentDeviceAlarms.filter((k) => k !== key);
}
