// Emergency linkage: for the selected alarm or a clicked point, the nearest available units
// (GET /api/units/nearest, soonest arrival first) with distance and estimated arrival; the
// coordinator ticks the ones to send (none is ticked for them) and dispatches (an incident is
// made first when there is none). Each unit's state shows as it comes on the live feed:
// delivered (the device) → accepted / refused (the person) / no answer → en route → on scene;
// after a refusal or no answer the hub's offer of the next nearest unit shows with a button.
// An incident that is resolved or closed offers no dispatch. Viewers see the list but no
// dispatch button (the hub refuses too).
import { useEffect, useState } from 'react';
import type { Alarm } from '@hub/config';
import { useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api, openReplay } from '../app/session';
import type { DispatchEvent, DispatchOfferEvent, DispatchState, Incident, LinkageTarget, NearestUnit } from './types';

export const NEAREST_LIMIT = 5;

export interface LinkagePanelProps {
  target: LinkageTarget | null;
  alarm: Alarm | undefined;
  canDispatch: boolean;
  /** the latest state of each dispatched unit, from the live feed */
  dispatchStates: ReadonlyMap<string, DispatchEvent>;
  /** the target's incident as the live feed knows it (its state and its units' states) */
  incident: Incident | undefined;
  /** the hub's offers of a next unit for the target's incident, newest first */
  offers: readonly DispatchOfferEvent[];
  onDismissOffer(offer: DispatchOfferEvent): void;
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
        setChosen(new Set()); // the coordinator picks: nothing is sent that nobody chose
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
      setChosen(new Set());
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

  const ended = props.incident && (props.incident.state === 'resolved' || props.incident.state === 'closed') ? props.incident.state : null;
  const mayDispatch = props.canDispatch && !ended;

  /** true when the hub took the dispatch */
  const dispatch = async (unitIds: string[]): Promise<boolean> => {
    if (!unitIds.length) return false;
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
      setSentTo((before) => [...new Set([...before, ...unitIds])]);
      setChosen(new Set());
      props.onDispatched(id, unitIds);
      return true;
    } catch (err) {
      setError(errorText(t, err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  /** the unit's latest state in this incident: the live event, else the incident as last announced */
  const stateOf = (unitId: string): { state: DispatchState; reason?: string } | null => {
    const ev = props.dispatchStates.get(unitId);
    if (ev && (incidentId === null || String(ev.incidentId) === String(incidentId))) return { state: ev.state, reason: ev.reason };
    const u = props.incident?.units.find((x) => x.unitId === unitId);
    if (u) return { state: u.state, reason: u.message ?? undefined };
    return sentTo.includes(unitId) ? { state: 'sent' } : null;
  };
  // a unit this panel sent stays in the list even when a newer list no longer has it
  const listed = nearest ?? [];

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
              openReplay(incidentId);
            }}
          >
            {t('linkage.replay')}
          </a>
        </p>
      )}
      {error && <p className="error">{error}</p>}
      {nearest === null && !error && <p className="muted">{t('common.loading')}</p>}
      {ended && (
        <p className="notice" data-testid="linkage-ended">
          {t('linkage.incidentEnded', { state: t(`linkage.incidentState.${ended}`) })}
        </p>
      )}
      {!ended &&
        props.offers.map((o) => (
          <OfferNotice
            key={`${o.incidentId}-${o.unitId}-${o.ts}`}
            offer={o}
            canDispatch={mayDispatch}
            busy={busy}
            onDispatch={(id) => void dispatch([id]).then((ok) => ok && props.onDismissOffer(o))}
            onDismiss={() => props.onDismissOffer(o)}
          />
        ))}
      {nearest?.length === 0 && <p className="muted">{t('linkage.noneAvailable')}</p>}
      {mayDispatch && listed.length > 0 && chosen.size === 0 && <p className="muted">{t('linkage.pickHint')}</p>}
      <ol className="nearest" data-testid="nearest">
        {listed.map((u) => {
          const eta = formatEta(u.etaSeconds);
          const st = stateOf(u.unitId);
          const s = st?.state;
          return (
            <li key={u.unitId} data-testid="nearest-unit" data-unit-id={u.unitId} data-dispatch={s ?? ''}>
              {mayDispatch && (
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
                <span className={`dispatch-state ds-${s}`} data-testid="dispatch-state" title={st?.reason ? t('dispatch.refusedBecause', { reason: st.reason }) : undefined}>
                  {t(`dispatch.state.${s}`)}
                </span>
              )}
              {s === 'refused' && st?.reason && (
                <span className="dispatch-reason" data-testid="dispatch-reason">
                  {st.reason}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {mayDispatch && listed.length > 0 && (
        <button className="primary" disabled={busy || chosen.size === 0} onClick={() => void dispatch(listed.map((u) => u.unitId).filter((id) => chosen.has(id)))} data-testid="dispatch">
          {t('linkage.dispatch', { n: chosen.size })}
        </button>
      )}
    </section>
  );
}

/** "Unit X did not answer. Next nearest: Y, ETA …" with a button that sends Y (the coordinator decides). */
function OfferNotice({ offer, canDispatch, busy, onDispatch, onDismiss }: { offer: DispatchOfferEvent; canDispatch: boolean; busy: boolean; onDispatch(unitId: string): void; onDismiss(): void }) {
  const t = useT();
  const next = offer.next;
  const text = next
    ? t(`linkage.offer.${offer.reason}`, { unit: offer.unitId, next: next.name, ...formatEta(next.etaSeconds) })
    : t('linkage.offer.noneLeft', { unit: offer.unitId, why: t(offer.reason === 'refused' ? 'linkage.offer.whyRefused' : 'linkage.offer.whyTimedOut') });
  return (
    <div className="offer" role="status" data-testid="dispatch-offer" data-unit-id={offer.unitId} data-next={next?.unitId ?? ''}>
      <p>{text}</p>
      <div className="offer-actions">
        {canDispatch && next && (
          <button className="primary" disabled={busy} onClick={() => onDispatch(next.unitId)} data-testid="offer-dispatch">
            {t('linkage.offer.dispatch', { unit: next.name })}
          </button>
        )}
        <button className="secondary" onClick={onDismiss}>
          {t('linkage.offer.dismiss')}
        </button>
      </div>
    </div>
  );
}
