// The few REST calls the live store and the map make, with the operator's token.
import type { BasemapOut, Geofence, PositionOut, Unit } from '@hub/config';
import { HubApiError, request } from '../../shared/hub-api';

export class HubRest {
  private readonly base: string;

  constructor(
    private readonly token: string,
    hubUrl?: string,
  ) {
    this.base = hubUrl ?? (typeof location !== 'undefined' ? location.origin : 'http://127.0.0.1:8080');
  }

  get<T>(route: string): Promise<T> {
    return request<T>('GET', route, { token: this.token, base: this.base });
  }

  units(): Promise<Unit[]> {
    return this.get('/api/units');
  }

  async unit(unitId: string): Promise<Unit | null> {
    try {
      return await this.get<Unit>(`/api/units/${encodeURIComponent(unitId)}`);
    } catch (err) {
      if (err instanceof HubApiError && err.status === 404) return null;
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

  /** The basemap settings; a tile URL on the hub itself (basemap.file) made absolute for MapLibre's workers. */
  async basemap(): Promise<BasemapOut> {
    const b = await this.get<BasemapOut>('/api/basemap');
    // string joining, not new URL(): that would percent-encode the {z}/{x}/{y} placeholders
    return b.tiles?.url.startsWith('/') ? { ...b, tiles: { ...b.tiles, url: this.base + b.tiles.url } } : b;
  }

  /** MapLibre's transformRequest: the hub's own tiles need the operator's token, other servers get nothing. */
  tileRequest(url: string): { url: string; headers?: Record<string, string> } {
    return url.startsWith(`${this.base}/api/`) ? { url, headers: { authorization: `Bearer ${this.token}` } } : { url };
  }
}
