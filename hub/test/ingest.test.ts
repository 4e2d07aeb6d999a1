// Positions from units into the database: a malformed one is refused and counted, every
// valid one around it is stored; duplicates once; late ones in their place in time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { eventually, positionPayload, startTestHub, type TestHub } from '../../test-support/test-hub';
import { mosquittoPub } from './support/mosquitto';

let t: TestHub;
let secret: string;

beforeAll(async () => {
  t = await startTestHub();
  secret = (await t.createUnit('bus-7')).secret;
});
afterAll(() => t?.close());

async function stored(unitId: string): Promise<{ ts: Date; lat: number }[]> {
  const { rows } = await t.hub.db.query<{ ts: Date; lat: number }>('SELECT ts, lat FROM positions WHERE unit_id = $1 ORDER BY ts', [unitId]);
  return rows;
}

describe('ingest', () => {
  it('refuses malformed payloads with their reason and stores every valid one around them (mosquitto_pub -l)', async () => {
    const t0 = Date.now() - 60_000;
    const lines = [
      positionPayload('bus-7', t0),
      positionPayload('bus-7', t0 + 1000),
      '{"unitId":"bus-7","ts":', // not JSON
      positionPayload('bus-7', t0 + 2000),
      positionPayload('bus-7', t0 + 3000, 123.4), // lat out of range
      positionPayload('bus-7', t0 + 4000),
      positionPayload('other-unit', t0 + 5000), // unitId is not the topic's
      positionPayload('bus-7', t0 + 6000),
    ];
    const res = await mosquittoPub({ port: t.hub.mqttPort, username: 'bus-7', password: secret }, 'units/bus-7/gps', lines);
    expect(res.code, res.stderr).toBe(0);
    const rows = await eventually(async () => {
      const r = await stored('bus-7');
      return r.length >= 5 && r;
    });
    expect(rows.map((r) => r.ts.getTime())).toEqual([t0, t0 + 1000, t0 + 2000, t0 + 4000, t0 + 6000]);

    const { body } = await t.api<{ rejections: { reason: string; detail: string; unitId: string }[] }>('GET', '/api/ingest/rejections');
    const reasons = body.rejections
      .filter((r) => r.unitId === 'bus-7')
      .map((r) => r.reason)
      .sort();
    expect(reasons).toEqual(['invalid_fields', 'not_json', 'unit_mismatch']);
    expect(body.rejections.find((r) => r.reason === 'invalid_fields')!.detail).toMatch(/^lat: /);
    const metrics = await (await fetch(`${t.http}/metrics`)).text();
    expect(metrics).toMatch(/hub_messages_rejected_total\{kind="position",reason="not_json"\} 1/);
    expect(metrics).toMatch(/hub_messages_rejected_total\{kind="position",reason="invalid_fields"\} 1/);
  });

  it('acknowledges a QoS 1 position only once it is in the database', async () => {
    const client = await mqtt.connectAsync(t.mqtt, { username: 'bus-7', password: secret, clientId: 'bus-7-a', reconnectPeriod: 0 });
    const ts = Date.now() - 30_000;
    await client.publishAsync('units/bus-7/gps', positionPayload('bus-7', ts, 22.6), { qos: 1 });
    // PUBACK received: the row must already be there, without waiting.
    const { rows } = await t.hub.db.query('SELECT 1 FROM positions WHERE unit_id = $1 AND ts = $2', ['bus-7', new Date(ts)]);
    expect(rows).toHaveLength(1);
    await client.endAsync();
  });

  it('stores a duplicate (same unit and timestamp) once and a late position in its place in time', async () => {
    const client = await mqtt.connectAsync(t.mqtt, { username: 'bus-7', password: secret, clientId: 'bus-7-b', reconnectPeriod: 0 });
    const base = Date.now() - 20_000;
    for (const dt of [0, 2000, 2000, 0, 1000]) {
      await client.publishAsync('units/bus-7/gps', positionPayload('bus-7', base + dt, 22.7), { qos: 1 });
    }
    await client.endAsync();
    const rows = (await stored('bus-7')).filter((r) => r.ts.getTime() >= base);
    expect(rows.map((r) => r.ts.getTime() - base)).toEqual([0, 1000, 2000]);
    // the latest position is the newest by time, not the last received
    const latest = await t.api<{ unitId: string; ts: string }[]>('GET', '/api/positions/latest');
    expect(latest.body.find((p) => p.unitId === 'bus-7')!.ts).toBe(new Date(base + 2000).toISOString());
  });

  it('takes positions over MQTT over WebSocket (as a browser would)', async () => {
    const client = await mqtt.connectAsync(t.ws, { username: 'bus-7', password: secret, clientId: 'bus-7-ws', reconnectPeriod: 0 });
    const ts = Date.now() - 10_000;
    await client.publishAsync('units/bus-7/gps', positionPayload('bus-7', ts, 22.8), { qos: 1 });
    await client.endAsync();
    const rows = await stored('bus-7');
    expect(rows.some((r) => r.ts.getTime() === ts && r.lat === 22.8)).toBe(true);
  });

  it('refuses positions from the future and older than the retention', async () => {
    const client = await mqtt.connectAsync(t.mqtt, { username: 'bus-7', password: secret, clientId: 'bus-7-c', reconnectPeriod: 0 });
    await client.publishAsync('units/bus-7/gps', positionPayload('bus-7', Date.now() + 3_600_000), { qos: 1 });
    await client.publishAsync('units/bus-7/gps', positionPayload('bus-7', Date.now() - 400 * 86_400_000), { qos: 1 });
    await client.endAsync();
    const { body } = await t.api<{ rejections: { reason: string }[] }>('GET', '/api/ingest/rejections');
    expect(
      body.rejections
        .slice(0, 2)
        .map((r) => r.reason)
        .sort(),
    ).toEqual(['too_old', 'ts_in_future']);
  });
});

describe('ingest under a backlog', () => {
  it('past the backlog limit holds each position until its commit, and still stores and acknowledges every one', async () => {
    const small = await startTestHub({ 'ingest.maxBacklog': 100, 'ingest.flushMs': 200 });
    try {
      const { secret: s } = await small.createUnit('bus-9');
      const client = await mqtt.connectAsync(small.mqtt, { username: 'bus-9', password: s, clientId: 'bus-9', reconnectPeriod: 0 });
      const base = Date.now() - 60_000;
      // 500 in flight at once: beyond 100 queued, each further position holds its connection until committed
      await Promise.all(Array.from({ length: 500 }, (_, i) => client.publishAsync('units/bus-9/gps', positionPayload('bus-9', base + i), { qos: 1 })));
      await client.endAsync();
      const { rows } = await small.hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM positions WHERE unit_id = $1', ['bus-9']);
      expect(rows[0]!.n).toBe(500);
      expect(small.hub.telemetry.writer.depth).toBe(0);
    } finally {
      await small.close();
    }
  });
});
