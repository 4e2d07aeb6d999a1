// The 12319 hotline: an operator writes down a citizen's complaint (caller, place picked on the
// map, category, description) and it starts the same case flow as a detection: an incident of
// type `hotline` (external source 12319, external id the complaint's), routed by its category.
// The caller's phone is personal data: kept whole in its own table, masked everywhere else.
import type { HotlineComplaint, HotlinePlace } from '@hub/config';
import type { IncidentService } from '@hub/incidents';
import { appendEvent } from '@hub/incidents';
import { maskPhone, normalizePhone } from '@hub/notices';
import type { Queryable } from '@hub/platform';
import { HubError } from '@hub/platform';
import { getCase } from './store';

export const HOTLINE_SOURCE = '12319';

/** 400 HUB_ERR_HOTLINE_PHONE: the caller's number is neither a mainland mobile nor a landline with its area code. */
export class HotlinePhoneError extends HubError {
  constructor() {
    super('HUB_ERR_HOTLINE_PHONE', 400, "the caller's phone must be a mainland mobile (13812341234) or a landline with its area code (0755-83001234)", [
      { path: 'body.callerPhone', message: 'not a phone number' },
    ]);
  }
}

export async function takeComplaint(
  db: Queryable,
  incidents: IncidentService,
  c: HotlineComplaint,
  actor: string,
): Promise<{ complaintId: number; incidentId: number; department: string | null; callerPhone: string }> {
  const phone = normalizePhone(c.callerPhone);
  if (!phone) throw new HotlinePhoneError();
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO hotline_complaints (caller_name, caller_phone, category, description, lat, lon, taken_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [c.callerName, phone, c.category, c.description, c.lat, c.lon, actor],
  );
  const complaintId = Number(rows[0]!.id);
  const incident = await incidents.create({
    type: 'hotline',
    source: 'manual',
    lat: c.lat,
    lon: c.lon,
    note: c.description,
    externalSource: HOTLINE_SOURCE,
    externalId: String(complaintId),
    createdBy: actor,
  });
  await db.query('UPDATE hotline_complaints SET incident_id = $2 WHERE id = $1', [complaintId, incident.id]);
  await appendEvent(db, {
    incidentId: incident.id,
    actor,
    kind: 'hotline_complaint',
    detail: { complaintId, category: c.category, callerName: c.callerName, callerPhone: maskPhone(phone) },
  });
  const routed = await getCase(db, incident.id);
  return { complaintId, incidentId: incident.id, department: routed?.departmentName ?? null, callerPhone: maskPhone(phone) };
}

/** The open hotline cases and where their callers said, for the wall's map. */
export async function openHotlinePlaces(db: Queryable): Promise<HotlinePlace[]> {
  const { rows } = await db.query<{ id: string; incident_id: string; category: HotlinePlace['category']; lat: number; lon: number }>(
    `SELECT h.id, h.incident_id, h.category, h.lat, h.lon FROM hotline_complaints h JOIN incidents i ON i.id = h.incident_id
      WHERE i.state IN ('reported', 'dispatched', 'en_route', 'on_scene') ORDER BY h.id`,
  );
  return rows.map((r) => ({ incidentId: Number(r.incident_id), complaintId: Number(r.id), category: r.category, lat: r.lat, lon: r.lon }));
}
