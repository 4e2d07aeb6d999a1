// A case's department and deadline (departments/), its transfer with a reason, and the photos from the scene that verification
// needs before an enforcement case closes, each with its SHA-256. Both reload when the incident does.
import { useEffect, useState } from 'react';
import type { Department, DepartmentCase, EvidencePhoto } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api, photoUrl } from '../app/session';

/** The case's department and deadline; a coordinator may transfer an open case, with a reason. */
export function CaseDepartment({ incidentId, version, canTransfer, onChanged }: { incidentId: number; version: string | undefined; canTransfer: boolean; onChanged(): void }) {
  const t = useT();
  const locale = useLocale();
  const [c, setCase] = useState<DepartmentCase | null>(null);
  const [departments, setDepartments] = useState<Department[] | null>(null);
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<DepartmentCase | null>('GET', `/api/incidents/${incidentId}/department`).then(setCase, () => setCase(null));
  }, [incidentId, version]);
  const transfer = async () => {
    setError(null);
    try {
      setCase(await api<DepartmentCase>('POST', `/api/incidents/${incidentId}/transfer`, { departmentId: Number(to), reason: reason.trim() }));
      setDepartments(null);
      setReason('');
      onChanged();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <div className="incident-department">
      {c && (
        <p className="muted" data-testid="incident-department" data-department-id={c.departmentId} data-overdue={c.overdueAt ? 'true' : 'false'}>
          {t('incident.department', { name: c.departmentName, time: new Date(c.dueAt).toLocaleString(locale, { hour12: false }) })}
          {c.overdueAt && <span className="badge state-overdue"> {t('incident.overdue')}</span>}
        </p>
      )}
      {canTransfer && c && !departments && (
        <button
          className="secondary small"
          onClick={() => void api<Department[]>('GET', '/api/departments').then(setDepartments, (err: unknown) => setError(errorText(t, err)))}
          data-testid="incident-transfer"
        >
          {t('incident.transfer')}
        </button>
      )}
      {canTransfer && departments && (
        <div className="incident-form">
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label={t('incident.transferTo')} data-testid="incident-transfer-to">
            <option value="">{t('incident.transferTo')}</option>
            {departments
              .filter((d) => d.id !== c?.departmentId)
              .map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
          </select>
          <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('incident.transferReason')} maxLength={500} data-testid="incident-transfer-reason" />
          <button onClick={() => void transfer()} disabled={!to || !reason.trim()} data-testid="incident-transfer-confirm">
            {t('incident.transfer')}
          </button>
          <button className="secondary" onClick={() => setDepartments(null)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  );
}

export function ScenePhotos({ incidentId, version }: { incidentId: number; version: string | undefined }) {
  const t = useT();
  const [photos, setPhotos] = useState<(EvidencePhoto & { url: string })[]>([]);
  useEffect(() => {
    let gone = false;
    const urls: string[] = [];
    void (async () => {
      const list = await api<EvidencePhoto[]>('GET', `/api/incidents/${incidentId}/evidence/photos`);
      const shown = await Promise.all(list.map(async (p) => ({ ...p, url: await photoUrl(`/api/incidents/${incidentId}/evidence/photos/${p.sha256}`) })));
      urls.push(...shown.map((p) => p.url));
      if (!gone) setPhotos(shown);
    })().catch(() => undefined);
    return () => {
      gone = true;
      urls.forEach((u) => URL.revokeObjectURL(u));
    };
  }, [incidentId, version]);
  return (
    <>
      <h4>{t('incident.photos')}</h4>
      <ul className="incident-photos" data-testid="incident-photos">
        {photos.length === 0 && <li className="muted">{t('incident.noPhotos')}</li>}
        {photos.map((p) => (
          <li key={p.id} data-testid="incident-photo" data-sha256={p.sha256}>
            <img src={p.url} alt={t('incident.photo', { unit: p.unitId, hash: p.sha256.slice(0, 12) })} />
            <span className="muted">{t('incident.photo', { unit: p.unitId, hash: p.sha256.slice(0, 12) })}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
