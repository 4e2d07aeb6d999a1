// Geofence enter / exit: one inside-state per unit × fence; a unit's first position only sets it.
// A unit standing on a fence's edge must not raise an alarm at every GPS wobble: the state
// changes only once a fix is across the edge by more than its own uncertainty (hysteresis).
import { distanceToEdgeM, inPolygon, prepare, type PreparedPolygon, type Geofence } from '@hub/config';
import type { NewAlarm } from './store/alarms';
import type { LastPosition, UnitState } from './unit-state';

interface Fence {
  id: number;
  name: string;
  alarmOnEnter: boolean;
  alarmOnExit: boolean;
  shape: PreparedPolygon;
  /** the geometry as JSON, to tell a reshaped fence from an unchanged one */
  key: string;
}

export class GeofenceRule {
  private fences: Fence[] = [];

  /**
   * Replace the fence set. New or reshaped fences take their inside-state from each unit's
   * last position without an alarm: drawing a fence around a parked unit is not an entry.
   */
  setFences(geofences: Geofence[], units: Iterable<UnitState>): void {
    const old = new Map(this.fences.map((f) => [f.id, f]));
    this.fences = geofences.map((g) => ({
      id: g.id,
      name: g.name,
      alarmOnEnter: g.alarmOnEnter,
      alarmOnExit: g.alarmOnExit,
      shape: prepare(g.geometry),
      key: JSON.stringify(g.geometry.coordinates),
    }));
    const ids = new Set(this.fences.map((f) => f.id));
    const changed = this.fences.filter((f) => old.get(f.id)?.key !== f.key);
    for (const unit of units) {
      for (const id of unit.inside) if (!ids.has(id)) unit.inside.delete(id);
      if (!unit.last) continue;
      for (const f of changed) setInside(unit, f, unit.last);
    }
  }

  /** `first`: the unit had no position before this one, so only its state is set. */
  onPosition(unit: UnitState, pos: LastPosition, first: boolean): NewAlarm[] {
    const alarms: NewAlarm[] = [];
    for (const f of this.fences) {
      const was = unit.inside.has(f.id);
      if (first) {
        setInside(unit, f, pos);
        continue;
      }
      const now = inPolygon(f.shape, pos.lon, pos.lat);
      if (was === now) continue;
      // across the edge, but not by more than the fix's uncertainty: keep the old state
      if (distanceToEdgeM(f.shape, pos.lon, pos.lat) < edgeMarginM(pos)) continue;
      setInside(unit, f, pos);
      if (now ? !f.alarmOnEnter : !f.alarmOnExit) continue;
      alarms.push({
        unitId: unit.unitId,
        kind: now ? 'geofence_enter' : 'geofence_exit',
        ts: new Date(pos.ts),
        lat: pos.lat,
        lon: pos.lon,
        details: { geofenceId: f.id, geofenceName: f.name },
      });
    }
    return alarms;
  }
}

/** Metres a fix must be across an edge to count: its accuracy, within [MIN, MAX]. */
export const EDGE_MARGIN_MIN_M = 3;
export const EDGE_MARGIN_MAX_M = 50;
function edgeMarginM(pos: LastPosition): number {
  return Math.min(EDGE_MARGIN_MAX_M, Math.max(EDGE_MARGIN_MIN_M, pos.accuracy ?? EDGE_MARGIN_MIN_M));
}

function setInside(unit: UnitState, f: Fence, pos: LastPosition): boolean {
  const inside = inPolygon(f.shape, pos.lon, pos.lat);
  if (inside) unit.inside.add(f.id);
  else unit.inside.delete(f.id);
  return inside;
}
