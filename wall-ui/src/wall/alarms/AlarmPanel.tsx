// The alarm panel: live list, filter by kind and state, acknowledge with a note; clicking an
// alarm flies the map to it and makes it the linkage target.
import { useState } from 'react';
import type { Alarm, AlarmKind } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';

export const ALARM_KINDS: readonly AlarmKind[] = ['sos', 'device', 'geofence_enter', 'geofence_exit', 'overspeed', 'offline', 'no_position', 'low_battery', 'escalation'];

export interface AlarmPanelProps {
  alarms: Alarm[];
  fresh: ReadonlySet<number>;
  selectedAlarmId: number | null;
  canAcknowledge: boolean;
  sound: boolean;
  onToggleSound(): void;
  unitName(unitId: string): string;
  onSelect(alarm: Alarm): void;
  onAcknowledged(alarm: Alarm): void;
}

type StateFilter = 'open' | 'acknowledged' | 'all';

export function AlarmPanel(props: AlarmPanelProps) {
  const t = useT();
  const locale = useLocale();
  const [kind, setKind] = useState<AlarmKind | 'all'>('all');
  const [state, setState] = useState<StateFilter>('open');
  const [acking, setAcking] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);

  const shown = props.alarms.filter((a) => (kind === 'all' || a.kind === kind) && (state === 'all' || (state === 'open' ? a.acknowledgedAt === null : a.acknowledgedAt !== null)));
  const open = props.alarms.filter((a) => a.acknowledgedAt === null).length;

  const acknowledge = async (a: Alarm) => {
    setError(null);
    try {
      const done = await api<Alarm>('POST', `/api/alarms/${a.id}/ack`, note.trim() ? { note: note.trim() } : {});
      props.onAcknowledged(done);
      setAcking(null);
      setNote('');
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <section className={`panel alarm-panel${props.fresh.size ? ' flash' : ''}`} data-testid="alarm-panel">
      <header className="panel-head">
        <h2>{t('alarms.title', { n: open })}</h2>
        <button className="icon" onClick={props.onToggleSound} title={props.sound ? t('alarms.mute') : t('alarms.unmute')} data-testid="alarm-sound">
          {props.sound ? t('alarms.soundOn') : t('alarms.soundOff')}
        </button>
      </header>
      <div className="filters">
        <select value={kind} onChange={(e) => setKind(e.target.value as AlarmKind | 'all')} aria-label={t('alarms.filter.kind')} data-testid="alarm-kind">
          <option value="all">{t('alarms.filter.allKinds')}</option>
          {ALARM_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`alarm.kind.${k}`)}
            </option>
          ))}
        </select>
        <select value={state} onChange={(e) => setState(e.target.value as StateFilter)} aria-label={t('alarms.filter.state')} data-testid="alarm-state">
          <option value="open">{t('alarms.filter.open')}</option>
          <option value="acknowledged">{t('alarms.filter.acknowledged')}</option>
          <option value="all">{t('alarms.filter.all')}</option>
        </select>
      </div>
      {error && <p className="error">{error}</p>}
      <ul className="alarm-list">
        {shown.length === 0 && <li className="muted">{t('alarms.none')}</li>}
        {shown.map((a) => (
          <li
            key={a.id}
            className={`alarm alarm-${a.kind}${a.acknowledgedAt ? ' acked' : ''}${props.fresh.has(a.id) ? ' fresh' : ''}${props.selectedAlarmId === a.id ? ' selected' : ''}`}
            data-testid="alarm"
            data-alarm-id={a.id}
            data-kind={a.kind}
            onClick={() => props.onSelect(a)}
          >
            <div className="alarm-line">
              <strong>{alarmTitle(a, t)}</strong>
              <span>{props.unitName(a.unitId)}</span>
              <time>{new Date(a.ts).toLocaleTimeString(locale, { hour12: false })}</time>
            </div>
            {a.acknowledgedAt ? (
              <div className="alarm-ack">{t('alarms.acknowledgedBy', { who: a.acknowledgedBy ?? '', note: a.note ?? '' })}</div>
            ) : props.canAcknowledge ? (
              acking === a.id ? (
                <div className="alarm-ack-form" onClick={(e) => e.stopPropagation()}>
                  <input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('alarms.notePlaceholder')} data-testid="ack-note" maxLength={1000} autoFocus />
                  <button onClick={() => void acknowledge(a)} data-testid="ack-confirm">
                    {t('alarms.confirm')}
                  </button>
                  <button className="secondary" onClick={() => setAcking(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              ) : (
                <button
                  className="small"
                  data-testid="ack"
                  onClick={(e) => {
                    e.stopPropagation();
                    setAcking(a.id);
                    setNote('');
                  }}
                >
                  {t('alarms.acknowledge')}
                </button>
              )
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The alarm's name; a no-position alarm says for how long (a connected unit without a fix is not a disconnected one). */
function alarmTitle(a: Alarm, t: ReturnType<typeof useT>): string {
  const seconds = a.details.noPositionAfterSeconds;
  if (a.kind === 'no_position' && typeof seconds === 'number') return t('alarm.noPositionFor', { n: String(seconds) });
  return t(`alarm.kind.${a.kind}`);
}
