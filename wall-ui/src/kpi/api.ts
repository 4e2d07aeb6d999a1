// The KPI page's calls: the operator's session token from ?token= or the last sign-in.
import type { KpiGroupBy, KpiResponse } from '@hub/config';
import { downloadFile, login as loginRequest, request } from '../shared/hub-api';

const KEY = 'hub.kpi.token';

export function initialToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(KEY, fromUrl);
    url.searchParams.delete('token'); // keep it out of the address bar and history
    history.replaceState(null, '', url);
    return fromUrl;
  }
  return sessionStorage.getItem(KEY);
}

/** Signs in and keeps the token for this tab. Throws HubApiError when refused. */
export async function login(username: string, password: string): Promise<string> {
  const { token } = await loginRequest(username, password);
  sessionStorage.setItem(KEY, token);
  return token;
}

export function kpiUrl(from: string, to: string, groupBy: KpiGroupBy, format: 'json' | 'csv' = 'json'): string {
  const q = new URLSearchParams({ from, to, groupBy, format });
  return `/api/kpis?${q}`;
}

export function fetchKpis(token: string, from: string, to: string, groupBy: KpiGroupBy): Promise<KpiResponse> {
  return request<KpiResponse>('GET', kpiUrl(from, to, groupBy), { token });
}

export function downloadCsv(token: string, from: string, to: string, groupBy: KpiGroupBy): Promise<void> {
  return downloadFile(kpiUrl(from, to, groupBy, 'csv'), `kpis-${groupBy}.csv`, { token });
}
