// What the alarm rules remember about one unit between messages.

export interface LastPosition {
  /** the position's own timestamp, epoch ms */
  ts: number;
  lat: number;
  lon: number;
  /** the fix's horizontal accuracy, metres, when the unit reported it */
  accuracy?: number;
}

export interface UnitState {
  unitId: string;
  /** the newest position seen; a position not newer than this is late and drives no state */
  last?: LastPosition;
  /** clock time (epoch ms) the unit was last heard from: a position, an alarm or an online status */
  heardAt?: number;
  /** the broker holds a connection of the unit (from its online/offline statuses); unknown counts as not */
  connected: boolean;
  /** clock time (epoch ms) of the unit's latest connect, or of its latest position since, whichever is later */
  positionClockFrom?: number;
  /** a no-position episode (connected, no position for noPositionAfterSeconds) is under way (already alarmed) */
  noPosition: boolean;
  /** geofence ids the unit is inside; only meaningful once `last` is set */
  inside: Set<number>;
  /** an overspeed episode is under way (already alarmed) */
  overspeed: boolean;
  /** a low-battery episode is under way (already alarmed) */
  lowBattery: boolean;
  /**
   * An offline episode is under way (already alarmed): the position timestamp it began at.
   * Only a position newer than this ends it, so a straggler committed after the last will does not.
   */
  offlineSince?: number;
  /** keys of recent device alarms, to drop QoS 1 redeliveries */
  recentDeviceAlarms: string[];
}

export function newUnitState(unitId: string): UnitState {
  return { unitId, inside: new Set(), overspeed: false, lowBattery: false, connected: false, noPosition: false, recentDeviceAlarms: [] };
}
