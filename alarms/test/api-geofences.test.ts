import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmRoutes, geofenceRoutes } from '../src';
import { auth, startTestApi, type TestApi } from '../../test-support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ routes: [geofenceRoutes, alarmRoutes] });
});
afterAll(() => api?.close());

const square = [
  [-9.15, 38.7],
  [-9.13, 38.7],
  [-9.13, 38.72],
  [-9.15, 38.72],
  [-9.15, 38.7],
];

describe('geofences', () => {
  let id: number;

  it('creates a geofence from a GeoJSON polygon, with defaults', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/geofences',
      headers: auth,
      payload: { name: 'Old town', geometry: { type: 'Polygon', coordinates: [square] }, alarmOnExit: false },
    });
    expect(res.statusCode).toBe(201);
    const g = res.json();
    expect(g).toMatchObject({ name: 'Old town', alarmOnEnter: true, alarmOnExit: false, geometry: { type: 'Polygon', coordinates: [square] } });
    expect(Number.isInteger(g.id)).toBe(true);
    id = g.id;
  });

  it('refuses an unclosed ring with 400 naming the field', async () => {
    const open = square.slice(0, 4).concat([[-9.14, 38.71]]);
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/geofences',
      headers: auth,
      payload: { name: 'Open', geometry: { type: 'Polygon', coordinates: [open] } },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('HUB_ERR_VALIDATION');
    expect(body.details).toEqual([{ path: 'body.geometry.coordinates.0', message: expect.stringContaining('must be closed') }]);
    expect(body.message).toContain('body.geometry.coordinates.0: a linear ring must be closed');
  });

  it('lists and gets geofences', async () => {
    const list = await api.app.inject({ method: 'GET', url: '/api/geofences', headers: auth });
    expect(list.json().map((g: { id: number }) => g.id)).toEqual([id]);
    const one = await api.app.inject({ method: 'GET', url: `/api/geofences/${id}`, headers: auth });
    expect(one.json().name).toBe('Old town');
    const bad = await api.app.inject({ method: 'GET', url: '/api/geofences/abc', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('params.id');
  });

  it('deletes a geofence; afterwards it is 404', async () => {
    const del = await api.app.inject({ method: 'DELETE', url: `/api/geofences/${id}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const again = await api.app.inject({ method: 'DELETE', url: `/api/geofences/${id}`, headers: auth });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('HUB_ERR_GEOFENCE_NOT_FOUND');
    const get = await api.app.inject({ method: 'GET', url: `/api/geofences/${id}`, headers: auth });
    expect(get.statusCode).toBe(404);
  });
});
