// Devices authenticate and stay inside their own topics; every refusal is counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { eventually, positionPayload, startTestHub, type TestHub } from '../../test-support/test-hub';
import { mosquittoPub, run } from './support/mosquitto';

let t: TestHub;
let secretA: string;
let secretB: string;

beforeAll(async () => {
  t = await startTestHub();
  secretA = (await t.createUnit('car-a')).secret;
  secretB = (await t.createUnit('car-b')).secret;
});
afterAll(() => t?.close());

describe('MQTT CONNECT', () => {
  it('refuses a wrong secret (mqtt.js): CONNACK "bad user name or password"', async () => {
    const client = mqtt.connect(t.mqtt, { username: 'car-a', password: 'not-the-secret', reconnectPeriod: 0, clientId: 'a-wrong' });
    const err = await new Promise<Error & { code?: number }>((resolve) => client.on('error', resolve));
    client.end(true);
    expect(err.code).toBe(4);
    expect(await t.metric('hub_mqtt_connect_refused_total', 'reason="bad_secret"')).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong secret and an unknown unit (mosquitto_pub)', async () => {
    const wrong = await mosquittoPub({ port: t.hub.mqttPort, username: 'car-a', password: 'nope' }, 'units/car-a/gps', positionPayload('car-a', new Date()));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/bad user name or password|not authori[sz]ed/i);
    const unknown = await mosquittoPub({ port: t.hub.mqttPort, username: 'ghost', password: 'x' }, 'units/ghost/gps', positionPayload('ghost', new Date()));
    expect(unknown.code).not.toBe(0);
    expect(await t.metric('hub_mqtt_connect_refused_total', 'reason="unknown_unit"')).toBeGreaterThanOrEqual(1);
    expect(await t.storedPositions('car-a')).toBe(0);
  });

  it('refuses a disabled unit', async () => {
    const { secret } = await t.createUnit('car-off');
    expect((await t.api('POST', '/api/units/car-off/disable')).status).toBe(200);
    const res = await mosquittoPub({ port: t.hub.mqttPort, username: 'car-off', password: secret }, 'units/car-off/gps', positionPayload('car-off', new Date()));
    expect(res.code).not.toBe(0);
    expect(await t.metric('hub_mqtt_connect_refused_total', 'reason="disabled"')).toBeGreaterThanOrEqual(1);
  });
});

describe('topic ACL', () => {
  it("refuses unit A publishing under unit B's topic, and stores nothing", async () => {
    const before = await t.metric('hub_mqtt_publish_refused_total', 'reason="other_unit"');
    const client = await mqtt.connectAsync(t.mqtt, { username: 'car-a', password: secretA, reconnectPeriod: 0, clientId: 'a-1' });
    const closed = new Promise<void>((r) => client.on('close', () => r()));
    client.publish('units/car-b/gps', positionPayload('car-b', new Date()), { qos: 1 });
    await closed; // MQTT-3.3.5-2: the broker closes the connection
    client.end(true);
    expect(await t.metric('hub_mqtt_publish_refused_total', 'reason="other_unit"')).toBe(before + 1);
    // with mosquitto_pub as well
    const res = await mosquittoPub({ port: t.hub.mqttPort, username: 'car-a', password: secretA }, 'units/car-b/gps', positionPayload('car-b', new Date()));
    expect(res.code).not.toBe(0);
    expect(await t.metric('hub_mqtt_publish_refused_total', 'reason="other_unit"')).toBe(before + 2);
    expect(await t.storedPositions('car-b')).toBe(0);
  });

  it('lets a unit subscribe to its own command topic only (SUBACK 0x80 otherwise)', async () => {
    const client = await mqtt.connectAsync(t.mqtt, { username: 'car-a', password: secretA, reconnectPeriod: 0, clientId: 'a-2' });
    // read the SUBACK itself: mqtt.js turns a refused filter into an error
    const suback = new Promise<number[]>((resolve) => client.on('packetreceive', (p) => p.cmd === 'suback' && resolve(p.granted as number[])));
    client.subscribe(['units/car-a/cmd', 'units/car-b/cmd', 'units/#'], () => {});
    const granted = await suback;
    await client.endAsync();
    expect(granted).toEqual([0, 128, 128]);
    expect(await t.metric('hub_mqtt_subscribe_refused_total', 'reason="topic_not_allowed"')).toBeGreaterThanOrEqual(2);
  });

  it('delivers a command to its unit, and the acknowledgement comes back on the bus', async () => {
    const client = await mqtt.connectAsync(t.mqtt, { username: 'car-b', password: secretB, reconnectPeriod: 0, clientId: 'b-1' });
    await client.subscribeAsync('units/car-b/cmd', { qos: 1 });
    const acked = new Promise<{ unitId: string; ack: { id: string; ok: boolean } }>((r) => t.hub.telemetry.bus.once('commandAck', r));
    client.on('message', (_topic, payload) => {
      const cmd = JSON.parse(payload.toString()) as { id: string };
      client.publish('units/car-b/cmd/ack', JSON.stringify({ id: cmd.id, ok: true }), { qos: 1 });
    });
    await t.hub.telemetry.broker.sendCommand('car-b', { id: 'c-1', type: 'message', text: 'report in', ts: Date.now() });
    const { unitId, ack } = await acked;
    await client.endAsync();
    expect(unitId).toBe('car-b');
    expect(ack).toMatchObject({ id: 'c-1', ok: true });
  });

  it('shows which units are connected in /health and /metrics', async () => {
    const client = await mqtt.connectAsync(t.mqtt, { username: 'car-a', password: secretA, reconnectPeriod: 0, clientId: 'a-3' });
    const health = await eventually(async () => {
      const h = (await (await fetch(`${t.http}/health`)).json()) as { status: string; mqtt: { connectedUnits: number } };
      return h.mqtt.connectedUnits >= 1 && h;
    });
    expect(health.status).toBe('ok');
    expect(await t.metric('hub_mqtt_connected_units')).toBeGreaterThanOrEqual(1);
    await client.endAsync();
  });
});

describe('revocation', () => {
  it('cuts off a unit at once when it is disabled or its credential is rotated', async () => {
    const { secret } = await t.createUnit('car-stolen');
    const connect = (password: string) => mqtt.connectAsync(t.mqtt, { username: 'car-stolen', password, clientId: `stolen-${Math.random()}`, reconnectPeriod: 0 });
    // rotation: the connection made with the old secret is closed, and the old secret is refused
    const first = await connect(secret);
    const closed = new Promise<void>((r) => first.on('close', () => r()));
    const rotated = await t.api<{ secret: string }>('POST', '/api/units/car-stolen/credential');
    await closed;
    await expect(connect(secret)).rejects.toMatchObject({ code: 4 });
    // disabling: the connection made with the new secret is closed, and it is refused from then on
    const second = await connect(rotated.body.secret);
    const closedAgain = new Promise<void>((r) => second.on('close', () => r()));
    expect((await t.api('POST', '/api/units/car-stolen/disable')).status).toBe(200);
    await closedAgain;
    await expect(connect(rotated.body.secret)).rejects.toMatchObject({ code: 5 });
    first.end(true);
    second.end(true);
  });
});

describe('no credential at all', () => {
  it('refuses a CONNECT without username (mosquitto_sub)', async () => {
    const res = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(t.hub.mqttPort), '-t', 'units/#', '-C', '1', '-W', '3']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/bad user name or password|not authori[sz]ed|refused/i);
  });
});
