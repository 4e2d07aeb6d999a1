// The few REST calls the live store and the map make, with the operator's token.
import type { BasemapOut, Geofence, PositionOut, Unit } from '@hub/config';

export class HubRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubRestError';
  }
}

export class HubRest {
  private readonly base: string;

  constructor(
    private readonly token: string,
    hubUrl?: string,
  ) {
    this.base = hubUrl ?? (typeof location !== 'undefined' ? location.origin : 'http://127.0.0.1:8080');
  }

  async get<T>(route: string): Promise<T> {
    const res = await fetch(new URL(route, this.base), { headers: { authorization: `Bearer ${this.token}` } });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const err = body as { code?: string; message?: string } | undefined;
      throw new HubRestError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? `${route}: HTTP ${res.status}`);
    }
    return body as T;
  }

  units(): Promise<Unit[]> {
    return this.get('/api/units');
  }

  async unit(unitId: string): Promise<Unit | null> {
    try {
      return await this.get<Unit>(`/api/units/${encodeURIComponent(unitId)}`);
    } catch (err) {
      if (err instanceof HubRestError && err.status === 404) return null;
      throw err;
    }
  }

  latestPositions(): Promise<PositionOut[]> {
    return this.get('/api/positions/latest');
  }

  track(unitId: string, from: Date, to: Date): Promise<PositionOut[]> {
    const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), limit: '2000' });
    return this.get(`/api/units/${encodeURIComponent(unitId)}/track?${q}`);
  }

  geofences(): Promise<Geofence[]> {
    return this.get('/api/geofences');
  }

  basemap(): Promise<BasemapOut> {
    return this.get('/api/basemap');
  }
}
