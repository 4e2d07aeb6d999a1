// What the wall knows of each unit, and the live feed's events as the wall sees them.
import type { Alarm, LiveServerToClient, Unit, UnitStatusReason, VehicleReadings } from '@hub/config';

/** A unit with its latest position and status, as the map, the unit list and the tiles read it. */
export interface UnitView extends Unit {
  /** latest position; null until the unit has reported one */
  lat: number | null;
  lon: number | null;
  /** time of the latest position (ISO) */
  ts: string | null;
  /** m/s */
  speed: number | null;
  /** degrees clockwise from north */
  heading: number | null;
  accuracy: number | null;
  battery: number | null;
  /** the vehicle's readings with the latest position (odometer, fuel…); null when it reported none */
  vehicle: VehicleReadings | null;
  /** connected to the hub (its MQTT link is up) */
  online: boolean;
  /** why the status last changed; null when only inferred from the latest position's age */
  statusReason: UnitStatusReason | null;
  statusTs: string | null;
  /** has an alarm the wall has not seen acknowledged */
  alarming: boolean;
  /** the incident it is dispatched to, if any */
  assignedIncidentId: number | null;
  /** Date.now() when the wall received the latest position */
  receivedAt: number;
}

/** How the map colours a unit, in the order of the icon atlas's cells (map/icon-atlas.ts). */
export const UNIT_STATUS_KINDS = ['online', 'offline', 'alarming', 'assigned'] as const;
export type UnitStatusKind = (typeof UNIT_STATUS_KINDS)[number];

export function unitStatusKind(u: Pick<UnitView, 'online' | 'alarming' | 'assignedIncidentId'>): UnitStatusKind {
  if (u.alarming) return 'alarming';
  if (!u.online) return 'offline';
  if (u.assignedIncidentId) return 'assigned';
  return 'online';
}

/** connecting: first connection; live: receiving; reconnecting: link lost, retrying by itself; unauthorized: the token was refused (log in again); closed: close() was called */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'closed';

/** Events of the live feed the store forwards as they come. */
export type ForwardedEvent = 'incident' | 'dispatch' | 'linkage' | 'offer';

/** The payload of a forwarded event, as LiveServerToClient declares it. */
export type ForwardedPayload<E extends ForwardedEvent> = Parameters<LiveServerToClient[E]>[0];

/** A forwarded event with its payload. */
export type Forwarded = { [E in ForwardedEvent]: { event: E; payload: ForwardedPayload<E> } }[ForwardedEvent];

export type { Alarm };
