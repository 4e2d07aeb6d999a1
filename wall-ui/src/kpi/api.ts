// The KPI page's calls: the operator's session token from ?token= or the last sign-in.
import type { KpiGroupBy, KpiResponse } from '@hub/config';

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

export async function login(username: string, password: string): Promise<string | null> {
  const res = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) return null;
  const { token } = (await res.json()) as { token: string };
  sessionStorage.setItem(KEY, token);
  return token;
}

export function kpiUrl(from: string, to: string, groupBy: KpiGroupBy, format: 'json' | 'csv' = 'json'): string {
  const q = new URLSearchParams({ from, to, groupBy, format });
  return `/api/kpis?${q}`;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function fetchKpis(token: string, from: string, to: string, groupBy: KpiGroupBy): Promise<KpiResponse> {
  const res = await fetch(kpiUrl(from, to, groupBy), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new HttpError(res.status, body.message ?? res.statusText);
  }
  return (await res.json()) as KpiResponse;
}

export async function downloadCsv(token: string, from: string, to: string, groupBy: KpiGroupBy): Promise<void> {
  const res = await fetch(kpiUrl(from, to, groupBy, 'csv'), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new HttpError(res.status, res.statusText);
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = `kpis-${groupBy}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
