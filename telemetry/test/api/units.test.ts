import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startTestApi, type TestApi } from '../../../test-support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const post = (url: string, payload?: object) => api.app.inject({ method: 'POST', url, headers: auth, payload });
const get = (url: string) => api.app.inject({ method: 'GET', url, headers: auth });

describe('units', () => {
  it('creates units and refuses a second unit with the same id (409)', async () => {
    const res = await post('/api/units', { id: 'car-12', name: 'Patrol car 12', type: 'vehicle', team: 'north' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: 'car-12',
      name: 'Patrol car 12',
      type: 'vehicle',
      team: 'north',
      district: null,
      disabled: false,
      hasCredential: false,
    });
    expect((await post('/api/units', { id: 'cam-7', name: 'Body cam Ana', type: 'bodycam', district: 'centre' })).statusCode).toBe(201);
    expect((await post('/api/units', { id: 'car-30', name: 'Tow truck', type: 'vehicle' })).statusCode).toBe(201);

    const dup = await post('/api/units', { id: 'car-12', name: 'again', type: 'vehicle' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('HUB_ERR_UNIT_EXISTS');
    expect((await get('/api/units/car-12')).json().name).toBe('Patrol car 12');
  });

  it('refuses an invalid unit with 400 naming the field', async () => {
    const res = await post('/api/units', { id: 'bad/id', name: 'x', type: 'tram' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('HUB_ERR_VALIDATION');
    expect(body.message).toContain('body.id: unit id must be');
    expect(body.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.id', 'body.type']);
  });

  it('lists units, filtered by type, disabled and search', async () => {
    const all = (await get('/api/units')).json();
    expect(all.map((u: { id: string }) => u.id).sort()).toEqual(['cam-7', 'car-12', 'car-30']);
    const cams = (await get('/api/units?type=bodycam')).json();
    expect(cams.map((u: { id: string }) => u.id)).toEqual(['cam-7']);
    const byName = (await get('/api/units?search=PATROL')).json();
    expect(byName.map((u: { id: string }) => u.id)).toEqual(['car-12']);
    const byId = (await get('/api/units?search=car-3')).json();
    expect(byId.map((u: { id: string }) => u.id)).toEqual(['car-30']);
    expect((await get('/api/units?disabled=yes')).statusCode).toBe(400);
  });

  it('gets one unit, and answers 404 for an unknown one', async () => {
    expect((await get('/api/units/cam-7')).json().district).toBe('centre');
    const res = await get('/api/units/nobody');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('HUB_ERR_UNIT_NOT_FOUND');
  });

  it('updates a unit, and answers 404 for an unknown one', async () => {
    const res = await api.app.inject({ method: 'PATCH', url: '/api/units/car-30', headers: auth, payload: { name: 'Tow truck 2', team: 'south' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'car-30', name: 'Tow truck 2', team: 'south', type: 'vehicle' });
    expect((await get('/api/units/car-30')).json().name).toBe('Tow truck 2');
    const missing = await api.app.inject({ method: 'PATCH', url: '/api/units/nobody', headers: auth, payload: { name: 'x' } });
    expect(missing.statusCode).toBe(404);
  });

  it('disables a unit', async () => {
    const res = await post('/api/units/car-30/disable');
    expect(res.statusCode).toBe(200);
    expect(res.json().disabled).toBe(true);
    const disabled = (await get('/api/units?disabled=true')).json();
    expect(disabled.map((u: { id: string }) => u.id)).toEqual(['car-30']);
    const enabled = (await get('/api/units?disabled=false')).json();
    expect(enabled.map((u: { id: string }) => u.id).sort()).toEqual(['cam-7', 'car-12']);
    expect((await post('/api/units/nobody/disable')).statusCode).toBe(404);
  });

  it('issues a credential once: the secret is in that response only, never cached, and rotates', async () => {
    const res = await post('/api/units/car-12/credential');
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const cred = res.json();
    expect(cred.unitId).toBe('car-12');
    expect(cred.username).toBeTruthy();
    expect(cred.secret.length).toBeGreaterThanOrEqual(16);

    const unit = await get('/api/units/car-12');
    expect(unit.json().hasCredential).toBe(true);
    expect(unit.body).not.toContain(cred.secret);
    expect((await get('/api/units')).body).not.toContain(cred.secret);

    const rotated = (await post('/api/units/car-12/credential')).json();
    expect(rotated.secret).not.toBe(cred.secret);
    expect((await post('/api/units/nobody/credential')).statusCode).toBe(404);
  });
});
