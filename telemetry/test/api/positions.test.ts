import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position } from '@hub/config';
import { insertPositions } from '../../src/store';
import { auth, startTestApi, type TestApi } from '../../../test-support/test-api';

let api: TestApi;
const t0 = Date.parse('2025-03-01T08:00:00.000Z');
const at = (s: number) => new Date(t0 + s * 1000);

beforeAll(async () => {
  api = await startTestApi();
  for (const id of ['car-1', 'car-2', 'car-3']) {
    const res = await api.app.inject({ method: 'POST', url: '/api/units', headers: auth, payload: { id, name: id, type: 'vehicle' } });
    expect(res.statusCode).toBe(201);
  }
  // car-1 drives east along a street in Lisbon for 60 s, one position a second.
  const drive: Position[] = Array.from({ length: 60 }, (_, s) => ({
    unitId: 'car-1',
    ts: at(s),
    lat: 38.7,
    lon: -9.14 + s * 0.0001,
    speed: 10,
    heading: 90,
    accuracy: 5,
  }));
  // car-2 parked in Porto, car-3 with its latest fix in Lisbon.
  const others: Position[] = [
    { unitId: 'car-2', ts: at(10), lat: 41.15, lon: -8.61, battery: 80, flags: ['ignition'] },
    { unitId: 'car-3', ts: at(5), lat: 41.15, lon: -8.61 },
    { unitId: 'car-3', ts: at(20), lat: 38.71, lon: -9.13 },
  ];
  await insertPositions(api.db, [...drive, ...others]);
});
afterAll(() => api?.close());

const get = (url: string) => api.app.inject({ method: 'GET', url, headers: auth });

describe('latest positions', () => {
  it('returns the latest position of every unit', async () => {
    const res = await get('/api/positions/latest');
    expect(res.statusCode).toBe(200);
    const byUnit = new Map(res.json().map((p: { unitId: string }) => [p.unitId, p]));
    expect([...byUnit.keys()].sort()).toEqual(['car-1', 'car-2', 'car-3']);
    expect(byUnit.get('car-1')).toMatchObject({ ts: at(59).toISOString(), lat: 38.7, speed: 10, heading: 90 });
    expect(byUnit.get('car-1')).toHaveProperty('lon');
    expect(byUnit.get('car-2')).toMatchObject({ ts: at(10).toISOString(), battery: 80, flags: ['ignition'], speed: null });
    expect(byUnit.get('car-3')).toMatchObject({ ts: at(20).toISOString(), lat: 38.71 });
  });

  it('returns only units whose latest position is inside the bbox', async () => {
    const lisbon = await get('/api/positions/latest?bbox=-9.3,38.6,-9.0,38.8');
    expect(lisbon.statusCode).toBe(200);
    expect(
      lisbon
        .json()
        .map((p: { unitId: string }) => p.unitId)
        .sort(),
    ).toEqual(['car-1', 'car-3']);
    const porto = await get('/api/positions/latest?bbox=-8.7,41.1,-8.5,41.2');
    expect(porto.json().map((p: { unitId: string }) => p.unitId)).toEqual(['car-2']);
  });

  it('refuses a malformed bbox with 400 naming the field', async () => {
    for (const bbox of ['1,2,3', '-9,38,-10,39', 'a,b,c,d']) {
      const res = await get(`/api/positions/latest?bbox=${bbox}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('HUB_ERR_VALIDATION');
      expect(res.json().message).toMatch(/^querystring\.bbox: bbox must be/);
    }
  });
});

describe('track', () => {
  const range = (from: number, to: number) => `from=${at(from).toISOString()}&to=${at(to).toISOString()}`;

  it('returns the positions between from and to, oldest first', async () => {
    const res = await get(`/api/units/car-1/track?${range(10, 19)}`);
    expect(res.statusCode).toBe(200);
    const ts = res.json().map((p: { ts: string }) => p.ts);
    expect(ts).toEqual(Array.from({ length: 10 }, (_, i) => at(10 + i).toISOString()));
  });

  it('downsamples to one point per bucket with bucketSeconds', async () => {
    const res = await get(`/api/units/car-1/track?${range(0, 59)}&bucketSeconds=10`);
    expect(res.statusCode).toBe(200);
    const points = res.json();
    expect(points).toHaveLength(6);
    const ts = points.map((p: { ts: string }) => Date.parse(p.ts));
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    // one point in each 10-second bucket
    expect(new Set(ts.map((t: number) => Math.floor((t - t0) / 10_000))).size).toBe(6);
  });

  it('caps the number of points with limit', async () => {
    const res = await get(`/api/units/car-1/track?${range(0, 59)}&limit=5`);
    expect(res.json()).toHaveLength(5);
  });

  it('accepts a time with an offset', async () => {
    const res = await get(`/api/units/car-1/track?from=${encodeURIComponent('2025-03-01T09:00:00+01:00')}&to=${encodeURIComponent('2025-03-01T09:00:04+01:00')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(5);
  });

  it('refuses from after to, and missing times, naming the field', async () => {
    const res = await get(`/api/units/car-1/track?${range(30, 10)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('querystring.from: from must not be after to');
    const missing = await get('/api/units/car-1/track');
    expect(missing.statusCode).toBe(400);
    expect(
      missing
        .json()
        .details.map((d: { path: string }) => d.path)
        .sort(),
    ).toEqual(['querystring.from', 'querystring.to']);
  });

  it('answers 404 for an unknown unit', async () => {
    const res = await get(`/api/units/nobody/track?${range(0, 10)}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('HUB_ERR_UNIT_NOT_FOUND');
  });
});
