// Redis is what crosses hubs, never the record (issue 14): killed under load, the hubs go on
// ingesting durably into PostgreSQL (every PUBACKed position stored), take units that connect
// meanwhile, say "redis down" in /health, and once Redis is back (empty, as after a crash)
// recover by themselves: the cross-hub feed flows again and presence is rebuilt.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { topics, type Health, type Incident, type LiveBatch } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { startRedis, type TestRedis } from '../../test-support/redis';
import { connectMqttUnit } from '../../test-support/mqtt-unit';

let redis: TestRedis;
let a: TestHub;
let b: TestHub;
let wall: Socket;
const clients: MqttClient[] = [];
const positionsOnA: { unitId: string; lat: number }[] = [];
const member = (hubId: string) => ({ 'cluster.redisUrl': redis.url, 'cluster.hubId': hubId, 'cluster.leaseMs': 1500 });

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestHub(member('hub-a'));
  b = await startTestHub(member('hub-b'), { db: a.db });
  wall = ioClient(a.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
  wall.on('batch', (batch: LiveBatch) => positionsOnA.push(...batch.positions));
  await eventually(async () => wall.connected, 10_000, 'wall connected');
}, 120_000);

afterAll(async () => {
  wall?.close();
  for (const c of clients) c.end(true);
  await b?.close();
  await a?.close();
  await redis?.close();
}, 120_000);

const redisState = async (hub: TestHub) => (await hub.api<Health>('GET', '/health')).body.cluster?.redis;
const online = async (unitId: string) => (await a.hub.db.query<{ online: boolean }>('SELECT online FROM units WHERE id = $1', [unitId])).rows[0]?.online;

describe('Redis killed and restarted under a cluster', () => {
  it('keeps every acknowledged position, says so in /health, and recovers the cross-hub feed by itself', async () => {
    const { secret } = await a.createUnit('ro-car-1');
    const unit = await connectMqttUnit(b.mqtt, 'ro-car-1', secret);
    clients.push(unit.client);
    const firstTs = Date.now();
    await unit.publish(topics.gps('ro-car-1'), { ts: firstTs, lat: 22.5, lon: 114.1 });
    await eventually(async () => positionsOnA.some((p) => p.unitId === 'ro-car-1'), 10_000, 'the position of B’s unit on A’s wall');

    await redis.kill();
    await eventually(async () => (await redisState(a)) === 'down' && (await redisState(b)) === 'down' && true, 20_000, '/health saying redis down on both hubs');
    // the hub itself is up: Redis down is a degraded cross-hub feed, not a dead hub
    expect((await a.api<Health>('GET', '/health')).status).toBe(200);

    // ingest goes on, durably: each position below is PUBACKed only once it is committed
    const during = 20;
    // each at its own time after the first: the hub stores one position per unit and time
    for (let i = 0; i < during; i++) await unit.publish(topics.gps('ro-car-1'), { ts: firstTs + 1 + i, lat: 22.5 + (i + 1) / 1000, lon: 114.1 });
    expect(await a.storedPositions('ro-car-1')).toBe(1 + during);
    // a unit may connect meanwhile, and is online
    const { secret: secret2 } = await a.createUnit('ro-car-2');
    const second = await connectMqttUnit(a.mqtt, 'ro-car-2', secret2);
    clients.push(second.client);
    await second.publish(topics.gps('ro-car-2'), { lat: 22.6, lon: 114.2 });
    expect(await a.storedPositions('ro-car-2')).toBe(1);
    await eventually(async () => (await online('ro-car-2')) || undefined, 10_000, 'ro-car-2 online while Redis is down');
    // and takes commands from its own hub: a dispatch made on A reaches it without Redis
    const incident = (await a.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.6, lon: 114.2 })).body;
    const dispatched = await a.api('POST', `/api/incidents/${incident.id}/dispatch`, { unitIds: ['ro-car-2'] });
    expect(dispatched.status, JSON.stringify(dispatched.body)).toBeLessThan(300);
    await eventually(async () => second.commands.find((c) => c.type === 'dispatch' && c.incidentId === String(incident.id)), 10_000, 'the dispatch at ro-car-2 while Redis is down');

    await redis.restart();
    await eventually(async () => (await redisState(a)) === 'up' && (await redisState(b)) === 'up' && true, 30_000, '/health saying redis up again');
    // the feed across hubs flows again: B's unit's next position reaches A's wall
    await unit.publish(topics.gps('ro-car-1'), { lat: 22.7, lon: 114.1 });
    await eventually(async () => positionsOnA.some((p) => p.unitId === 'ro-car-1' && p.lat === 22.7), 20_000, 'B’s position on A’s wall after Redis came back');
    // presence was rebuilt: both units still online, and closing the last link takes a unit offline once
    expect(await online('ro-car-1')).toBe(true);
    expect(await online('ro-car-2')).toBe(true);
    await second.client.endAsync();
    await eventually(async () => (await online('ro-car-2')) === false || undefined, 15_000, 'ro-car-2 offline after its link closed');
    expect(await a.storedPositions('ro-car-1')).toBe(2 + during);
  });

  it('a hub stops just after Redis came back without dropping another hub’s walls, and one stops while Redis is down', async () => {
    let wallDisconnects = 0;
    wall.on('disconnect', () => wallDisconnects++);
    const { secret } = await a.createUnit('ro-car-3');
    const unit = await connectMqttUnit(a.mqtt, 'ro-car-3', secret);
    clients.push(unit.client);
    // Redis back a moment ago: B's connections to it may still be between their retries
    await redis.restart();
    await b.close();
    // B stopping ended its own connections, not the walls on A (the feed's adapter spans hubs)
    await unit.publish(topics.gps('ro-car-3'), { lat: 22.8, lon: 114.3 });
    await eventually(async () => positionsOnA.some((p) => p.unitId === 'ro-car-3'), 10_000, 'A’s unit on A’s wall after B stopped');
    expect(wallDisconnects).toBe(0);
    // A stops with Redis gone and a wall and a unit still connected: it ends their connections itself
    await redis.kill();
    await a.close();
    await eventually(async () => !wall.connected || undefined, 10_000, 'the wall told A is gone');
    expect(wallDisconnects).toBeGreaterThan(0);
  });
});
