// Shapes of the incidents API and its live events, as config/ declares them, and what the
// linkage panel works for.
export type { DispatchEvent, DispatchOfferEvent, DispatchState, Incident, LinkageEvent, NearestUnit } from '@hub/config';

/** What the linkage panel works for: a selected alarm, or a point clicked on the map. */
export interface LinkageTarget {
  lat: number;
  lon: number;
  alarmId?: number;
  /** the unit that raised the alarm: its camera opens with the dispatched units' */
  unitId?: string;
  /** the incident already made for this target, if any */
  incidentId?: number;
  /** a new number each time an operator or a linkage event picks the target: the list is asked for again */
  seq: number;
}
