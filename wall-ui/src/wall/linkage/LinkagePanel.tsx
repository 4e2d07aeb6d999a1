// Emergency linkage: for the selected alarm or a clicked point, the nearest available units
// (GET /api/units/nearest) with distance and estimated arrival; one click dispatches them
// (an incident is made first when there is none), and each unit's answer shows as it
// arrives on the live feed. Viewers see the list but no dispatch button (the hub refuses too).
import { useEffect, useState } from 'react';
import type { Alarm } from '@hub/config';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api, currentSession } from '../app/session';
import type { DispatchEvent, DispatchState, Incident, LinkageTarget, NearestUnit } from './types';

export const NEAREST_LIMIT = 5;

export interface LinkagePanelProps {
  target: LinkageTarget | null;
  alarm: Alarm | undefined;
  canDispatch: boolean;
  /** the latest state of each dispatched unit, from the live feed */
  dispatchStates: ReadonlyMap<string, DispatchEvent>;
  /** a nearest list pushed by a `linkage` event for this target */
  pushedNearest: NearestUnit[] | null;
  onNearest(units: NearestUnit[]): void;
  onDispatched(incidentId: number, unitIds: string[]): void;
  onClear(): void;
}

function formatEta(seconds: number): { m: number; s: number } {
  return { m: Math.floor(seconds / 60), s: Math.round(seconds % 60) };
}

export function LinkagePanel(props: LinkagePanelProps) {
  const t = useT();
  const { target } = props;
  const [nearest, setNearest] = useState<NearestUnit[] | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [incidentId, setIncidentId] = useState<number | null>(null);
  const [sentTo, setSentTo] = useState<string[]>([]);

  // a target picked again is asked for again; an incident id learned later changes nothing
  const targetKey = target ? `${target.seq}` : '';
  useEffect(() => {
    setIncidentId(target?.incidentId ?? null);
  }, [target?.incidentId]);

  useEffect(() => {
    setNearest(null);
    setError(null);
    setSentTo([]);
    if (!target) return;
    let cancelled = false;
    // one more than shown: the alarming unit itself is not a responder
    api<{ units: NearestUnit[] }>('GET', `/api/units/nearest?lat=${target.lat}&lon=${target.lon}&limit=${NEAREST_LIMIT + 1}`)
      .then((res) => {
        if (cancelled) return;
        const units = res.units.filter((u) => u.unitId !== target.unitId).slice(0, NEAREST_LIMIT);
        setNearest(units);
        setChosen(new Set(units.map((u) => u.unitId)));
        props.onNearest(units);
      })
      .catch((err: unknown) => !cancelled && setError(errorText(t, err)));
    return () => {
      cancelled = true;
    };
    // a new target asks again; the callbacks are not part of what is asked
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [targetKey]);

  useEffect(() => {
    if (props.pushedNearest) {
      setNearest(props.pushedNearest);
      setChosen(new Set(props.pushedNearest.map((u) => u.unitId)));
    }
  }, [props.pushedNearest]);

  if (!target) {
    return (
      <section className="panel linkage-panel" data-testid="linkage-panel">
        <header className="panel-head">
          <h2>{t('linkage.title')}</h2>
        </header>
        <p className="muted">{t('linkage.hint')}</p>
      </section>
    );
  }

  const dispatch = async () => {
    const unitIds = (nearest ?? []).map((u) => u.unitId).filter((id) => chosen.has(id));
    if (!unitIds.length) return;
    setBusy(true);
    setError(null);
    try {
      let id = incidentId;
      if (id === null) {
        const incident = await api<Incident>('POST', '/api/incidents', {
          type: props.alarm?.kind ?? 'manual',
          lat: target.lat,
          lon: target.lon,
          ...(target.alarmId !== undefined ? { alarmId: target.alarmId } : {}),
        });
        id = incident.id;
        setIncidentId(id);
      }
      await api('POST', `/api/incidents/${id}/dispatch`, { unitIds });
      setSentTo(unitIds);
      props.onDispatched(id, unitIds);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const stateOf = (unitId: string): DispatchState | null => {
    const ev = props.dispatchStates.get(unitId);
    if (ev && (incidentId === null || String(ev.incidentId) === String(incidentId))) return ev.state;
    return sentTo.includes(unitId) ? 'sent' : null;
  };

  return (
    <section className="panel linkage-panel" data-testid="linkage-panel">
      <header className="panel-head">
        <h2>{t('linkage.title')}</h2>
        <button className="icon" onClick={props.onClear} title={t('common.close')}>
          ×
        </button>
      </header>
      <p className="linkage-target">
        {props.alarm ? t('linkage.forAlarm', { kind: t(`alarm.kind.${props.alarm.kind}`), unit: props.alarm.unitId }) : t('linkage.forPoint')}{' '}
        <span className="muted">
          {target.lat.toFixed(5)}, {target.lon.toFixed(5)}
        </span>
      </p>
      {incidentId !== null && (
        <p className="muted">
          {t('linkage.incident', { id: String(incidentId) })}{' '}
          <a
            href="/replay"
            data-testid="linkage-replay"
            onClick={(e) => {
              e.preventDefault();
              window.open(`/replay#token=${encodeURIComponent(currentSession()?.token ?? '')}&incident=${incidentId}`, '_blank', 'noopener');
            }}
          >
            {t('linkage.replay')}
          </a>
        </p>
      )}
      {error && <p className="error">{error}</p>}
      {nearest === null && !error && <p className="muted">{t('common.loading')}</p>}
      {nearest?.length === 0 && <p className="muted">{t('linkage.noneAvailable')}</p>}
      <ol className="nearest" data-testid="nearest">
        {(nearest ?? []).map((u) => {
          const eta = formatEta(u.etaSeconds);
          const s = stateOf(u.unitId);
          return (
            <li key={u.unitId} data-testid="nearest-unit" data-unit-id={u.unitId} data-dispatch={s ?? ''}>
              {props.canDispatch && (
                <input
                  type="checkbox"
                  checked={chosen.has(u.unitId)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(u.unitId);
                    else next.delete(u.unitId);
                    setChosen(next);
                  }}
                  aria-label={t('linkage.choose', { unit: u.name })}
                />
              )}
              <span className="unit-name">{u.name}</span>
              <span className="unit-meta">{t(`unit.type.${u.type}`)}</span>
              <span className="distance">{u.distanceM >= 1000 ? t('linkage.km', { km: (u.distanceM / 1000).toFixed(1) }) : t('linkage.m', { m: Math.round(u.distanceM) })}</span>
              <span className="eta">{t('linkage.eta', eta)}</span>
              {s && (
                <span className={`dispatch-state ds-${s}`} data-testid="dispatch-state">
                  {t(`dispatch.state.${s}`)}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {props.canDispatch && nearest && nearest.length > 0 && (
        <button className="primary" disabled={busy || chosen.size === 0} onClick={() => void dispatch()} data-testid="dispatch">
          {t('linkage.dispatch', { n: chosen.size })}
        </button>
      )}
    </section>
  );
}
