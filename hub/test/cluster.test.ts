// Several hubs as one (issue 14), with real processes: Redis, one PostgreSQL database, hubs A
// and B in this process and hub C as its own process (so that it can be killed), units as
// real MQTT clients on any of them, and walls as socket.io clients of hub A. A wall sees the
// whole fleet whichever hub a unit is connected to, and so do A's nearest units; a dispatch made on A reaches a unit on B
// and its answer reaches A's wall; a unit connected to two hubs is online once; a hub killed
// with SIGKILL takes its units offline once, after its lease, and they come back online on
// another hub.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { GeneralResult, MessageId } from '@hub/jt808';
import { Jt808Terminal } from '../../test-support/jt808-terminal';
import { topics, type Alarm, type DispatchEvent, type Health, type Incident, type LiveBatch, type UnitStatusOut } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { startRedis, type TestRedis } from '../../test-support/redis';
import { connectMqttUnit } from '../../test-support/mqtt-unit';
import { spawnHubProcess, waitForOutput, type HubProcess } from '../../test-support/hub-process';

const LEASE_MS = 1500;
let redis: TestRedis;
let a: TestHub;
let b: TestHub;
let wall: Socket;
const clients: MqttClient[] = [];
const seen = { positions: [] as { unitId: string; lat: number }[], statuses: [] as UnitStatusOut[], alarms: [] as { unitId: string; kind: string }[], dispatches: [] as DispatchEvent[] };
const member = (hubId: string) => ({ 'cluster.redisUrl': redis.url, 'cluster.hubId': hubId, 'cluster.leaseMs': LEASE_MS });

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestHub(member('hub-a'));
  b = await startTestHub(member('hub-b'), { db: a.db });
  wall = ioClient(a.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
  wall.on('batch', (batch: LiveBatch) => {
    seen.positions.push(...batch.positions);
    seen.statuses.push(...batch.statuses);
    seen.alarms.push(...batch.alarms);
  });
  wall.on('dispatch', (d: DispatchEvent) => seen.dispatches.push(d));
  await eventually(async () => wall.connected, 10_000, 'wall connected');
}, 120_000);

afterAll(async () => {
  wall?.close();
  for (const c of clients) c.end(true);
  await b?.close();
  await a?.close();
  await redis?.close();
});

/** A unit as a plain MQTT client connected to the hub at `url` (a client id of its own per link). */
async function connectUnit(url: string, id: string, secret: string) {
  const unit = await connectMqttUnit(url, id, secret, `${id}-${clients.length}`);
  clients.push(unit.client);
  return unit;
}

const statusesOf = (unitId: string) => seen.statuses.filter((s) => s.unitId === unitId).map((s) => s.state);
const storedOnline = async (unitId: string) => (await a.hub.db.query<{ online: boolean }>('SELECT online FROM units WHERE id = $1', [unitId])).rows[0]?.online;

describe('a cluster of hubs', () => {
  it('a wall on hub A sees the position, status and SOS of a unit connected to hub B', async () => {
    const { secret } = await a.createUnit('cl-car-1'); // made on A, known to B through the shared database
    const unit = await connectUnit(b.mqtt, 'cl-car-1', secret);
    await unit.publish(topics.gps('cl-car-1'), { lat: 22.61, lon: 114.2, speed: 3, accuracy: 4 });
    await eventually(async () => seen.positions.some((p) => p.unitId === 'cl-car-1' && p.lat === 22.61), 10_000, 'the position on A’s wall');
    await eventually(async () => statusesOf('cl-car-1').includes('online'), 10_000, 'online on A’s wall');
    await unit.publish(topics.alarm('cl-car-1'), { type: 'sos', lat: 22.61, lon: 114.2 });
    await eventually(async () => seen.alarms.some((x) => x.unitId === 'cl-car-1' && x.kind === 'sos'), 10_000, 'the SOS on A’s wall');
    // stored once, by hub B, where it arrived
    expect(await a.storedPositions('cl-car-1')).toBe(1);
    const health = (await a.api<Health>('GET', '/health')).body;
    expect(health.cluster).toMatchObject({ hubId: 'hub-a', redis: 'up', hubs: 2 });
  });

  it('a dispatch made on hub A reaches the unit on hub B, and its acceptance reaches A’s wall', async () => {
    const { secret } = await a.createUnit('cl-car-2');
    const unit = await connectUnit(b.mqtt, 'cl-car-2', secret);
    await unit.publish(topics.gps('cl-car-2'), { lat: 22.611, lon: 114.2, speed: 0, accuracy: 4 });
    // the coordinator on A is proposed the unit on B: A's nearest-units index sees the whole fleet
    const nearest = async () => (await a.api<{ units: { unitId: string; online: boolean }[] }>('GET', '/api/units/nearest?lat=22.61&lon=114.2&limit=5')).body.units;
    await eventually(async () => (await nearest()).some((u) => u.unitId === 'cl-car-2' && u.online), 10_000, 'the unit on B among A’s nearest');
    const created = await a.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.61, lon: 114.2 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const incident = created.body;
    const dispatched = await a.api('POST', `/api/incidents/${incident.id}/dispatch`, { unitIds: ['cl-car-2'] });
    expect(dispatched.status, JSON.stringify(dispatched.body)).toBeLessThan(300);
    const order = await eventually(async () => unit.commands.find((c) => c.type === 'dispatch' && c.incidentId === String(incident.id)), 10_000, 'the order at the unit on B');
    await unit.publish(topics.cmdAck('cl-car-2'), { id: order.id, ok: true });
    await unit.publish(topics.cmdAnswer('cl-car-2'), { id: order.id, accepted: true });
    await eventually(async () => seen.dispatches.some((d) => d.unitId === 'cl-car-2' && d.state === 'en_route'), 10_000, 'en route on A’s wall');
    expect(seen.dispatches.filter((d) => d.unitId === 'cl-car-2').map((d) => d.state)).toEqual(['sent', 'delivered', 'accepted', 'en_route']);
  });

  it('an SOS of a JT/T 808 terminal on hub B acknowledged on hub A is confirmed to the terminal (0x8203) by B', async () => {
    expect((await a.api('POST', '/api/units', { id: 'cl-truck', name: 'Truck on B', type: 'vehicle', jt808: { terminalId: '13811110001' } })).status).toBe(201);
    const terminal = await Jt808Terminal.connect({ port: b.hub.jt808Port!, phone: '13811110001' });
    try {
      const { authCode } = await terminal.register();
      expect((await terminal.authenticate(authCode!)).result).toBe(GeneralResult.ok);
      expect((await terminal.location({ alarm: 0b1 })).result).toBe(GeneralResult.ok);
      const sos = await eventually(async () => (await a.api<Alarm[]>('GET', '/api/alarms?unitId=cl-truck&kind=sos')).body[0], 10_000, 'the SOS');
      const seenBefore = terminal.received.length;
      expect((await a.api('POST', `/api/alarms/${sos.id}/ack`, {})).status).toBe(200);
      const confirmation = await terminal.next((m) => (m.messageId === MessageId.AlarmConfirmation ? m.body : undefined), 15_000, seenBefore);
      expect(confirmation).toEqual({ alarmSerial: 0, alarmTypes: 0b1 });
      expect(terminal.unreadable).toEqual([]);
    } finally {
      await terminal.close();
    }
  });

  it('a unit connected to two hubs is online once, and offline once its last connection closes', async () => {
    const { secret } = await a.createUnit('cl-walker');
    const onA = await connectUnit(a.mqtt, 'cl-walker', secret);
    await eventually(async () => statusesOf('cl-walker').includes('online'), 10_000, 'online');
    const onB = await connectUnit(b.mqtt, 'cl-walker', secret); // a second link (another client id), on the other hub
    await onA.client.endAsync();
    await new Promise((r) => setTimeout(r, 1000)); // an offline would have reached the wall by now
    expect(statusesOf('cl-walker')).toEqual(['online']);
    expect(await storedOnline('cl-walker')).toBe(true);
    await onB.client.endAsync();
    await eventually(async () => statusesOf('cl-walker').length === 2, 10_000, 'offline');
    expect(statusesOf('cl-walker')).toEqual(['online', 'offline']);
    await eventually(async () => (await storedOnline('cl-walker')) === false, 10_000, 'offline in the database');
  });

  it('a credential rotated on hub A closes the unit’s old connection on hub B; the new secret stays connected', async () => {
    const { secret } = await a.createUnit('cl-rotate');
    const old = await connectUnit(b.mqtt, 'cl-rotate', secret);
    const closed = new Promise<void>((r) => old.client.once('close', () => r()));
    const rotated = await a.api<{ secret: string }>('POST', '/api/units/cl-rotate/credential');
    expect(rotated.status).toBeLessThan(300);
    await closed;
    const fresh = await connectUnit(b.mqtt, 'cl-rotate', rotated.body.secret);
    await new Promise((r) => setTimeout(r, 1500)); // the rotation's news has reached hub B by now, whenever it came
    expect(fresh.client.connected).toBe(true);
  });

  it('an overspeed episode follows the unit from hub A to hub B: no second alarm there, one for the next episode', async () => {
    const { secret } = await a.createUnit('cl-speed');
    const speeds = async () => (await a.api<{ details: { speedKmh: number } }[]>('GET', '/api/alarms?kind=overspeed&unitId=cl-speed')).body.map((x) => x.details.speedKmh).sort((x, y) => x - y);
    const onA = await connectUnit(a.mqtt, 'cl-speed', secret);
    await onA.publish(topics.gps('cl-speed'), { lat: 22.63, lon: 114.2, speed: 30, accuracy: 4 }); // 108 km/h, over the car's 80
    await eventually(async () => (await speeds()).length === 1, 10_000, 'the overspeed alarm on A');
    await onA.client.endAsync();

    const onB = await connectUnit(b.mqtt, 'cl-speed', secret); // through the load balancer, to another hub
    await onB.publish(topics.gps('cl-speed'), { lat: 22.631, lon: 114.2, speed: 31, accuracy: 4 }); // the same episode
    await onB.publish(topics.gps('cl-speed'), { lat: 22.632, lon: 114.2, speed: 5, accuracy: 4 }); // it ends
    await onB.publish(topics.gps('cl-speed'), { lat: 22.633, lon: 114.2, speed: 30, accuracy: 4 }); // a new one
    await eventually(async () => (await speeds()).length >= 2, 10_000, 'the next episode’s alarm on B');
    await b.hub.alarms.flush();
    expect(await speeds()).toEqual([108, 108]); // not 111.6: hub B knew the episode was under way
  });

  it('a hub killed with SIGKILL takes its units offline once, after its lease; they come back online on another hub', async () => {
    const { secret } = await a.createUnit('cl-car-3');
    let c: HubProcess | undefined = await spawnHubProcess({
      dataDir: mkdtempSync(path.join(tmpdir(), 'hub-c-')),
      token: ADMIN_TOKEN,
      env: { HUB_DATABASE__URL: a.hub.databaseUrl, HUB_CLUSTER__REDIS_URL: redis.url, HUB_CLUSTER__HUB_ID: 'hub-c', HUB_CLUSTER__LEASE_MS: String(LEASE_MS) },
    });
    try {
      await waitForOutput(c.hub, 'Hub ready', 90_000);
      const unit = await connectUnit(`mqtt://127.0.0.1:${c.mqttPort}`, 'cl-car-3', secret);
      await unit.publish(topics.gps('cl-car-3'), { lat: 22.62, lon: 114.2, speed: 0, accuracy: 4 });
      await eventually(async () => seen.positions.some((p) => p.unitId === 'cl-car-3'), 10_000, 'hub C’s unit on A’s wall');
      expect(statusesOf('cl-car-3')).toEqual(['online']);

      c.hub.kill('SIGKILL');
      c = undefined;
      await eventually(async () => statusesOf('cl-car-3').length === 2, LEASE_MS + 15_000, 'offline after the lease');
      await new Promise((r) => setTimeout(r, 2 * LEASE_MS)); // hub B sweeps too: it must not say it again
      expect(statusesOf('cl-car-3')).toEqual(['online', 'offline']);
      expect(await storedOnline('cl-car-3')).toBe(false);

      await connectUnit(a.mqtt, 'cl-car-3', secret); // the unit reconnects, to another hub
      await eventually(async () => statusesOf('cl-car-3').length === 3, 10_000, 'online again');
      expect(statusesOf('cl-car-3')).toEqual(['online', 'offline', 'online']);
    } finally {
      c?.hub.kill('SIGKILL');
    }
  }, 150_000);
});
