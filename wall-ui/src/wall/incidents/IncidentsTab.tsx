// The incidents tab: the list, and one incident's panel when a row is picked.
import { useEffect, useState } from 'react';
import type { Incident } from '@hub/config';
import { IncidentList } from './IncidentList';
import { IncidentPanel } from './IncidentPanel';
import './incidents.css';

export interface IncidentsTabProps {
  /** incidents as the live feed last told them, by id */
  live: ReadonlyMap<number, Incident>;
  canAct: boolean;
  /** an admin: may close a case without its scene photo */
  canOverride?: boolean;
  /** an incident picked elsewhere (a marker on the map): opened whenever its key changes */
  picked?: { id: number; key: number };
  onShowOnMap(incident: Incident): void;
}

export function IncidentsTab({ live, canAct, canOverride, picked, onShowOnMap }: IncidentsTabProps) {
  const [selected, setSelected] = useState<number | null>(picked?.id ?? null);
  useEffect(() => {
    if (picked) setSelected(picked.id);
  }, [picked]);
  return (
    <section className="panel incidents-tab" data-testid="incidents-tab">
      {selected === null ? (
        <IncidentList
          live={live}
          selectedId={selected}
          onSelect={(i) => {
            setSelected(i.id);
            onShowOnMap(i);
          }}
        />
      ) : (
        <IncidentPanel id={selected} live={live.get(selected)} canAct={canAct} canOverride={canOverride} onBack={() => setSelected(null)} onShowOnMap={onShowOnMap} />
      )}
    </section>
  );
}
