// Which alarm a person should see first. A life (SOS) before a supervisor's call (an incident
// nobody took), before a unit the centre cannot see (offline, no fix), before a rule broken
// (geofence, speed), before upkeep (battery). The wall sorts and sounds alarms by this order.
import type { AlarmKind } from './api';

/** Lower is more urgent. */
export const ALARM_PRIORITY: Readonly<Record<AlarmKind, number>> = {
  sos: 0,
  escalation: 1,
  device: 2,
  offline: 3,
  no_position: 3,
  // evidence is being lost: as urgent as a unit the centre cannot see
  recording_stalled: 3,
  geofence_enter: 4,
  geofence_exit: 4,
  overspeed: 5,
  low_battery: 6,
};

/** Kinds that flood control never thins: each is a person's call for help or a supervisor's. */
export const UNTHINNED_ALARM_KINDS: readonly AlarmKind[] = ['sos', 'escalation'];

/** Orders alarms most urgent first, then newest first. */
export function byAlarmPriority(a: { kind: AlarmKind; ts: string; id: number }, b: { kind: AlarmKind; ts: string; id: number }): number {
  return ALARM_PRIORITY[a.kind] - ALARM_PRIORITY[b.kind] || b.ts.localeCompare(a.ts) || b.id - a.id;
}
