import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '@hub/config';
import { alarmRoutes, geofenceRoutes, insertAlarm } from '../src';
import { auth, startTestApi, type TestApi } from '../../test-support/test-api';

let api: TestApi;
const t0 = Date.parse('2025-03-01T08:00:00.000Z');
const at = (s: number) => new Date(t0 + s * 1000);
let sos: Alarm;
let overspeed: Alarm;

beforeAll(async () => {
  api = await startTestApi({ routes: [geofenceRoutes, alarmRoutes] });
  for (const [id, type] of [
    ['car-1', 'vehicle'],
    ['cam-1', 'bodycam'],
  ] as const) {
    await api.app.inject({ method: 'POST', url: '/api/units', headers: auth, payload: { id, name: id, type } });
  }
  sos = await insertAlarm(api.db, { unitId: 'cam-1', kind: 'sos', ts: at(0), lat: 38.7, lon: -9.14 });
  overspeed = await insertAlarm(api.db, { unitId: 'car-1', kind: 'overspeed', ts: at(60), details: { speed: 30, limit: 22 } });
  await insertAlarm(api.db, { unitId: 'car-1', kind: 'geofence_enter', ts: at(120), details: { geofenceId: 1, name: 'Old town' } });
});
afterAll(() => api?.close());

const list = async (qs: string) => {
  const res = await api.app.inject({ method: 'GET', url: `/api/alarms${qs}`, headers: auth });
  expect(res.statusCode).toBe(200);
  return res.json() as Alarm[];
};
const ack = (id: number, payload?: object) => api.app.inject({ method: 'POST', url: `/api/alarms/${id}/ack`, headers: auth, payload });

describe('alarms', () => {
  it('lists alarms and filters them by unit, kind, time and limit', async () => {
    expect((await list('')).map((a) => a.kind).sort()).toEqual(['geofence_enter', 'overspeed', 'sos']);
    expect((await list('?unitId=car-1')).map((a) => a.kind).sort()).toEqual(['geofence_enter', 'overspeed']);
    expect((await list('?kind=sos')).map((a) => a.id)).toEqual([sos.id]);
    const window = await list(`?from=${at(30).toISOString()}&to=${at(90).toISOString()}`);
    expect(window.map((a) => a.id)).toEqual([overspeed.id]);
    expect(window[0]!.details).toEqual({ speed: 30, limit: 22 });
    expect(await list('?limit=1')).toHaveLength(1);
    const bad = await api.app.inject({ method: 'GET', url: '/api/alarms?kind=fire', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('querystring.kind');
  });

  it('acknowledges an alarm as the admin operator; a second ack keeps the first', async () => {
    const first = await ack(sos.id, { note: 'patrol sent' });
    expect(first.statusCode).toBe(200);
    const acked = first.json() as Alarm;
    expect(acked).toMatchObject({ id: sos.id, acknowledgedBy: 'admin', note: 'patrol sent' });
    expect(acked.acknowledgedAt).not.toBeNull();

    const second = await ack(sos.id, { note: 'again' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ acknowledgedAt: acked.acknowledgedAt, acknowledgedBy: 'admin', note: 'patrol sent' });

    expect((await list('?acknowledged=true')).map((a) => a.id)).toEqual([sos.id]);
    expect((await list('?acknowledged=false')).map((a) => a.id)).not.toContain(sos.id);
  });

  it('acknowledges without a body, and answers 404 for an unknown alarm', async () => {
    const res = await ack(overspeed.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ acknowledgedBy: 'admin', note: null });
    const missing = await ack(999_999, {});
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('HUB_ERR_ALARM_NOT_FOUND');
  });

  it('acknowledges many alarms in one request, keeps earlier acknowledgements and names the ids it did not find', async () => {
    const a = await insertAlarm(api.db, { unitId: 'car-1', kind: 'overspeed', ts: at(300) });
    const b = await insertAlarm(api.db, { unitId: 'car-1', kind: 'overspeed', ts: at(310) });
    const done = await insertAlarm(api.db, { unitId: 'car-1', kind: 'overspeed', ts: at(320) });
    expect((await ack(done.id, { note: 'first' })).statusCode).toBe(200);

    const res = await api.app.inject({ method: 'POST', url: '/api/alarms/ack', headers: auth, payload: { ids: [a.id, b.id, done.id, 2_000_000_000], note: 'one car, one talk' } });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { acknowledged: Alarm[]; missing: number[] };
    expect(body.acknowledged.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(body.acknowledged.every((x) => x.note === 'one car, one talk' && x.acknowledgedBy !== null)).toBe(true);
    expect(body.missing).toEqual([2_000_000_000]);
    expect((await list(`?unitId=car-1&kind=overspeed&from=${at(320).toISOString()}`))[0]!.note).toBe('first');

    const empty = await api.app.inject({ method: 'POST', url: '/api/alarms/ack', headers: auth, payload: { ids: [] } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'HUB_ERR_VALIDATION' });
  });
});
