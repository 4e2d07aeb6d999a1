// A dispatch is accepted by a person, not by a transport (issue 12 §1), against a real hub with
// real MQTT clients as units: the device's cmd/ack only makes a dispatch delivered; the
// person's cmd/answer accepts or refuses it; no answer within acceptTimeoutSeconds times it out;
// a refusal or a time-out offers the coordinator the next nearest unit by ETA; a unit without a
// handler answers ok: false (unsupported_command); and a unit may answer only on its own topic.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { UnitAgent } from '@hub/edge-agent';
import { topics, type CommandAckMessage, type DispatchEvent, type DispatchOfferEvent, type Incident, type IncidentDetail } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { connectMqttUnit } from '../../test-support/mqtt-unit';

const ACCEPT_TIMEOUT_S = 2;
let t: TestHub;
let wall: Socket;
const clients: MqttClient[] = [];
const agents: UnitAgent[] = [];
const live = { dispatches: [] as DispatchEvent[], offers: [] as DispatchOfferEvent[] };

// the incident at P0; units north of it (1° of latitude ≈ 111,195 m)
const P0 = { lat: 22.61, lon: 114.2 };
const north = (m: number) => ({ lat: P0.lat + m / 111_195, lon: P0.lon });

/** A unit as a plain MQTT client at a place: its commands are collected, nothing answered by itself. */
async function rawUnit(id: string, type: 'vehicle' | 'bodycam', at: { lat: number; lon: number }, speed = 0) {
  const { secret } = await t.createUnit(id, type);
  const { client, commands, publish: pub } = await connectMqttUnit(t.mqtt, id, secret);
  clients.push(client);
  await pub(topics.gps(id), { ...at, speed, accuracy: 4 });
  return {
    id,
    client,
    commands,
    ack: (cmdId: string) => pub(topics.cmdAck(id), { id: cmdId, ok: true }),
    answer: (body: { id: string; accepted: boolean; reason?: string }) => pub(topics.cmdAnswer(id), body),
  };
}

async function newIncident(at = P0): Promise<Incident> {
  const res = await t.api<Incident>('POST', '/api/incidents', { type: 'hotline', ...at });
  expect(res.status).toBe(201);
  return res.body;
}

const detail = async (id: number) => (await t.api<IncidentDetail>('GET', `/api/incidents/${id}`)).body;
const unitState = async (incidentId: number, unitId: string) => (await detail(incidentId)).units.find((u) => u.unitId === unitId)?.state;

beforeAll(async () => {
  t = await startTestHub({ 'incidents.dispatch.acceptTimeoutSeconds': ACCEPT_TIMEOUT_S });
  wall = ioClient(t.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
  wall.on('dispatch', (d: DispatchEvent) => live.dispatches.push(d));
  wall.on('offer', (o: DispatchOfferEvent) => live.offers.push(o));
  await eventually(async () => wall.connected, 10_000, 'wall connected');
});

afterAll(async () => {
  wall?.close();
  for (const c of clients) c.end(true); // forced: one of them was closed by the broker, and a graceful end would wait on it
  await Promise.all(agents.map((a) => a.close()));
  await t?.close();
});

describe('dispatch answers', () => {
  let walker: Awaited<ReturnType<typeof rawUnit>>;
  let car: Awaited<ReturnType<typeof rawUnit>>;
  let farCar: Awaited<ReturnType<typeof rawUnit>>;

  it('builds the layout: a walker close by, a car further away but sooner, a car far away', async () => {
    walker = await rawUnit('d-walk', 'bodycam', north(300)); // 300 × 1.3 ÷ 1.4 m/s ≈ 279 s
    car = await rawUnit('d-car', 'vehicle', north(900), 10); // 900 × 1.3 ÷ 10 m/s ≈ 117 s
    farCar = await rawUnit('d-far', 'vehicle', north(4000), 10); // ≈ 520 s
    await eventually(async () => (await t.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.filter((p) => p.unitId.startsWith('d-')).length === 3, 10_000, 'positions');
    // ranked by ETA, not distance: the car before the nearer walker
    const nearest = await t.api<{ units: { unitId: string }[] }>('GET', `/api/units/nearest?lat=${P0.lat}&lon=${P0.lon}&limit=3`);
    expect(nearest.body.units.map((u) => u.unitId)).toEqual(['d-car', 'd-walk', 'd-far']);
  });

  it('a device’s ack is delivered, not accepted; the person’s answer accepts it and the incident is en route', async () => {
    const inc = await newIncident();
    await t.api('POST', `/api/incidents/${inc.id}/dispatch`, { unitIds: [car.id] });
    const order = await eventually(async () => car.commands.find((c) => c.type === 'dispatch' && c.incidentId === String(inc.id)), 10_000, 'order');
    await car.ack(order.id);
    await eventually(async () => (await unitState(inc.id, car.id)) === 'delivered', 10_000, 'delivered');
    await t.hub.incidents.settled();
    expect((await detail(inc.id)).state).toBe('dispatched');

    await car.answer({ id: order.id, accepted: true });
    await eventually(async () => (await unitState(inc.id, car.id)) === 'en_route', 10_000, 'en route');
    const d = await detail(inc.id);
    expect(d.state).toBe('en_route');
    expect(d.timeline.filter((e) => e.detail.unitId === car.id).map((e) => e.kind)).toEqual(['dispatch_sent', 'unit_delivered', 'unit_accepted', 'unit_en_route', 'transition']);
    const audit = (await t.api<{ action: string; target: string; detail: { unitId?: string } }[]>('GET', '/api/audit?limit=200')).body;
    expect(audit.some((a) => a.action === 'dispatch_accepted' && a.target === `incident:${inc.id}` && a.detail.unitId === car.id)).toBe(true);
    expect(live.dispatches.filter((e) => e.incidentId === inc.id).map((e) => e.state)).toEqual(['sent', 'delivered', 'accepted', 'en_route']);
    await t.api('POST', `/api/incidents/${inc.id}/transition`, { to: 'resolved' });
  });

  it('a refusal keeps its reason, frees the unit and offers the next nearest by ETA', async () => {
    const inc = await newIncident();
    await t.api('POST', `/api/incidents/${inc.id}/dispatch`, { unitIds: [car.id] });
    const order = await eventually(async () => car.commands.find((c) => c.type === 'dispatch' && c.incidentId === String(inc.id)), 10_000, 'order');
    await car.ack(order.id);
    await car.answer({ id: order.id, accepted: false, reason: 'stuck in traffic' });
    const offer = await eventually(async () => live.offers.find((o) => o.incidentId === inc.id), 10_000, 'offer');
    expect(offer).toMatchObject({ unitId: car.id, reason: 'refused', next: { unitId: walker.id } });
    const d = await detail(inc.id);
    expect(d.state).toBe('dispatched'); // the coordinator decides: nobody else was sent
    expect(d.units).toEqual([expect.objectContaining({ unitId: car.id, state: 'refused', message: 'stuck in traffic' })]);
    expect(d.timeline.find((e) => e.kind === 'next_unit_offered')?.detail).toMatchObject({ unitId: car.id, reason: 'refused', next: { unitId: walker.id } });
    const audit = (await t.api<{ action: string; target: string; detail: { reason?: string } }[]>('GET', '/api/audit?limit=200')).body;
    expect(audit.find((a) => a.action === 'dispatch_refused' && a.target === `incident:${inc.id}`)?.detail.reason).toBe('stuck in traffic');
    // a refused unit is available again
    const nearest = await t.api<{ units: { unitId: string }[] }>('GET', `/api/units/nearest?lat=${P0.lat}&lon=${P0.lon}&limit=1`);
    expect(nearest.body.units[0]!.unitId).toBe(car.id);
    await t.api('POST', `/api/incidents/${inc.id}/transition`, { to: 'resolved' });
  });

  it('a dispatch nobody answers times out after acceptTimeoutSeconds and the next unit is offered', async () => {
    const inc = await newIncident();
    const sent = Date.now();
    await t.api('POST', `/api/incidents/${inc.id}/dispatch`, { unitIds: [car.id, walker.id] });
    const order = await eventually(async () => car.commands.find((c) => c.type === 'dispatch' && c.incidentId === String(inc.id)), 10_000, 'order');
    await car.ack(order.id); // delivered, and then nobody answers
    const offer = await eventually(async () => live.offers.find((o) => o.incidentId === inc.id && o.unitId === car.id), 30_000, 'offer after time-out');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(ACCEPT_TIMEOUT_S * 1000);
    expect(offer).toMatchObject({ reason: 'timed_out', next: { unitId: farCar.id } }); // the walker is on this incident already
    expect(await unitState(inc.id, car.id)).toBe('timed_out');
    const timedOut = (await detail(inc.id)).timeline.find((e) => e.kind === 'unit_timed_out' && e.detail.unitId === car.id)!;
    expect(Date.parse(timedOut.ts) - Date.parse((await detail(inc.id)).units[0]!.sentAt)).toBeGreaterThanOrEqual(ACCEPT_TIMEOUT_S * 1000 - 1);
    expect(timedOut.detail).toMatchObject({ delivered: true, afterSeconds: ACCEPT_TIMEOUT_S });

    // a late acceptance still counts: that person is on the way
    await car.answer({ id: order.id, accepted: true });
    await eventually(async () => (await unitState(inc.id, car.id)) === 'en_route', 10_000, 'late acceptance');
    await t.api('POST', `/api/incidents/${inc.id}/transition`, { to: 'resolved' });
  });

  it('answers an unknown command and an unhandled dispatch with ok: false and a code; the dispatch is refused and the next unit offered', async () => {
    const { secret } = await t.createUnit('d-agent', 'vehicle');
    const agent = await UnitAgent.start({ unitId: 'd-agent', secret, broker: t.mqtt, reconnectMs: 100 });
    agents.push(agent);
    await eventually(async () => agent.connected, 10_000, 'agent connected');
    await agent.report({ ts: Date.now(), ...north(100), speed: 5, accuracy: 4 });
    await eventually(async () => (await t.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === 'd-agent'), 10_000, 'position');

    const acks: CommandAckMessage[] = [];
    t.hub.telemetry.bus.on('commandAck', (e) => e.unitId === 'd-agent' && acks.push(e.ack));
    // a command type this unit does not know (a newer hub's): published raw, as the broker would carry it
    t.hub.telemetry.broker.sendCommand('d-agent', { id: 'future-1', ts: Date.now(), type: 'future.thing' } as never);
    const unknown = await eventually(async () => acks.find((a) => a.id === 'future-1'), 10_000, 'ack of the unknown command');
    expect(unknown).toMatchObject({ ok: false, code: 'unsupported_command' });

    const inc = await newIncident();
    await t.api('POST', `/api/incidents/${inc.id}/dispatch`, { unitIds: ['d-agent'] });
    const offer = await eventually(async () => live.offers.find((o) => o.incidentId === inc.id), 10_000, 'offer');
    expect(offer.reason).toBe('refused');
    const d = await detail(inc.id);
    expect(d.units[0]).toMatchObject({ unitId: 'd-agent', state: 'refused', deliveredAt: null });
    expect(d.timeline.find((e) => e.kind === 'unit_undeliverable')?.detail).toMatchObject({ code: 'unsupported_command' });
    await t.api('POST', `/api/incidents/${inc.id}/transition`, { to: 'resolved' });
  });

  it('lets a unit answer only for itself: another unit’s topic closes the connection, another unit’s order is ignored', async () => {
    const inc = await newIncident();
    await t.api('POST', `/api/incidents/${inc.id}/dispatch`, { unitIds: [walker.id] });
    const order = await eventually(async () => walker.commands.find((c) => c.type === 'dispatch' && c.incidentId === String(inc.id)), 10_000, 'order');
    // the far car answers the walker's order on its own topic: not its order
    await farCar.answer({ id: order.id, accepted: true });
    await t.hub.incidents.settled();
    expect(await unitState(inc.id, walker.id)).toBe('sent');
    // … and on the walker's topic: refused by the broker's ACL (MQTT 3.1.1: the connection closes)
    const closed = new Promise<void>((resolve) => farCar.client.once('close', () => resolve()));
    farCar.client.publish(topics.cmdAnswer(walker.id), JSON.stringify({ id: order.id, accepted: true }), { qos: 1 });
    await closed;
    await t.hub.incidents.settled();
    expect(await unitState(inc.id, walker.id)).toBe('sent');
    await t.api('POST', `/api/incidents/${inc.id}/transition`, { to: 'resolved' });
  });
});
