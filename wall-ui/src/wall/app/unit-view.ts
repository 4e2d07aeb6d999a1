// What the wall's panels read from the live store's UnitView (wall-b's live/unit-store):
// kept in one place so the panels do not depend on the view's exact field layout.
import type { UnitView } from '../live/unit-store';

export interface UnitPosition {
  lat: number;
  lon: number;
  ts: string;
  speed: number | null;
  heading: number | null;
}

type Loose = Record<string, unknown>;

export function viewPosition(u: UnitView): UnitPosition | null {
  const v = u as unknown as Loose;
  const p = (v.position ?? v.latest ?? (typeof v.lat === 'number' ? v : null)) as Loose | null;
  if (!p || typeof p.lat !== 'number' || typeof p.lon !== 'number') return null;
  return { lat: p.lat, lon: p.lon, ts: String(p.ts ?? ''), speed: (p.speed as number | null) ?? null, heading: (p.heading as number | null) ?? null };
}

export function viewOnline(u: UnitView): boolean {
  const v = u as unknown as Loose;
  if (typeof v.online === 'boolean') return v.online;
  const status = v.status as Loose | string | null | undefined;
  if (typeof status === 'string') return status === 'online';
  return status?.state === 'online';
}

export function viewAssignedIncident(u: UnitView): string | null {
  const v = u as unknown as Loose;
  const id = v.assignedIncidentId ?? null;
  return id === null || id === undefined ? null : String(id);
}

/** Great-circle distance in metres (haversine). */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}
