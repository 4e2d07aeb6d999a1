// The 12319 hotline: an operator writes down a citizen's call — name, phone, the place (a click on
// the wall's map while this tab is open), category and what they report — and the hub opens a
// hotline incident routed to its department. The answer shows the caller's phone masked.
import { useState } from 'react';
import { HOTLINE_CATEGORIES, type HotlineCategory } from '@hub/config';
import { useT, type MessageKey } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import './hotline.css';

interface Result {
  complaintId: number;
  incidentId: number;
  department: string | null;
  callerPhone: string;
}

export function HotlinePanel({ place }: { place: { lat: number; lon: number } | undefined }) {
  const t = useT();
  const [callerName, setCallerName] = useState('');
  const [callerPhone, setCallerPhone] = useState('');
  const [category, setCategory] = useState<HotlineCategory>('illegal_parking');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Result | null>(null);
  const ready = !!place && callerName.trim() && callerPhone.trim() && description.trim();

  const submit = async () => {
    if (!place) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<Result>('POST', '/api/hotline/complaints', { callerName, callerPhone, category, description, lat: place.lat, lon: place.lon });
      setDone(r);
      setCallerName('');
      setCallerPhone('');
      setDescription('');
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="panel hotline"
      data-testid="hotline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{t('hotline.title')}</h3>
      <label>
        {t('hotline.callerName')}
        <input value={callerName} maxLength={100} onChange={(e) => setCallerName(e.target.value)} data-testid="hotline-caller-name" />
      </label>
      <label>
        {t('hotline.callerPhone')}
        <input value={callerPhone} maxLength={30} inputMode="tel" onChange={(e) => setCallerPhone(e.target.value)} data-testid="hotline-caller-phone" />
      </label>
      <div className="hotline-place" data-testid="hotline-place" data-picked={place ? 'true' : 'false'}>
        <span>{t('hotline.place')}</span>
        <span className={place ? '' : 'muted'}>{place ? t('hotline.picked', { lat: place.lat.toFixed(5), lon: place.lon.toFixed(5) }) : t('hotline.pickHint')}</span>
      </div>
      <label>
        {t('hotline.category')}
        <select value={category} onChange={(e) => setCategory(e.target.value as HotlineCategory)} data-testid="hotline-category">
          {HOTLINE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`hotline.category.${c}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('hotline.description')}
        <textarea value={description} maxLength={2000} rows={3} onChange={(e) => setDescription(e.target.value)} data-testid="hotline-description" />
      </label>
      <button type="submit" disabled={busy || !ready} data-testid="hotline-submit">
        {t('hotline.submit')}
      </button>
      {error && (
        <p className="error" role="alert" data-testid="hotline-error">
          {error}
        </p>
      )}
      {done && (
        <p className="ok" role="status" data-testid="hotline-done" data-incident-id={done.incidentId}>
          {done.department
            ? t('hotline.sent', { incident: done.incidentId, phone: done.callerPhone, department: done.department })
            : t('hotline.sentNoDepartment', { incident: done.incidentId, phone: done.callerPhone })}
        </p>
      )}
    </form>
  );
}
