// What the wall's panels read from the live store's UnitView (wall-b's live/types.ts).
import type { UnitView } from '../live/types';

export interface UnitPosition {
  lat: number;
  lon: number;
  ts: string;
  speed: number | null;
  heading: number | null;
}

export function viewPosition(u: UnitView): UnitPosition | null {
  if (u.lat === null || u.lon === null) return null;
  return { lat: u.lat, lon: u.lon, ts: u.ts ?? '', speed: u.speed, heading: u.heading };
}

export function viewOnline(u: UnitView): boolean {
  return u.online;
}

export function viewAssignedIncident(u: UnitView): string | null {
  return u.assignedIncidentId === null ? null : String(u.assignedIncidentId);
}
