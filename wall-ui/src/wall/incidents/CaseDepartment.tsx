// A case's department and deadline (departments/), and the photos from the scene that verification
// needs before an enforcement case closes, each with its SHA-256. Both reload when the incident does.
import { useEffect, useState } from 'react';
import type { DepartmentCase, EvidencePhoto } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { api, photoUrl } from '../app/session';

export function CaseDepartment({ incidentId, version }: { incidentId: number; version: string | undefined }) {
  const t = useT();
  const locale = useLocale();
  const [c, setCase] = useState<DepartmentCase | null>(null);
  useEffect(() => {
    api<DepartmentCase | null>('GET', `/api/incidents/${incidentId}/department`).then(setCase, () => setCase(null));
  }, [incidentId, version]);
  if (!c) return null;
  return (
    <p className="muted" data-testid="incident-department" data-department-id={c.departmentId} data-overdue={c.overdueAt ? 'true' : 'false'}>
      {t('incident.department', { name: c.departmentName, time: new Date(c.dueAt).toLocaleString(locale, { hour12: false }) })}
      {c.overdueAt && <span className="badge state-overdue"> {t('incident.overdue')}</span>}
    </p>
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
