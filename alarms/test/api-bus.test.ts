import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '@hub/config';
import { alarmRoutes, geofenceRoutes, insertAlarm } from '../src';
import { auth, startTestApi, type TestApi } from '../../test-support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ routes: [geofenceRoutes, alarmRoutes] });
});
afterAll(() => api?.close());

describe('bus events from the API', () => {
  it('announces unit, geofence and alarm changes, and nothing for refused requests', async () => {
    const events: string[] = [];
    const alarms: Alarm[] = [];
    api.bus.on('unitChanged', (id) => events.push(`unitChanged:${id}`));
    api.bus.on('credentialIssued', (id) => events.push(`credentialIssued:${id}`));
    api.bus.on('geofencesChanged', () => events.push('geofencesChanged'));
    api.bus.on('alarm', (a) => {
      events.push(`alarm:${a.id}`);
      alarms.push(a);
    });
    const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => api.app.inject({ method, url, headers: auth, payload });

    await send('POST', '/api/units', { id: 'car-9', name: 'Car 9', type: 'vehicle' });
    await send('POST', '/api/units', { id: 'car-9', name: 'Car 9 again', type: 'vehicle' }); // 409: no event
    await send('PATCH', '/api/units/car-9', { team: 'east' });
    await send('PATCH', '/api/units/nobody', { team: 'east' }); // 404: no event
    await send('POST', '/api/units/car-9/disable');
    await send('POST', '/api/units/car-9/credential');
    const square = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ];
    const g = (await send('POST', '/api/geofences', { name: 'Sq', geometry: { type: 'Polygon', coordinates: [square] } })).json();
    await send('DELETE', `/api/geofences/${g.id}`);
    const alarm = await insertAlarm(api.db, { unitId: 'car-9', kind: 'sos', ts: new Date() });
    await send('POST', `/api/alarms/${alarm.id}/ack`, { note: 'seen' });

    expect(events).toEqual(['unitChanged:car-9', 'unitChanged:car-9', 'unitChanged:car-9', 'credentialIssued:car-9', 'geofencesChanged', 'geofencesChanged', `alarm:${alarm.id}`]);
    expect(alarms[0]).toMatchObject({ acknowledgedBy: 'admin', note: 'seen' });
  });
});
