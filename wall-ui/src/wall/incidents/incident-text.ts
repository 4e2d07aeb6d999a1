// How the wall says an incident's type, state and trail events, in the operator's language:
// the shared incident words (shared/incident-words.ts), an alarm kind's name for incidents
// raised by alarms, and plain words for anything else.
import type { IncidentEvent } from '@hub/config';
import type { MessageKey, Translate } from '../i18n';
import { en } from '../i18n/en';

const known = (t: Translate, key: string): string | undefined => (key in en ? t(key as MessageKey) : undefined);
const plain = (s: string) => s.replaceAll('_', ' ');

export function incidentTypeText(t: Translate, type: string): string {
  return known(t, `alarm.kind.${type}`) ?? known(t, `incident.type.${type}`) ?? plain(type);
}

export function incidentStateText(t: Translate, state: string): string {
  return known(t, `incident.state.${state}`) ?? plain(state);
}

/** The event in a sentence: what happened, and the facts it carries (states, unit, reason, note). */
export function incidentEventText(t: Translate, e: IncidentEvent): string {
  const what = known(t, `incident.event.${e.kind}`) ?? plain(e.kind);
  const facts: string[] = [];
  if (e.fromState && e.toState) facts.push(t('incident.event.fromTo', { from: incidentStateText(t, e.fromState), to: incidentStateText(t, e.toState) }));
  const d = e.detail;
  if (typeof d.unitId === 'string') facts.push(t('incident.event.unit', { unit: d.unitId }));
  if (typeof d.department === 'string') facts.push(d.department);
  if (typeof d.category === 'string') facts.push(t(`hotline.category.${d.category}` as MessageKey));
  if (typeof d.reason === 'string') facts.push(t('incident.event.reason', { reason: d.reason }));
  if (typeof d.text === 'string') facts.push(d.text);
  if (typeof d.note === 'string') facts.push(d.note);
  if (typeof d.message === 'string' && d.message) facts.push(d.message);
  const next = d.next as { unitId?: unknown; name?: unknown } | null | undefined;
  if (next && typeof next.unitId === 'string') facts.push(t('incident.event.next', { unit: typeof next.name === 'string' ? `${next.name} (${next.unitId})` : next.unitId }));
  return facts.length ? t('incident.event.with', { what, facts: facts.join(' · ') }) : what;
}
