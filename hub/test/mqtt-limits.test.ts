// The broker's limits: packet size (TCP and WebSocket, before the body is buffered) and
// failed logins per source address. Every refusal is counted.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { eventually, positionPayload, startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
let secret: string;

beforeAll(async () => {
  t = await startTestHub({ 'mqtt.loginFailures.perUnit': 5, 'mqtt.loginFailures.perAddress': 12, 'mqtt.loginFailures.windowSeconds': 4 });
  secret = (await t.createUnit('lim-1')).secret;
});
afterAll(() => t?.close());

/** Fixed header of a packet of `type` declaring `remaining` bytes (MQTT-2.2.3 variable byte integer). */
function fixedHeader(type: number, remaining: number): Buffer {
  const bytes = [type];
  do {
    let b = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) b |= 0x80;
    bytes.push(b);
  } while (remaining > 0);
  return Buffer.from(bytes);
}

const MB = 1024 * 1024;

/** Streams a packet declaring 250 MB in 64 KiB writes until the hub closes; resolves with the bytes it took. */
function streamHugeOverTcp(type: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(t.hub.mqttPort, '127.0.0.1');
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    socket.on('error', () => {});
    socket.on('close', () => resolve(sent));
    socket.on('connect', () => {
      socket.write(fixedHeader(type, 250 * MB));
      const pump = () => {
        while (!socket.destroyed && sent < 250 * MB) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}

describe('MQTT packet size', () => {
  it('closes a TCP connection that declares a 250 MB CONNECT before reading its body', async () => {
    const before = await t.metric('hub_mqtt_packet_refused_total', 'reason="too_large",transport="tcp"');
    const heapBefore = process.memoryUsage().arrayBuffers;
    const sent = await streamHugeOverTcp(0x10);
    // closed long before the declared size arrived (the kernel's buffers take a few MB)
    expect(sent).toBeLessThan(64 * MB);
    expect(await t.metric('hub_mqtt_packet_refused_total', 'reason="too_large",transport="tcp"')).toBe(before + 1);
    // the hub (same process) did not keep what it was sent
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(32 * MB);
  });

  it('closes a unit’s connection on a 100 KB PUBLISH: no PUBACK, nothing stored, counted; a normal position still works', async () => {
    const before = await t.metric('hub_mqtt_packet_refused_total', 'reason="too_large",transport="tcp"');
    const client = await mqtt.connectAsync(t.mqtt, { username: 'lim-1', password: secret, clientId: 'lim-1-a', reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => client.on('close', () => r()));
    let acked = false;
    client.publish('units/lim-1/gps', positionPayload('lim-1', new Date(), 22.5, 114.0, { pad: 'x'.repeat(100_000) }), { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await closed;
    client.end(true);
    expect(acked).toBe(false);
    expect(await t.metric('hub_mqtt_packet_refused_total', 'reason="too_large",transport="tcp"')).toBe(before + 1);
    expect(await t.storedPositions('lim-1')).toBe(0);

    const ok = await mqtt.connectAsync(t.mqtt, { username: 'lim-1', password: secret, clientId: 'lim-1-b', reconnectPeriod: 0 });
    await ok.publishAsync('units/lim-1/gps', positionPayload('lim-1', new Date()), { qos: 1 });
    await ok.endAsync();
    expect(await t.storedPositions('lim-1')).toBe(1);
  });

  it('holds MQTT over WebSocket to the same limit: a 20 KB PUBLISH, and a 250 MB CONNECT streamed in small messages', async () => {
    const before = await t.metric('hub_mqtt_packet_refused_total', 'reason="too_large",transport="ws"');
    const client = await mqtt.connectAsync(t.ws, { username: 'lim-1', password: secret, clientId: 'lim-1-ws', reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => client.on('close', () => r()));
    let acked = false;
    client.publish('units/lim-1/gps', positionPayload('lim-1', Date.now() + 1, 22.5, 114.0, { pad: 'x'.repeat(20_000) }), { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await closed;
    client.end(true);
    expect(acked).toBe(false);
    expect(await t.metric('hub_mqtt_packet_refused_total', 'reason="too_large",transport="ws"')).toBe(before + 1);

    // a raw WebSocket: the CONNECT header declares 250 MB, then 16 KiB messages follow
    const ws = new WebSocket(t.ws, 'mqtt');
    await new Promise((r) => ws.once('open', r));
    let sent = 0;
    const wsClosed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.send(fixedHeader(0x10, 250 * MB));
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    while (ws.readyState === WebSocket.OPEN && sent < 250 * MB) {
      ws.send(chunk);
      sent += chunk.length;
      if (ws.bufferedAmount > MB) await new Promise((r) => setTimeout(r, 5));
    }
    await wsClosed;
    expect(sent).toBeLessThan(64 * MB);
    expect(await t.metric('hub_mqtt_packet_refused_total', 'reason="too_large",transport="ws"')).toBe(before + 2);
  });
});

/** One CONNECT; resolves with the CONNACK return code (0 = accepted). */
async function connectCode(unitId: string, password: string): Promise<number> {
  const client = mqtt.connect(t.mqtt, { username: unitId, password, reconnectPeriod: 0, clientId: `${unitId}-${Math.random()}` });
  const code = await new Promise<number>((resolve) => {
    client.once('connect', () => resolve(0));
    client.once('error', (err: Error & { code?: number }) => resolve(err.code ?? -1));
  });
  client.end(true);
  return code;
}

describe('failed logins per source address', () => {
  it('refuses further CONNECTs for a unit id after its failures, without checking the secret, while other units get in', async () => {
    const other = (await t.createUnit('lim-2')).secret;
    const own = (await t.createUnit('lim-3')).secret;
    const throttledBefore = await t.metric('hub_mqtt_connect_refused_total', 'reason="login_throttled"');
    for (let i = 0; i < 5; i++) expect(await connectCode('lim-3', 'wrong-secret')).toBe(4);
    // the sixth try is refused even with the right secret: CONNACK 3, so that devices retry later
    expect(await connectCode('lim-3', own)).toBe(3);
    expect(await connectCode('lim-3', 'wrong-secret')).toBe(3);
    expect(await t.metric('hub_mqtt_connect_refused_total', 'reason="login_throttled"')).toBe(throttledBefore + 2);
    // another unit behind the same address (a NAT) is not held up
    expect(await connectCode('lim-2', other)).toBe(0);
    // once the window has passed the unit gets in again
    await eventually(async () => (await connectCode('lim-3', own)) === 0, 30_000, 'the lock to lift');
  });

  it('refuses every unit id from an address that fails across many ids', async () => {
    const good = (await t.createUnit('lim-5')).secret;
    for (let i = 0; i < 12; i++) await connectCode(`guess-${i}`, 'x');
    expect(await connectCode('lim-5', good)).toBe(3);
    await eventually(async () => (await connectCode('lim-5', good)) === 0, 30_000, 'the lock to lift');
  });
});
