// Shapes of the incidents API and its live events as the wall reads them (CONTRACTS.md
// "Incidents, nearest units, dispatch"). When config/ carries their schemas, import those.
export interface NearestUnit {
  unitId: string;
  name: string;
  type: 'vehicle' | 'bodycam';
  lat: number;
  lon: number;
  distanceM: number;
  etaSeconds: number;
  online: boolean;
  assignedIncidentId: string | number | null;
}

export type DispatchState = 'sent' | 'acknowledged' | 'refused' | 'en_route' | 'on_scene';

export interface DispatchEvent {
  incidentId: string | number;
  unitId: string;
  commandId: string;
  state: DispatchState;
  ts: string;
}

export interface LinkageEvent {
  incidentId: string | number;
  alarmId?: number;
  openCameras: string[];
  nearest: NearestUnit[];
}

export interface IncidentLite {
  id: string | number;
  lat: number;
  lon: number;
  state: string;
  alarmId?: number | null;
}

/** What the linkage panel works for: a selected alarm, or a point clicked on the map. */
export interface LinkageTarget {
  lat: number;
  lon: number;
  alarmId?: number;
  /** the unit that raised the alarm: its camera opens with the dispatched units' */
  unitId?: string;
  /** the incident already made for this target, if any */
  incidentId?: string | number;
}
