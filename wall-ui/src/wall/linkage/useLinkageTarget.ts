// Owns what the linkage panel works for: the target (an alarm picked, a point clicked on the
// map, or the place of a linkage event pushed by the hub), the nearest units a linkage event
// brought, the units highlighted on the map, and which side tab shows (linkage, incidents, replay or the 12319 hotline).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Alarm } from '@hub/config';
import type { UnitStore } from '../live/unit-store';
import type { LinkageTarget, NearestUnit } from './types';

export type SideTab = 'linkage' | 'incidents' | 'replay' | 'hotline';

export interface LinkageTargetDeps {
  /** puts these units' cameras on tiles */
  openOnTiles(unitIds: string[]): void;
}

export interface LinkageTargetState {
  target: LinkageTarget | null;
  /** the nearest units a linkage event pushed; null when the panel asks for them itself */
  pushedNearest: NearestUnit[] | null;
  /** units ringed on the map */
  highlight: string[];
  tab: SideTab;
  setTab(tab: SideTab): void;
  /** an operator picked an alarm (at this place, with its incident if one was made) */
  targetAlarm(alarm: Alarm, lat: number, lon: number, incidentId: number | undefined): void;
  /** an operator clicked the map here */
  targetPoint(lat: number, lon: number): void;
  /** the panel found these units nearest */
  showNearest(units: readonly NearestUnit[]): void;
  /** an incident was made for the target */
  incidentMade(incidentId: number): void;
  clear(): void;
}

export function useLinkageTarget(store: UnitStore, { openOnTiles }: LinkageTargetDeps): LinkageTargetState {
  const [target, setTarget] = useState<LinkageTarget | null>(null);
  const [pushedNearest, setPushedNearest] = useState<NearestUnit[] | null>(null);
  const [highlight, setHighlight] = useState<string[]>([]);
  const [tab, setTab] = useState<SideTab>('linkage');
  /** a new number each time the target is picked: the panel asks for its nearest units again */
  const targetSeq = useRef(0);

  // linkage events: the hub's rules picked a place, its nearest units and cameras to open
  useEffect(
    () =>
      store.on('linkage', (ev) => {
        // the event carries its place: the alarm or incident may not have reached the wall yet
        setTarget({ lat: ev.lat, lon: ev.lon, alarmId: ev.alarmId, unitId: ev.unitId, incidentId: ev.incidentId, seq: ++targetSeq.current });
        setTab('linkage');
        setPushedNearest(ev.nearest);
        setHighlight(ev.nearest.map((u) => u.unitId));
        openOnTiles(ev.openCameras);
      }),
    [store, openOnTiles],
  );

  const targetAlarm = useCallback((a: Alarm, lat: number, lon: number, incidentId: number | undefined) => {
    setTarget({ lat, lon, alarmId: a.id, unitId: a.unitId, incidentId, seq: ++targetSeq.current });
    setPushedNearest(null);
    setTab('linkage');
  }, []);

  const targetPoint = useCallback((lat: number, lon: number) => {
    setTarget({ lat, lon, seq: ++targetSeq.current });
    setPushedNearest(null);
    setTab('linkage');
  }, []);

  const showNearest = useCallback((units: readonly NearestUnit[]) => setHighlight(units.map((u) => u.unitId)), []);

  const incidentMade = useCallback((incidentId: number) => setTarget((tg) => (tg ? { ...tg, incidentId } : tg)), []);

  const clear = useCallback(() => {
    setTarget(null);
    setHighlight([]);
    setPushedNearest(null);
  }, []);

  return { target, pushedNearest, highlight, tab, setTab, targetAlarm, targetPoint, showNearest, incidentMade, clear };
}
