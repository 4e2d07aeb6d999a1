// Owns the incidents the wall knows, by id (the open ones from REST at start, then each
// incident event live), and the dispatch side: each unit's latest dispatch answer and the
// incident it was sent to. An incident list or panel reads `incidents` and calls the operations.
import { useCallback, useEffect, useRef, useState } from 'react';
import { OPEN_INCIDENT_STATES } from '@hub/config';
import type { UnitStore } from '../live/unit-store';
import { api } from '../app/session';
import type { DispatchEvent, Incident } from '../linkage/types';

export interface IncidentFeed {
  /** every incident known, by id, as last told (REST or live) */
  incidents: ReadonlyMap<number, Incident>;
  /** the incident as known now, also before React renders (a linkage event may follow its incident at once) */
  incidentById(id: number): Incident | undefined;
  /** the incident made for an alarm, if any */
  incidentForAlarm(alarmId: number): Incident | undefined;
  /** each unit's latest dispatch answer (accepted, refused, …), by unit id */
  dispatchStates: ReadonlyMap<string, DispatchEvent>;
  /** the incident each unit was sent to (as a string, the unit list's key), by unit id */
  dispatched: ReadonlyMap<string, string>;
  /** this wall sent these units to an incident (before the hub's dispatch events arrive) */
  unitsDispatched(incidentId: number, unitIds: readonly string[]): void;
}

export function useIncidentFeed(store: UnitStore): IncidentFeed {
  const [incidents, setIncidents] = useState<ReadonlyMap<number, Incident>>(new Map());
  const [dispatchStates, setDispatchStates] = useState<ReadonlyMap<string, DispatchEvent>>(new Map());
  const [dispatched, setDispatched] = useState<ReadonlyMap<string, string>>(new Map());
  // kept in the ref at once: a linkage event may follow its incident before React renders
  const known = useRef(incidents);

  useEffect(() => {
    api<Incident[]>('GET', '/api/incidents?state=open')
      .then((list) => {
        // what came live meanwhile is newer than the list
        known.current = new Map([...list.map((i) => [i.id, i] as const), ...known.current]);
        setIncidents(known.current);
      })
      .catch(() => undefined);
    const offIncident = store.on('incident', (inc) => {
      known.current = new Map(known.current).set(inc.id, inc);
      setIncidents(known.current);
      // an incident no longer open frees its units
      if (!OPEN_INCIDENT_STATES.includes(inc.state)) {
        setDispatched((m) => ([...m.values()].includes(String(inc.id)) ? new Map([...m].filter(([, id]) => id !== String(inc.id))) : m));
      }
    });
    const offDispatch = store.on('dispatch', (ev) => {
      setDispatchStates((m) => new Map(m).set(ev.unitId, ev));
      // a unit that refused or did not answer is free again (as the hub's nearest-units list counts it)
      const free = ev.state === 'refused' || ev.state === 'timed_out';
      setDispatched((m) => {
        const n = new Map(m);
        if (!free) n.set(ev.unitId, String(ev.incidentId));
        else if (n.get(ev.unitId) === String(ev.incidentId)) n.delete(ev.unitId);
        return n;
      });
    });
    return () => {
      offIncident();
      offDispatch();
    };
  }, [store]);

  const incidentById = useCallback((id: number) => known.current.get(id), []);
  const incidentForAlarm = useCallback((alarmId: number) => [...known.current.values()].find((i) => i.alarmId === alarmId), []);
  const unitsDispatched = useCallback((incidentId: number, unitIds: readonly string[]) => {
    setDispatched((m) => {
      const n = new Map(m);
      for (const id of unitIds) n.set(id, String(incidentId));
      return n;
    });
  }, []);

  return { incidents, incidentById, incidentForAlarm, dispatchStates, dispatched, unitsDispatched };
}
