// Alarm rules end to end: a unit's MQTT messages → alarms in the API and on a wall's
// socket.io feed; the feed itself: operator token, coalesced batches, bounding box.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { Alarm, LiveBatch } from '@hub/config';
import { ADMIN_TOKEN, eventually, positionPayload, startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
let wall: Socket;
const batches: LiveBatch[] = [];
const secrets: Record<string, string> = {};

// A 0.01° square around a point in Futian, Shenzhen.
const FENCE = { lon: 114.05, lat: 22.54, d: 0.01 };

beforeAll(async () => {
  t = await startTestHub({ 'alarms.offlineAfterSeconds': 2, 'alarms.noPositionAfterSeconds': 2, 'live.flushMs': 100 });
  for (const id of ['van-1', 'van-2', 'van-3', 'cam-1', 'cam-2']) secrets[id] = (await t.createUnit(id, id.startsWith('cam') ? 'bodycam' : 'vehicle')).secret;
  const { lon, lat, d } = FENCE;
  const fence = await t.api('POST', '/api/geofences', {
    name: 'Civic Square',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [lon - d, lat - d],
          [lon + d, lat - d],
          [lon + d, lat + d],
          [lon - d, lat + d],
          [lon - d, lat - d],
        ],
      ],
    },
  });
  expect(fence.status).toBe(201);
  wall = ioClient(t.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
  wall.on('batch', (b: LiveBatch) => batches.push(b));
  await new Promise<void>((r) => wall.on('connect', () => r()));
});
afterAll(async () => {
  wall?.close();
  await t?.close();
});

function connectUnit(id: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(t.mqtt, { username: id, password: secrets[id], clientId: `${id}-${Math.random()}`, reconnectPeriod: 0, ...opts });
}

const liveAlarms = () => batches.flatMap((b) => b.alarms);

async function alarmsOf(unitId: string): Promise<Alarm[]> {
  return (await t.api<Alarm[]>('GET', `/api/alarms?unitId=${unitId}`)).body;
}

async function expectAlarm(unitId: string, kind: Alarm['kind']): Promise<Alarm> {
  const stored = await eventually(async () => (await alarmsOf(unitId)).find((a) => a.kind === kind), 10_000, `${kind} alarm of ${unitId} in the API`);
  await eventually(async () => liveAlarms().find((a) => a.id === stored.id), 5_000, `${kind} alarm of ${unitId} on the live feed`);
  return stored;
}

describe('alarms from unit messages', () => {
  it('geofence enter and exit', async () => {
    const c = await connectUnit('van-1');
    const t0 = Date.now() - 10_000;
    await c.publishAsync('units/van-1/gps', positionPayload('van-1', t0, FENCE.lat + 0.05, FENCE.lon), { qos: 1 }); // outside
    await c.publishAsync('units/van-1/gps', positionPayload('van-1', t0 + 1000, FENCE.lat, FENCE.lon), { qos: 1 }); // inside
    const enter = await expectAlarm('van-1', 'geofence_enter');
    expect(enter.details).toMatchObject({ geofenceName: 'Civic Square' });
    await c.publishAsync('units/van-1/gps', positionPayload('van-1', t0 + 2000, FENCE.lat - 0.05, FENCE.lon), { qos: 1 }); // outside
    await expectAlarm('van-1', 'geofence_exit');
    await c.endAsync();
  });

  it('overspeed by the limit of the unit type (bodycam 25 km/h)', async () => {
    const c = await connectUnit('cam-1');
    await c.publishAsync('units/cam-1/gps', positionPayload('cam-1', Date.now() - 1000, 22.6, 114.1, { speed: 9 }), { qos: 1 }); // 32.4 km/h
    const alarm = await expectAlarm('cam-1', 'overspeed');
    expect(alarm.details).toMatchObject({ limitKmh: 25 });
    await c.endAsync();
  });

  it('low battery, once per episode', async () => {
    const c = await connectUnit('van-3');
    const t0 = Date.now() - 5_000;
    for (const [i, battery] of [40, 14, 12, 11].entries()) {
      await c.publishAsync('units/van-3/gps', positionPayload('van-3', t0 + i * 1000, 22.6, 114.2, { battery }), { qos: 1 });
    }
    const alarm = await expectAlarm('van-3', 'low_battery');
    expect(alarm.details).toMatchObject({ battery: 14 });
    expect((await alarmsOf('van-3')).filter((a) => a.kind === 'low_battery')).toHaveLength(1);
    await c.endAsync();
  });

  it('SOS is stored before the unit gets its PUBACK, and can be acknowledged', async () => {
    const c = await connectUnit('van-2');
    await c.publishAsync('units/van-2/alarm', JSON.stringify({ unitId: 'van-2', ts: Date.now(), type: 'sos', lat: 22.55, lon: 114.06 }), { qos: 1 });
    const now = await alarmsOf('van-2');
    expect(now.map((a) => a.kind)).toContain('sos');
    const sos = await expectAlarm('van-2', 'sos');
    const ack = await t.api<Alarm>('POST', `/api/alarms/${sos.id}/ack`, { note: 'units on the way' });
    expect(ack.body).toMatchObject({ acknowledgedBy: 'admin', note: 'units on the way' });
    await c.endAsync();
  });

  it('offline by last will; no position while connected is no_position, not offline', async () => {
    const c = await connectUnit('van-2', {
      will: { topic: 'units/van-2/status', payload: Buffer.from(JSON.stringify({ unitId: 'van-2', state: 'offline' })), qos: 1, retain: true },
    });
    await c.publishAsync('units/van-2/gps', positionPayload('van-2', Date.now()), { qos: 1 });
    (c as unknown as { stream: { destroy(): void } }).stream.destroy(); // link lost: the broker publishes the will
    const offline = await expectAlarm('van-2', 'offline');
    expect(offline.details).toHaveProperty('reason');
    expect(offline.details).toMatchObject({ reason: 'last_will' });
    expect(batches.flatMap((b) => b.statuses).some((s) => s.unitId === 'van-2' && s.state === 'offline' && s.reason === 'last_will')).toBe(true);
    // cam-2 stays connected (its camera may stream) but sends no position: no_position after
    // 2 s, not "offline": it is not disconnected
    const quiet = await connectUnit('cam-2');
    await quiet.publishAsync('units/cam-2/gps', positionPayload('cam-2', Date.now(), 22.6, 114.1, { speed: 1 }), { qos: 1 });
    const silent = await expectAlarm('cam-2', 'no_position');
    expect(silent.details).toMatchObject({ noPositionAfterSeconds: 2 });
    expect((await alarmsOf('cam-2')).map((a) => a.kind)).not.toContain('offline');
    await quiet.endAsync();
    // cam-1 signed off cleanly after its overspeed test: a status, no alarm
    expect((await alarmsOf('cam-1')).map((a) => a.kind)).not.toContain('offline');
  });
});

describe('live feed', () => {
  it('refuses a wall without a valid operator token', async () => {
    for (const auth of [{}, { token: 'wrong' }]) {
      const s = ioClient(t.http, { auth, transports: ['websocket'], reconnection: false });
      const err = await new Promise<Error>((r) => s.on('connect_error', r));
      s.close();
      expect(err.message).toMatch(/HUB_ERR_AUTH_(REQUIRED|INVALID)/);
    }
  });

  it('coalesces bursts into few batches with the newest position of each unit, inside the wall’s bbox', async () => {
    const area = ioClient(t.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
    const got: LiveBatch[] = [];
    area.on('batch', (b: LiveBatch) => got.push(b));
    // only the area north of 22.7°
    const res = await area.emitWithAck('subscribe', { bbox: [113.9, 22.7, 114.3, 22.9] });
    expect(res).toEqual({ ok: true });
    const bad = await area.emitWithAck('subscribe', { bbox: [114.3, 22.7, 113.9, 22.9] });
    expect(bad.ok).toBe(false);

    const c = await connectUnit('van-1');
    const base = Date.now() - 5_000;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) sends.push(c.publishAsync('units/van-1/gps', positionPayload('van-1', base + i * 50, 22.75 + i * 0.001, 114.0), { qos: 1 }));
    await Promise.all(sends);
    await c.publishAsync('units/van-1/gps', positionPayload('van-1', base + 4000, 22.5, 114.0), { qos: 1 }); // outside the bbox
    const last = await eventually(async () => got.flatMap((b) => b.positions).find((p) => p.ts === new Date(base + 39 * 50).toISOString()), 5_000, 'newest position');
    expect(last.lat).toBeCloseTo(22.789, 6);
    const received = got.flatMap((b) => b.positions);
    expect(received.length).toBeLessThan(40); // coalesced: not one message per position
    expect(received.every((p) => p.lat >= 22.7)).toBe(true);
    area.close();
    await c.endAsync();
  });
});
