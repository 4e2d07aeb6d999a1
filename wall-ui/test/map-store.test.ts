// The wall's UnitStore (run in Node: socket.io-client and fetch are the browser's too) against
// the real hub: units over MQTT into the store, bursts told to subscribers once per frame,
// late positions never moving a unit back, status and alarm colours, forwarded incident events,
// and a refused token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { Alarm, Incident, UnitStatusOut } from '@hub/config';
import { UnitStore } from '../src/wall/live';
import { ADMIN_TOKEN, eventually, positionPayload, startTestHub, type TestHub } from '../../test-support/test-hub';

let th: TestHub;
let store: UnitStore;
const clients: MqttClient[] = [];
const secrets: Record<string, string> = {};

beforeAll(async () => {
  th = await startTestHub({ 'live.flushMs': 50 });
  for (const id of ['st-car-1', 'st-car-2', 'st-cam-1']) secrets[id] = (await th.createUnit(id, id.includes('cam') ? 'bodycam' : 'vehicle')).secret;
  // one position before the wall connects: it must come from the REST snapshot
  const first = await connect('st-car-1');
  await first.publishAsync('units/st-car-1/gps', positionPayload('st-car-1', Date.now() - 5_000, 22.54, 114.05), { qos: 1 });
  store = new UnitStore();
  store.connect({ token: ADMIN_TOKEN, hubUrl: th.http });
});

afterAll(async () => {
  store?.close();
  await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));
  await th?.close();
});

async function connect(id: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(th.mqtt, { username: id, password: secrets[id], clientId: `${id}-${Math.random()}`, reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

describe('UnitStore', () => {
  it('loads units and latest positions from REST, and goes live', async () => {
    await eventually(async () => store.loaded && store.connectionState === 'live', 10_000, 'store loaded and live');
    expect([...store.units.keys()].sort()).toEqual(['st-cam-1', 'st-car-1', 'st-car-2']);
    expect(store.units.get('st-car-1')).toMatchObject({ lat: 22.54, lon: 114.05, type: 'vehicle', online: true });
    expect(store.units.get('st-cam-1')).toMatchObject({ lat: null, type: 'bodycam' });
  });

  it('tells subscribers about a burst once per frame, with each unit once, and never moves a unit back', async () => {
    const calls: string[][] = [];
    const off = store.subscribe((ids) => calls.push(ids));
    const car2 = await connect('st-car-2');
    const cam = await connect('st-cam-1');
    const t0 = Date.now() - 60_000;
    // 40 positions per unit as fast as the broker takes them (a store-and-forward burst)
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => [
        car2.publishAsync('units/st-car-2/gps', positionPayload('st-car-2', t0 + i * 1000, 22.5 + i * 0.001, 114.0), { qos: 1 }),
        cam.publishAsync('units/st-cam-1/gps', positionPayload('st-cam-1', t0 + i * 1000, 22.6, 114.1 + i * 0.001), { qos: 1 }),
      ]).flat(),
    );
    await eventually(async () => store.units.get('st-car-2')?.lat === 22.5 + 39 * 0.001 && store.units.get('st-cam-1')?.lon === 114.1 + 39 * 0.001, 10_000, 'the newest positions');
    await new Promise((r) => setTimeout(r, 100));
    off();
    for (const ids of calls) expect(new Set(ids).size).toBe(ids.length);
    // 80 positions reached the store; subscribers heard of them in far fewer calls
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.length).toBeLessThan(40);
    // a late position (older than the newest) is history: the marker stays
    await car2.publishAsync('units/st-car-2/gps', positionPayload('st-car-2', t0 + 5_000, 10, 100), { qos: 1 });
    await car2.publishAsync('units/st-car-2/gps', positionPayload('st-car-2', t0 + 50_000, 22.7, 114.2), { qos: 1 });
    await eventually(async () => store.units.get('st-car-2')?.lat === 22.7, 10_000, 'the next newest position');
    expect(store.units.get('st-car-2')?.lon).toBe(114.2);
  });

  it('shows a unit offline when its link drops, and alarming until its alarm is acknowledged', async () => {
    const statuses: UnitStatusOut[] = [];
    const alarms: Alarm[] = [];
    store.onStatus((s) => statuses.push(s));
    store.onAlarm((a) => alarms.push(a));
    const cam = clients.find((c) => c.options.username === 'st-cam-1')!;
    await cam.publishAsync('units/st-cam-1/alarm', JSON.stringify({ ts: new Date().toISOString(), type: 'sos', message: 'help' }), { qos: 1 });
    await eventually(async () => alarms.find((a) => a.unitId === 'st-cam-1' && a.kind === 'sos'), 10_000, 'the SOS');
    expect(store.units.get('st-cam-1')?.alarming).toBe(true);
    store.alarmAcknowledged(alarms.find((a) => a.kind === 'sos')!);
    expect(store.units.get('st-cam-1')?.alarming).toBe(false);

    const car2 = clients.find((c) => c.options.username === 'st-car-2')!;
    await car2.endAsync();
    await eventually(async () => statuses.find((s) => s.unitId === 'st-car-2' && s.state === 'offline'), 10_000, 'st-car-2 offline');
    expect(store.units.get('st-car-2')).toMatchObject({ online: false, statusReason: 'disconnected' });
  });

  it('forwards incident events as they come', async () => {
    const incidents: Incident[] = [];
    const off = store.on('incident', (i) => incidents.push(i));
    const created = await th.api<Incident>('POST', '/api/incidents', { type: 'fire', lat: 22.55, lon: 114.06, note: 'store test' });
    expect(created.status).toBe(201);
    await eventually(async () => incidents.find((i) => i.id === created.body.id), 10_000, 'the incident event');
    off();
  });

  it('stops and says so when its token is refused', async () => {
    const refused = new UnitStore();
    refused.connect({ token: 'not-a-valid-token-0000000000', hubUrl: th.http });
    await eventually(async () => refused.connectionState === 'unauthorized', 10_000, 'unauthorized');
    refused.close();
    expect(refused.connectionState).toBe('closed');
  });
});
