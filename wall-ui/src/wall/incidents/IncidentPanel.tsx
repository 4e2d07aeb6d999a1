// One incident as a coordinator works it: where and what, its units, its timeline in words,
// notes, the state changes a person decides (resolve, close, reopen with a reason; an admin's
// close without the scene photo, with a reason, once the hub asked for the photo), and its
// evidence (recordings, the replay page, the evidence pack). Reloaded whenever the live feed
// says the incident changed.
import { useCallback, useEffect, useState } from 'react';
import { CLOSE_OVERRIDE_REASON_MIN, type Incident, type IncidentDetail, type IncidentState, type Recording } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api, download, openReplay } from '../app/session';
import { incidentEventText, incidentStateText, incidentTypeText } from './incident-text';
import { CaseDepartment, ScenePhotos } from './CaseDepartment';

export interface IncidentPanelProps {
  id: number;
  /** the incident as the live feed last told it: a newer updatedAt reloads the panel */
  live: Incident | undefined;
  canAct: boolean;
  /** an admin: may close a case without its scene photo, with a reason */
  canOverride?: boolean;
  onBack(): void;
  onShowOnMap(incident: Incident): void;
}

const OPEN: readonly IncidentState[] = ['reported', 'dispatched', 'en_route', 'on_scene'];

export function IncidentPanel({ id, live, canAct, canOverride = false, onBack, onShowOnMap }: IncidentPanelProps) {
  const t = useT();
  const locale = useLocale();
  const [detail, setDetail] = useState<IncidentDetail | null>(null);
  const [recordings, setRecordings] = useState<Recording[]>([]);
  const [note, setNote] = useState('');
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** the hub refused the close for want of a scene photo: an admin is offered the override */
  const [photoMissing, setPhotoMissing] = useState(false);
  const [overrideReason, setOverrideReason] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const [d, r] = await Promise.all([api<IncidentDetail>('GET', `/api/incidents/${id}`), api<Recording[]>('GET', `/api/recordings?incidentId=${id}`)]);
    setDetail(d);
    setRecordings(r);
  }, [id]);

  useEffect(() => {
    load().catch((err: unknown) => setError(errorText(t, err)));
  }, [load, live?.updatedAt, t]);

  /** Runs an operator's action, shows its refusal in words, and reloads. */
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await load();
    } catch (err) {
      setError(errorText(t, err));
      setPhotoMissing((err as { code?: unknown } | null)?.code === 'HUB_ERR_EVIDENCE_REQUIRED');
    } finally {
      setBusy(false);
    }
  };
  const moveTo = (to: IncidentState) => act(() => api('POST', `/api/incidents/${id}/transition`, { to }));
  const reopen = () =>
    act(async () => {
      await api('POST', `/api/incidents/${id}/reopen`, { reason: reason.trim() });
      setReopening(false);
      setReason('');
    });
  const closeByOverride = () =>
    act(async () => {
      await api('POST', `/api/incidents/${id}/close-override`, { reason: overrideReason.trim() });
      setPhotoMissing(false);
      setOverrideReason('');
    });
  const addNote = () =>
    act(async () => {
      await api('POST', `/api/incidents/${id}/notes`, { text: note.trim() });
      setNote('');
    });

  const time = (iso: string) => new Date(iso).toLocaleString(locale, { hour12: false });
  if (!detail) {
    return (
      <div className="incident-panel" data-testid="incident-panel">
        <button className="secondary small" onClick={onBack}>
          {t('incident.back')}
        </button>
        {error ? <p className="error">{error}</p> : <p className="muted">{t('incident.loading')}</p>}
      </div>
    );
  }
  const isOpen = OPEN.includes(detail.state);
  return (
    <div className="incident-panel" data-testid="incident-panel" data-incident-id={detail.id} data-state={detail.state}>
      <div className="incident-head">
        <button className="secondary small" onClick={onBack} data-testid="incident-back">
          {t('incident.back')}
        </button>
        <h3>{t('incident.title', { id: detail.id, type: incidentTypeText(t, detail.type) })}</h3>
        <span className={`badge state-${detail.state}`} data-testid="incident-state">
          {incidentStateText(t, detail.state)}
        </span>
      </div>
      <p className="muted">
        {t('incident.opened', { time: time(detail.createdAt), who: detail.createdBy })}
        {detail.district && ` · ${detail.district}`}{' '}
        <a
          href="#map"
          onClick={(e) => {
            e.preventDefault();
            onShowOnMap(detail);
          }}
        >
          {detail.lat.toFixed(5)}, {detail.lon.toFixed(5)}
        </a>
      </p>
      <CaseDepartment incidentId={detail.id} version={detail.updatedAt} canTransfer={canAct && isOpen} onChanged={() => void load().catch(() => undefined)} />
      {detail.note && <p>{detail.note}</p>}
      {error && <p className="error">{error}</p>}

      {canAct && (
        <div className="incident-actions">
          {isOpen && (
            <button onClick={() => void moveTo('resolved')} disabled={busy} data-testid="incident-resolve">
              {t('incident.resolve')}
            </button>
          )}
          {detail.state === 'resolved' && (
            <button onClick={() => void moveTo('closed')} disabled={busy} data-testid="incident-close">
              {t('incident.close')}
            </button>
          )}
          {isOpen && photoMissing && canOverride && (
            <div className="incident-form" data-testid="incident-override">
              <input
                value={overrideReason}
                onChange={(e) => setOverrideReason(e.target.value)}
                placeholder={t('incident.overrideReason', { n: CLOSE_OVERRIDE_REASON_MIN })}
                maxLength={1000}
                data-testid="incident-override-reason"
              />
              <button onClick={() => void closeByOverride()} disabled={busy || overrideReason.trim().length < CLOSE_OVERRIDE_REASON_MIN} data-testid="incident-override-confirm">
                {t('incident.override')}
              </button>
            </div>
          )}
          {!isOpen && !reopening && (
            <button className="secondary" onClick={() => setReopening(true)} data-testid="incident-reopen">
              {t('incident.reopen')}
            </button>
          )}
          {reopening && (
            <div className="incident-form">
              <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('incident.reopenReason')} maxLength={1000} data-testid="incident-reopen-reason" autoFocus />
              <button onClick={() => void reopen()} disabled={busy || !reason.trim()} data-testid="incident-reopen-confirm">
                {t('incident.reopen')}
              </button>
              <button className="secondary" onClick={() => setReopening(false)}>
                {t('common.cancel')}
              </button>
            </div>
          )}
        </div>
      )}

      {detail.units.length > 0 && (
        <>
          <h4>{t('incident.units')}</h4>
          <ul className="incident-units">
            {detail.units.map((u) => (
              <li key={u.unitId} data-testid="incident-unit" data-unit-id={u.unitId} data-state={u.state}>
                {u.unitId} · {t(`dispatch.state.${u.state}` as Parameters<typeof t>[0])}
              </li>
            ))}
          </ul>
        </>
      )}

      <h4>{t('incident.evidence')}</h4>
      <ul className="incident-evidence" data-testid="incident-recordings">
        {recordings.length === 0 && <li className="muted">{t('incident.noRecordings')}</li>}
        {recordings.map((r) => (
          <li key={r.id} data-testid="incident-recording">
            {t('incident.recording', { unit: r.unitId, s: Math.round(r.durationMs / 1000), n: r.segments })}
            {r.state === 'recording' && ` · ${t('incident.recordingNow')}`}
          </li>
        ))}
      </ul>
      <ScenePhotos incidentId={detail.id} version={detail.updatedAt} />
      <div className="incident-actions">
        <button className="secondary small" onClick={() => openReplay(detail.id)} data-testid="incident-replay">
          {t('incident.replay')}
        </button>
        <button className="secondary small" onClick={() => void act(() => download(`/api/incidents/${detail.id}/evidence`, `incident-${detail.id}-evidence.tar`))} data-testid="incident-evidence-pack">
          {t('incident.evidencePack')}
        </button>
      </div>

      <h4>{t('incident.timeline')}</h4>
      <ol className="incident-timeline" data-testid="incident-timeline">
        {detail.timeline.map((e) => (
          <li key={e.id} data-kind={e.kind}>
            <time>{new Date(e.ts).toLocaleTimeString(locale, { hour12: false })}</time> {incidentEventText(t, e)} <span className="muted">({e.actor})</span>
          </li>
        ))}
      </ol>
      {canAct && (
        <div className="incident-form">
          <input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('incident.notePlaceholder')} maxLength={2000} data-testid="incident-note" />
          <button onClick={() => void addNote()} disabled={busy || !note.trim()} data-testid="incident-note-add">
            {t('incident.addNote')}
          </button>
        </div>
      )}
    </div>
  );
}
