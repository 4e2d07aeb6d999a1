// The unit list: search by id or name, filter by type, online and duty; drag a unit onto a
// tile, or open its camera on the first free tile. Redraws at most twice a second however
// often the store changes, and lists at most LIST_LIMIT units (a city has thousands).
import { useEffect, useMemo, useReducer, useState } from 'react';
import type { UnitStore } from '../live/unit-store';
import type { UnitView } from '../live/types';
import { useT } from '../i18n';
import { viewAssignedIncident, viewOnline, viewPosition } from '../app/unit-view';
import { UNIT_DRAG_TYPE } from '../tiles/Tile';

const LIST_LIMIT = 200;
const REDRAW_MS = 500;

export interface UnitListProps {
  store: UnitStore;
  selectedUnitId: string | null;
  /** units dispatched from this wall, until the store says otherwise */
  dispatched: ReadonlyMap<string, string>;
  onSelect(unitId: string): void;
  onOpenCamera(unitId: string): void;
}

type TypeFilter = 'all' | 'vehicle' | 'bodycam';
type OnlineFilter = 'all' | 'online' | 'offline';
type DutyFilter = 'all' | 'assigned' | 'available';

export function UnitList({ store, selectedUnitId, dispatched, onSelect, onOpenCamera }: UnitListProps) {
  const t = useT();
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const [search, setSearch] = useState('');
  const [type, setType] = useState<TypeFilter>('all');
  const [online, setOnline] = useState<OnlineFilter>('all');
  const [duty, setDuty] = useState<DutyFilter>('all');

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = store.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        bump();
      }, REDRAW_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [store]);

  const assigned = (u: UnitView) => viewAssignedIncident(u) ?? dispatched.get(u.id) ?? null;
  const matches = useMemo(() => {
    const q = search.trim().toLowerCase();
    const out: UnitView[] = [];
    for (const u of store.units.values()) {
      if (type !== 'all' && u.type !== type) continue;
      if (online !== 'all' && viewOnline(u) !== (online === 'online')) continue;
      if (duty !== 'all' && (assigned(u) !== null) !== (duty === 'assigned')) continue;
      if (q && !u.id.toLowerCase().includes(q) && !u.name.toLowerCase().includes(q)) continue;
      out.push(u);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    // version: the store's units changed in place
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, version, search, type, online, duty, dispatched]);

  return (
    <section className="panel unit-list" data-testid="unit-list">
      <header className="panel-head">
        <h2>{t('units.title', { n: store.units.size })}</h2>
      </header>
      <div className="filters">
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder={t('units.search')} data-testid="unit-search" />
        <select value={type} onChange={(e) => setType(e.target.value as TypeFilter)} aria-label={t('units.filter.type')} data-testid="unit-type">
          <option value="all">{t('units.filter.allTypes')}</option>
          <option value="vehicle">{t('unit.type.vehicle')}</option>
          <option value="bodycam">{t('unit.type.bodycam')}</option>
        </select>
        <select value={online} onChange={(e) => setOnline(e.target.value as OnlineFilter)} aria-label={t('units.filter.online')} data-testid="unit-online">
          <option value="all">{t('units.filter.anyLink')}</option>
          <option value="online">{t('unit.online')}</option>
          <option value="offline">{t('unit.offline')}</option>
        </select>
        <select value={duty} onChange={(e) => setDuty(e.target.value as DutyFilter)} aria-label={t('units.filter.duty')} data-testid="unit-duty">
          <option value="all">{t('units.filter.anyDuty')}</option>
          <option value="assigned">{t('unit.assigned')}</option>
          <option value="available">{t('unit.available')}</option>
        </select>
      </div>
      <ul className="units">
        {matches.length === 0 && <li className="muted">{t('units.none')}</li>}
        {matches.slice(0, LIST_LIMIT).map((u) => {
          const p = viewPosition(u);
          const on = viewOnline(u);
          const inc = assigned(u);
          return (
            <li
              key={u.id}
              className={`unit${u.id === selectedUnitId ? ' selected' : ''}${on ? ' online' : ' offline'}`}
              data-testid="unit"
              data-unit-id={u.id}
              data-online={on}
              data-ts={p?.ts ?? ''}
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(UNIT_DRAG_TYPE, u.id);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => onSelect(u.id)}
            >
              <span className={`dot ${on ? 'on' : 'off'}`} title={on ? t('unit.online') : t('unit.offline')} />
              <span className="unit-name">{u.name}</span>
              <span className="unit-meta">
                {t(`unit.type.${u.type}`)}
                {p?.speed != null && ` · ${t('unit.speed', { kmh: Math.round(p.speed * 3.6) })}`}
                {inc !== null && ` · ${t('unit.assigned')}`}
              </span>
              <button
                className="small"
                title={t('units.openCamera')}
                data-testid="open-camera"
                onClick={(e) => {
                  e.stopPropagation();
                  onOpenCamera(u.id);
                }}
              >
                {t('units.camera')}
              </button>
            </li>
          );
        })}
        {matches.length > LIST_LIMIT && <li className="muted">{t('units.more', { n: matches.length - LIST_LIMIT })}</li>}
      </ul>
    </section>
  );
}
