// Admin: the audit log, newest first, narrowed by who (actor), what (action) and when.
import { useEffect, useState } from 'react';
import type { AuditEntry } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import './admin.css';

/** Actions the hub writes (identity, telemetry, media, incidents), offered as suggestions; any other can be typed. */
const KNOWN_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'operator_created',
  'operator_changed',
  'unit_created',
  'unit_changed',
  'unit_disabled',
  'unit_credential_issued',
  'unit_credential_rotated',
  'video_view',
  'video_publish',
  'recording_start',
  'recording_stop',
  'incident_created',
  'incident_transition',
  'dispatch',
];

/** datetime-local (local time) → ISO, or undefined when empty */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditPage() {
  const t = useT();
  const locale = useLocale();
  const [filter, setFilter] = useState({ actor: '', action: '', since: '', until: '' });
  const [rows, setRows] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    setError(null);
    const q = new URLSearchParams({ limit: '500' });
    if (filter.actor.trim()) q.set('actor', filter.actor.trim());
    if (filter.action.trim()) q.set('action', filter.action.trim());
    const since = iso(filter.since);
    const until = iso(filter.until);
    if (since) q.set('since', since);
    if (until) q.set('until', until);
    try {
      setRows(await api<AuditEntry[]>('GET', `/api/audit?${q}`));
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  useEffect(() => {
    void load();
    // first load with no filter; then on "Apply"
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <main className="admin-page" data-testid="audit-page">
      <h2>{t('admin.audit.title')}</h2>
      <form
        className="admin-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <input value={filter.actor} onChange={(e) => setFilter({ ...filter, actor: e.target.value })} placeholder={t('admin.audit.actor')} data-testid="audit-actor" />
        <input list="audit-actions" value={filter.action} onChange={(e) => setFilter({ ...filter, action: e.target.value })} placeholder={t('admin.audit.action')} data-testid="audit-action" />
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <label>
          {t('admin.audit.since')}
          <input type="datetime-local" value={filter.since} onChange={(e) => setFilter({ ...filter, since: e.target.value })} data-testid="audit-since" />
        </label>
        <label>
          {t('admin.audit.until')}
          <input type="datetime-local" value={filter.until} onChange={(e) => setFilter({ ...filter, until: e.target.value })} data-testid="audit-until" />
        </label>
        <button className="primary" type="submit" data-testid="audit-apply">
          {t('admin.audit.apply')}
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      <table className="admin-table">
        <thead>
          <tr>
            <th>{t('admin.audit.time')}</th>
            <th>{t('admin.audit.actor')}</th>
            <th>{t('admin.audit.action')}</th>
            <th>{t('admin.audit.target')}</th>
            <th>{t('admin.audit.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((r) => (
            <tr key={r.id} data-testid="audit-row" data-action={r.action}>
              <td className="mono">{new Date(r.ts).toLocaleString(locale, { hour12: false })}</td>
              <td>{r.actor}</td>
              <td className="mono">{r.action}</td>
              <td className="mono">{r.target ?? ''}</td>
              <td className="mono detail">{Object.keys(r.detail).length ? JSON.stringify(r.detail) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows?.length === 0 && <p className="muted">{t('admin.audit.none')}</p>}
    </main>
  );
}
