// The alarm panel: one row per unit and kind (its repeats counted), most urgent first; filter
// by kind and state; acknowledge a row's open alarms, or all shown, with one note. Clicking a
// row flies the map to its newest alarm and makes it the linkage target.
import { useState, type ReactElement } from 'react';
import type { Alarm, AlarmBulkAckResult, AlarmKind } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import { groupAlarms, type AlarmGroup } from './alarm-groups';

export const ALARM_KINDS: readonly AlarmKind[] = ['sos', 'escalation', 'device', 'offline', 'no_position', 'recording_stalled', 'geofence_enter', 'geofence_exit', 'overspeed', 'low_battery'];

/** What one request acknowledges at most (the route's limit). */
const ACK_BATCH = 500;

export interface AlarmPanelProps {
  alarms: Alarm[];
  fresh: ReadonlySet<number>;
  selectedAlarmId: number | null;
  canAcknowledge: boolean;
  sound: boolean;
  onToggleSound(): void;
  unitName(unitId: string): string;
  onSelect(alarm: Alarm): void;
  onAcknowledged(alarms: Alarm[]): void;
}

type StateFilter = 'open' | 'acknowledged' | 'all';

/** Acknowledges `alarms` with one note, in batches the route takes. */
async function acknowledgeAll(alarms: readonly Alarm[], note: string): Promise<Alarm[]> {
  const done: Alarm[] = [];
  for (let i = 0; i < alarms.length; i += ACK_BATCH) {
    const ids = alarms.slice(i, i + ACK_BATCH).map((a) => a.id);
    const result = await api<AlarmBulkAckResult>('POST', '/api/alarms/ack', note ? { ids, note } : { ids });
    done.push(...result.acknowledged);
  }
  return done;
}

export function AlarmPanel(props: AlarmPanelProps) {
  const t = useT();
  const [kind, setKind] = useState<AlarmKind | 'all'>('all');
  const [state, setState] = useState<StateFilter>('open');
  /** the group whose acknowledgement form is open, or '*' for all shown */
  const [acking, setAcking] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);

  const shown = props.alarms.filter((a) => (kind === 'all' || a.kind === kind) && (state === 'all' || (state === 'open' ? a.acknowledgedAt === null : a.acknowledgedAt !== null)));
  const groups = groupAlarms(shown);
  const openShown = shown.filter((a) => a.acknowledgedAt === null);
  const open = props.alarms.filter((a) => a.acknowledgedAt === null).length;

  const startAck = (key: string) => {
    setAcking(key);
    setNote('');
    setError(null);
  };
  const acknowledge = async (alarms: readonly Alarm[]) => {
    setError(null);
    try {
      props.onAcknowledged(await acknowledgeAll(alarms, note.trim()));
      setAcking(null);
      setNote('');
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  const ackForm = (alarms: readonly Alarm[]) => (
    <div className="alarm-ack-form" onClick={(e) => e.stopPropagation()}>
      <input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('alarms.notePlaceholder')} data-testid="ack-note" maxLength={1000} autoFocus />
      <button onClick={() => void acknowledge(alarms)} data-testid="ack-confirm">
        {alarms.length > 1 ? t('alarms.confirmN', { n: alarms.length }) : t('alarms.confirm')}
      </button>
      <button className="secondary" onClick={() => setAcking(null)}>
        {t('common.cancel')}
      </button>
    </div>
  );

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
        {props.canAcknowledge && openShown.length > 1 && acking !== '*' && (
          <button className="small secondary" onClick={() => startAck('*')} data-testid="ack-all-shown">
            {t('alarms.acknowledgeShown', { n: openShown.length })}
          </button>
        )}
      </div>
      {acking === '*' && ackForm(openShown)}
      {error && <p className="error">{error}</p>}
      <ul className="alarm-list">
        {groups.length === 0 && <li className="muted">{t('alarms.none')}</li>}
        {groups.map((g) => (
          <AlarmRow
            key={g.key}
            group={g}
            fresh={g.alarms.some((a) => props.fresh.has(a.id))}
            selected={g.alarms.some((a) => a.id === props.selectedAlarmId)}
            expanded={expanded === g.key}
            unitName={props.unitName(g.unitId)}
            onSelect={() => props.onSelect(g.alarms[0]!)}
            onExpand={() => setExpanded(expanded === g.key ? null : g.key)}
            ack={!props.canAcknowledge || g.open.length === 0 ? null : acking === g.key ? ackForm(g.open) : { start: () => startAck(g.key) }}
          />
        ))}
      </ul>
    </section>
  );
}

interface AlarmRowProps {
  group: AlarmGroup;
  fresh: boolean;
  selected: boolean;
  expanded: boolean;
  unitName: string;
  onSelect(): void;
  onExpand(): void;
  /** null: nothing to acknowledge (or not allowed); the open form; or the button's action */
  ack: null | ReactElement | { start(): void };
}

function AlarmRow({ group: g, fresh, selected, expanded, unitName, onSelect, onExpand, ack }: AlarmRowProps) {
  const t = useT();
  const locale = useLocale();
  const newest = g.alarms[0]!;
  const time = (iso: string) => new Date(iso).toLocaleTimeString(locale, { hour12: false });
  return (
    <li
      className={`alarm alarm-${g.kind}${g.open.length === 0 ? ' acked' : ''}${fresh ? ' fresh' : ''}${selected ? ' selected' : ''}`}
      data-testid="alarm"
      data-alarm-id={newest.id}
      data-kind={g.kind}
      data-occurrences={g.occurrences}
      onClick={onSelect}
    >
      <div className="alarm-line">
        <strong>{alarmTitle(newest, t)}</strong>
        <span>{unitName}</span>
        {g.occurrences > 1 && (
          <button
            className="alarm-count"
            title={t('alarms.repeatsTitle', { n: g.occurrences })}
            data-testid="alarm-count"
            onClick={(e) => {
              e.stopPropagation();
              onExpand();
            }}
          >
            ×{g.occurrences}
          </button>
        )}
        <time>{time(g.latestTs)}</time>
      </div>
      {expanded && (
        <ol className="alarm-occurrences" data-testid="alarm-occurrences">
          {g.alarms.map((a) => (
            <li key={a.id}>
              {time(a.ts)}
              {a.repeats > 0 && ` ${t('alarms.repeats', { n: a.repeats, last: time(a.lastRepeatAt ?? a.ts) })}`}
              {a.acknowledgedAt && ` · ${t('alarms.acknowledgedBy', { who: a.acknowledgedBy ?? '', note: a.note ?? '' })}`}
            </li>
          ))}
        </ol>
      )}
      {g.open.length === 0 ? (
        <div className="alarm-ack">{t('alarms.acknowledgedBy', { who: newest.acknowledgedBy ?? '', note: newest.note ?? '' })}</div>
      ) : ack && 'start' in ack ? (
        <button
          className="small"
          data-testid="ack"
          onClick={(e) => {
            e.stopPropagation();
            ack.start();
          }}
        >
          {g.open.length > 1 ? t('alarms.acknowledgeN', { n: g.open.length }) : t('alarms.acknowledge')}
        </button>
      ) : (
        ack
      )}
    </li>
  );
}

/** The alarm's name; a no-position alarm says for how long (a connected unit without a fix is not a disconnected one). */
function alarmTitle(a: Alarm, t: ReturnType<typeof useT>): string {
  const seconds = a.details.noPositionAfterSeconds;
  if (a.kind === 'no_position' && typeof seconds === 'number') return t('alarm.noPositionFor', { n: String(seconds) });
  // an escalation says why: a case past its department's deadline, or a notice ignored
  if (a.kind === 'escalation' && a.details.reason === 'overdue') return t('alarm.escalation.overdue', { department: String(a.details.department ?? '') });
  if (a.kind === 'escalation' && a.details.reason === 'notice_ignored') return t('alarm.escalation.noticeIgnored');
  return t(`alarm.kind.${a.kind}`);
}
