// The replay page's calls: the operator's token and the incident come in the URL fragment
// (#token=…&incident=…), which leaves the address bar at once; the token stays in this tab.
import type { BasemapOut, Incident, Replay } from '@hub/config';
import { request } from '../shared/hub-api';

const KEY = 'hub.replay.token';

export interface Fragment {
  token: string | null;
  incident: string | null;
  lang: string | null;
}

export function takeFragment(): Fragment {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = hash.get('token');
  const incident = hash.get('incident') ?? new URLSearchParams(location.search).get('incident');
  if (token) sessionStorage.setItem(KEY, token);
  if (location.hash) {
    // keep the token out of the address bar and history; the incident stays as ?incident=
    const url = new URL(location.href);
    url.hash = '';
    if (incident) url.searchParams.set('incident', incident);
    if (hash.get('lang')) url.searchParams.set('lang', hash.get('lang')!);
    history.replaceState(null, '', url);
  }
  return { token: token ?? sessionStorage.getItem(KEY), incident, lang: hash.get('lang') };
}

export const fetchIncident = (token: string, id: string) => request<Incident>('GET', `/api/incidents/${encodeURIComponent(id)}`, { token });
export const fetchReplay = (token: string, id: string) => request<Replay>('GET', `/api/incidents/${encodeURIComponent(id)}/replay`, { token });
export const fetchBasemap = (token: string) => request<BasemapOut>('GET', '/api/basemap', { token });
