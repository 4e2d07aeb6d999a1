// The incidents a coordinator works on: open first, then the newest; filtered by state, type
// and district. The list comes from REST for the filter, and each incident event that arrives
// live replaces its row (or adds it, when it matches the filter).
import { useEffect, useMemo, useState } from 'react';
import { INCIDENT_STATES, OPEN_INCIDENT_STATES, type Incident, type IncidentState } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import { incidentStateText, incidentTypeText } from './incident-text';

export type StateFilter = 'open' | 'all' | IncidentState;

export interface IncidentFilter {
  state: StateFilter;
  type: string;
  district: string;
}

const ALL = '';
const LIMIT = 200;

function matches(i: Incident, f: IncidentFilter): boolean {
  const stateOk = f.state === 'all' || (f.state === 'open' ? OPEN_INCIDENT_STATES.includes(i.state) : i.state === f.state);
  return stateOk && (f.type === ALL || i.type === f.type) && (f.district === ALL || i.district === f.district);
}

/** Open ones first (the work still to do), then the newest. */
function order(a: Incident, b: Incident): number {
  const open = (i: Incident) => (OPEN_INCIDENT_STATES.includes(i.state) ? 0 : 1);
  return open(a) - open(b) || b.createdAt.localeCompare(a.createdAt) || b.id - a.id;
}

export interface IncidentListProps {
  /** incidents as the live feed last told them, by id */
  live: ReadonlyMap<number, Incident>;
  selectedId: number | null;
  onSelect(incident: Incident): void;
}

export function IncidentList({ live, selectedId, onSelect }: IncidentListProps) {
  const t = useT();
  const locale = useLocale();
  const [filter, setFilter] = useState<IncidentFilter>({ state: 'open', type: ALL, district: ALL });
  const [fetched, setFetched] = useState<Incident[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const q = new URLSearchParams({ limit: String(LIMIT) });
    if (filter.state !== 'all') q.set('state', filter.state);
    if (filter.type) q.set('type', filter.type);
    if (filter.district) q.set('district', filter.district);
    api<Incident[]>('GET', `/api/incidents?${q}`).then(
      (list) => {
        if (cancelled) return;
        setFetched(list);
        setError(null);
      },
      (err: unknown) => !cancelled && setError(errorText(t, err)),
    );
    return () => {
      cancelled = true;
    };
  }, [filter, t]);

  // the fetched rows, each as the live feed last told it, and live ones that now match
  const rows = useMemo(() => {
    const byId = new Map(fetched.map((i) => [i.id, i]));
    for (const i of live.values()) {
      const had = byId.get(i.id);
      if (!had || had.updatedAt <= i.updatedAt) byId.set(i.id, i);
    }
    return [...byId.values()].filter((i) => matches(i, filter)).sort(order);
  }, [fetched, live, filter]);

  // the choices: what the incidents known carry
  const known = [...fetched, ...live.values()];
  const types = [...new Set(known.map((i) => i.type))].sort();
  const districts = [...new Set(known.map((i) => i.district).filter((d): d is string => d !== null))].sort();
  const set = (patch: Partial<IncidentFilter>) => setFilter((f) => ({ ...f, ...patch }));

  return (
    <div className="incident-list" data-testid="incident-list">
      <div className="filters">
        <select value={filter.state} onChange={(e) => set({ state: e.target.value as StateFilter })} aria-label={t('incidents.filter.state')} data-testid="incident-state-filter">
          <option value="open">{t('incidents.filter.open')}</option>
          <option value="all">{t('incidents.filter.allStates')}</option>
          {INCIDENT_STATES.map((s) => (
            <option key={s} value={s}>
              {incidentStateText(t, s)}
            </option>
          ))}
        </select>
        <select value={filter.type} onChange={(e) => set({ type: e.target.value })} aria-label={t('incidents.filter.type')} data-testid="incident-type-filter">
          <option value={ALL}>{t('incidents.filter.allTypes')}</option>
          {types.map((type) => (
            <option key={type} value={type}>
              {incidentTypeText(t, type)}
            </option>
          ))}
        </select>
        <select value={filter.district} onChange={(e) => set({ district: e.target.value })} aria-label={t('incidents.filter.district')} data-testid="incident-district-filter">
          <option value={ALL}>{t('incidents.filter.allDistricts')}</option>
          {districts.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </div>
      {error && <p className="error">{error}</p>}
      <ul className="incidents">
        {rows.length === 0 && <li className="muted">{t('incidents.none')}</li>}
        {rows.map((i) => (
          <li
            key={i.id}
            className={`incident-row state-${i.state}${i.id === selectedId ? ' selected' : ''}`}
            data-testid="incident-row"
            data-incident-id={i.id}
            data-state={i.state}
            onClick={() => onSelect(i)}
          >
            <div className="incident-line">
              <strong>#{i.id}</strong>
              <span>{incidentTypeText(t, i.type)}</span>
              <span className={`badge state-${i.state}`}>{incidentStateText(t, i.state)}</span>
              <time>{new Date(i.createdAt).toLocaleTimeString(locale, { hour12: false })}</time>
            </div>
            <div className="muted">
              {[i.district, i.units.length ? t('incidents.units', { n: i.units.length }) : null, i.reportCount > 1 ? t('incidents.reports', { n: i.reportCount }) : null].filter(Boolean).join(' · ')}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
