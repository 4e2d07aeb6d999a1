// Bad input never poisons good data (issue 10): text PostgreSQL cannot store (U+0000, unpaired
// surrogates) is refused or cleaned where it enters; a row the database refuses is isolated
// from its batch; a fix dated ahead never holds the live marker; malformed ids and numbers in
// REST answer 400, never 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { Alarm, LiveBatch, PositionOut } from '@hub/config';
import { PositionRefusedError } from '@hub/telemetry';
import { ADMIN_TOKEN, eventually, positionPayload, startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
const secrets: Record<string, string> = {};
const UNITS = ['nul-1', 'nul-2', 'batch-1', 'batch-2', 'batch-3', 'skew-1'];
// The batch-isolation test writes one bad row and one position from each of three units:
// with one lane, maxBatch 4 and a 1 s wait for a batch to fill they go to the database as
// one batch (flushed when full).
const BATCH = 4;

beforeAll(async () => {
  t = await startTestHub({ 'ingest.concurrency': 1, 'ingest.maxBatch': BATCH, 'ingest.flushMs': 1000, 'live.flushMs': 50 });
  for (const id of UNITS) secrets[id] = (await t.createUnit(id)).secret;
});
afterAll(() => t?.close());

function connectUnit(id: string): Promise<MqttClient> {
  return mqtt.connectAsync(t.mqtt, { username: id, password: secrets[id], clientId: `${id}-${Math.random()}`, reconnectPeriod: 0 });
}

async function rejections(unitId: string): Promise<{ reason: string; detail: string }[]> {
  const { body } = await t.api<{ rejections: { unitId: string; reason: string; detail: string }[] }>('GET', '/api/ingest/rejections');
  return body.rejections.filter((r) => r.unitId === unitId);
}

async function storedTs(unitId: string): Promise<number[]> {
  const { rows } = await t.hub.db.query<{ ts: Date }>('SELECT ts FROM positions WHERE unit_id = $1 ORDER BY ts', [unitId]);
  return rows.map((r) => r.ts.getTime());
}

describe('U+0000 over MQTT', () => {
  it('stores an SOS whose message holds a NUL (cleaned), acknowledges it and keeps the connection', async () => {
    const c = await connectUnit('nul-1');
    // publishAsync at QoS 1 resolves on the PUBACK: before the fix the connection closed instead
    await c.publishAsync('units/nul-1/alarm', JSON.stringify({ ts: Date.now(), type: 'sos', code: 'pa\u0000nic', message: 'help\u0000 at gate \ud800 3' }), { qos: 1 });
    const sos = await eventually(async () => (await t.api<Alarm[]>('GET', '/api/alarms?unitId=nul-1')).body.find((a) => a.kind === 'sos'), 10_000, 'the SOS in the API');
    expect(JSON.stringify(sos.details)).toContain('help at gate \ufffd 3');
    expect(JSON.stringify(sos.details)).not.toMatch(/\\u0000/);
    expect(c.connected).toBe(true);
    await c.endAsync();
  });

  it("refuses and counts a position with a NUL in a flag, acknowledges it, and stores the unit's next one", async () => {
    const c = await connectUnit('nul-2');
    const t0 = Date.now() - 20_000;
    await c.publishAsync('units/nul-2/gps', positionPayload('nul-2', t0, 22.5, 114, { flags: ['ignition', 'door\u0000open'] }), { qos: 1 });
    await c.publishAsync('units/nul-2/gps', positionPayload('nul-2', t0 + 1000, 22.5, 114, { flags: ['ignition'] }), { qos: 1 });
    await c.publishAsync('units/nul-2/gps', positionPayload('nul-2', t0 + 2000, 22.5, 114, { flags: ['x\udc00'] }), { qos: 1 });
    // the PUBACKs came: the batch with the good one is stored
    expect(await storedTs('nul-2')).toEqual([t0 + 1000]);
    expect(c.connected).toBe(true);
    const refused = await rejections('nul-2');
    expect(refused.map((r) => r.reason)).toEqual(['invalid_fields', 'invalid_fields']);
    expect(refused.map((r) => r.detail)).toEqual([expect.stringMatching(/^flags\.0: .*NUL/), expect.stringMatching(/^flags\.1: .*NUL/)]);
    await c.endAsync();
  });

  it('refuses a timestamp no Date can hold instead of failing the batch', async () => {
    const c = await connectUnit('nul-2');
    await c.publishAsync('units/nul-2/gps', positionPayload('nul-2', 9e15), { qos: 1 });
    expect(c.connected).toBe(true);
    expect((await rejections('nul-2')).find((r) => r.detail.startsWith('ts:'))).toMatchObject({ reason: 'invalid_fields' });
    await c.endAsync();
  });
});

describe('a batch with a row the database refuses', () => {
  it("stores every other unit's position, acknowledges them all, and refuses only that row", async () => {
    const clients = await Promise.all(['batch-1', 'batch-2', 'batch-3'].map(connectUnit));
    const ts = Date.now() - 10_000;
    // A row the wire schema would now refuse, written straight to the writer: PostgreSQL refuses it (22P05).
    const bad = t.hub.telemetry.writer.write({ unitId: 'batch-1', ts: new Date(ts - 1000), lat: 22.5, lon: 114, flags: ['a\u0000b'] });
    const badOutcome = bad.then(
      () => 'stored',
      (err: unknown) => err,
    );
    // Their PUBACKs: before the fix the whole batch failed and every connection closed without them.
    await Promise.all(clients.map((c, i) => c.publishAsync(`units/batch-${i + 1}/gps`, positionPayload(`batch-${i + 1}`, ts, 22.5 + i / 100, 114), { qos: 1 })));
    for (const id of ['batch-1', 'batch-2', 'batch-3']) expect(await storedTs(id)).toEqual([ts]);
    const outcome = await badOutcome;
    expect(outcome).toBeInstanceOf(PositionRefusedError);
    expect((outcome as PositionRefusedError).sqlState).toBe('22P05');
    expect(clients.every((c) => c.connected)).toBe(true);
    await Promise.all(clients.map((c) => c.endAsync()));
  });
});

describe('clock skew', () => {
  let wall: Socket;
  const live: PositionOut[] = [];
  beforeAll(async () => {
    wall = ioClient(t.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
    wall.on('batch', (b: LiveBatch) => live.push(...b.positions.filter((p) => p.unitId === 'skew-1')));
    await new Promise<void>((r) => wall.on('connect', () => r()));
  });
  afterAll(() => {
    wall?.close();
  });

  it("a fix dated ahead of the hub's clock does not hold the latest position against true fixes after it", async () => {
    const c = await connectUnit('skew-1');
    // 20 s ahead (within ingest.maxFutureSeconds) and 30 km north of where the unit really is
    await c.publishAsync('units/skew-1/gps', positionPayload('skew-1', Date.now() + 20_000, 22.8, 114), { qos: 1 });
    const truth = [22.5, 22.501, 22.502];
    for (const lat of truth) await c.publishAsync('units/skew-1/gps', positionPayload('skew-1', Date.now(), lat, 114), { qos: 1 });
    const latest = (await t.api<PositionOut[]>('GET', '/api/positions/latest')).body.find((p) => p.unitId === 'skew-1');
    expect(latest?.lat).toBe(22.502);
    // the live feed: the last position the wall got for the unit is the last true one
    await eventually(async () => live.some((p) => p.lat === 22.502), 10_000, 'the last true fix on the live feed');
    expect(live.at(-1)?.lat).toBe(22.502);
    // the future-dated fix is still stored, in its place in time
    expect(await storedTs('skew-1')).toHaveLength(4);
    await c.endAsync();
  });

  it('refuses a fix more than ingest.maxFutureSeconds (default 30) ahead', async () => {
    const c = await connectUnit('skew-1');
    await c.publishAsync('units/skew-1/gps', positionPayload('skew-1', Date.now() + 200_000, 22.8, 114), { qos: 1 });
    expect((await rejections('skew-1')).map((r) => r.reason)).toEqual(['ts_in_future']);
    await c.endAsync();
  });
});

describe('socket.io refusals', () => {
  it('carry a HUB_ERR_ code in err.data', async () => {
    const codeOf = (auth: Record<string, string>) =>
      new Promise<unknown>((resolve) => {
        const s = ioClient(t.http, { auth, transports: ['websocket'], reconnection: false });
        s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
          s.close();
          resolve(err.data?.code);
        });
        s.on('connect', () => {
          s.close();
          resolve('connected');
        });
      });
    expect(await codeOf({})).toBe('HUB_ERR_AUTH_REQUIRED');
    expect(await codeOf({ token: 'not-a-session-token' })).toBe('HUB_ERR_AUTH_INVALID');
  });
});

describe('REST: text PostgreSQL cannot store', () => {
  const NUL = 'x\u0000y';
  async function call(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: { code?: string; message?: string } & Record<string, unknown> }> {
    const res = await fetch(t.http + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  it('refuses a NUL in every identifier, name and filter with 400, before any login too', async () => {
    const incident = await call('POST', '/api/incidents', { type: 'fire', lat: 22.5, lon: 114 });
    expect(incident.status).toBe(201);
    const operator = await call('POST', '/api/operators', { username: 'nul-op', role: 'viewer', password: 'pw-nul-op-0123456789' });
    expect(operator.status).toBe(201);
    const q = encodeURIComponent(NUL);
    const cases: [string, string, unknown?][] = [
      ['POST', '/api/auth/login', { username: NUL, password: 'whatever-123' }],
      ['POST', '/api/auth/login', { username: 'admin', password: NUL }],
      ['POST', '/api/units', { id: 'nul-x', name: NUL, type: 'vehicle' }],
      ['POST', '/api/units', { id: 'nul-x', name: 'n', type: 'vehicle', team: NUL }],
      ['POST', '/api/units', { id: 'nul-x', name: 'n', type: 'vehicle', district: NUL }],
      ['PATCH', '/api/units/nul-1', { name: NUL }],
      ['PATCH', '/api/units/nul-1', { team: NUL }],
      ['PATCH', '/api/units/nul-1', { district: NUL }],
      ['GET', `/api/units?search=${q}`],
      ['GET', `/api/units/${q}`],
      ['GET', `/api/units/nul-1/track?from=${q}&to=${q}`],
      [
        'POST',
        '/api/geofences',
        {
          name: NUL,
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 0],
                [1, 1],
                [0, 0],
              ],
            ],
          },
        },
      ],
      ['GET', `/api/alarms?unitId=${q}`],
      ['POST', '/api/incidents', { type: NUL, lat: 22.5, lon: 114 }],
      ['POST', '/api/incidents', { type: 'fire', lat: 22.5, lon: 114, district: NUL }],
      ['POST', `/api/incidents/${incident.body.id}/dispatch`, { unitIds: [NUL] }],
      ['GET', `/api/units/nearest?lat=22&lon=114&types=${q}`],
      ['GET', `/api/kpis?from=${q}&to=${q}`],
      ['POST', '/api/operators', { username: 'nul-op2', role: 'viewer', password: 'pw-0123456789', displayName: NUL }],
      ['POST', '/api/operators', { username: 'nul-op2', role: 'viewer', password: `pw-0123456789${NUL}` }],
      ['PATCH', '/api/operators/nul-op', { displayName: NUL }],
      ['PATCH', `/api/operators/${q}`, { displayName: 'n' }],
      ['GET', `/api/audit?actor=${q}`],
      ['GET', `/api/audit?action=${q}`],
      ['PUT', `/api/presets/${q}`, { layout: { grid: 1, tiles: [] } }],
      ['PUT', '/api/presets/p1', { layout: { grid: 1, tiles: [NUL] } }],
      ['POST', '/api/intake/clients', { name: NUL }],
    ];
    for (const [method, path, body] of cases) {
      const res = await call(method, path, body);
      expect({ method, path, body, status: res.status }).toEqual({ method, path, body, status: 400 });
      expect(res.body.code).toMatch(/^HUB_ERR_(VALIDATION|BAD_REQUEST)$/);
    }
  });

  it('cleans a NUL out of free text (notes, reasons, descriptions) and keeps the request', async () => {
    const created = await call('POST', '/api/incidents', { type: 'fire', lat: 22.5, lon: 114, note: 'smoke\u0000 seen' });
    expect(created.status).toBe(201);
    expect(created.body.note).toBe('smoke seen');
    const moved = await call('POST', `/api/incidents/${created.body.id}/transition`, { to: 'resolved', reason: 'out\u0000' });
    expect(moved.status).toBe(200);
    const reopened = await call('POST', `/api/incidents/${created.body.id}/reopen`, { reason: 'flared\u0000 up' });
    expect(reopened.status).toBe(200);
    const dispatched = await call('POST', `/api/incidents/${created.body.id}/dispatch`, { unitIds: ['nul-1'], note: 'go\u0000' });
    expect(dispatched.status).toBe(200);

    const client = await call('POST', '/api/intake/clients', { name: 'hotline' });
    expect(client.status).toBe(201);
    const ext = await call(
      'POST',
      '/api/intake/events',
      { source: 'hotline', type: 'hotline', lat: 22.5, lon: 114, ts: new Date().toISOString(), description: 'caller\u0000 says' },
      client.body.token as string,
    );
    expect(ext.status).toBe(201);
    const refused = await call('POST', '/api/intake/events', { source: NUL, type: 'hotline', lat: 22.5, lon: 114, ts: new Date().toISOString() }, client.body.token as string);
    expect(refused.status).toBe(400);
  });
});

describe('REST: ids, numbers and path lengths', () => {
  const get = (path: string) => t.api<{ code?: string }>('GET', path);

  it('answers 400 with a HUB_ERR_ code for ids out of range or not in decimal digits', async () => {
    for (const id of ['2147483648', '0x1', '1e3', '-1', '0', '1.5', '99999999999999999999']) {
      for (const path of [`/api/geofences/${id}`, `/api/incidents/${id}`]) {
        const res = await get(path);
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 400, code: 'HUB_ERR_VALIDATION' });
      }
    }
    const ack = await t.api<{ code: string }>('POST', '/api/alarms/2147483648/ack', {});
    expect([ack.status, ack.body.code]).toEqual([400, 'HUB_ERR_VALIDATION']);
    const byAlarm = await t.api<{ code: string }>('POST', '/api/incidents', { type: 'fire', lat: 22.5, lon: 114, alarmId: 2147483648 });
    expect([byAlarm.status, byAlarm.body.code]).toEqual([400, 'HUB_ERR_VALIDATION']);
    // the largest id is a plain "not found"
    expect((await get('/api/geofences/2147483647')).status).toBe(404);
  });

  it('answers 400 for a bbox that is not four decimal numbers, and for missing or hex coordinates', async () => {
    for (const bbox of [',,,', '0x10,0,20,10', '1e1,0,20,10', '0,0,10', '0,0,10,10,5', ' 0,0,10,10']) {
      const res = await get(`/api/positions/latest?bbox=${encodeURIComponent(bbox)}`);
      expect({ bbox, status: res.status, code: res.body.code }).toEqual({ bbox, status: 400, code: 'HUB_ERR_VALIDATION' });
    }
    expect((await get('/api/positions/latest?bbox=113.5,22,-0.5e0,23')).status).toBe(400);
    expect((await get('/api/positions/latest?bbox=113.5,22.25,114.75,23')).status).toBe(200);
    for (const q of ['lat=&lon=', 'lat=22', 'lat=0x10&lon=114', 'lat=22&lon=114&limit=1e1', 'lat=22&lon=114&limit=']) {
      const res = await get(`/api/units/nearest?${q}`);
      expect({ q, status: res.status, code: res.body.code }).toEqual({ q, status: 400, code: 'HUB_ERR_VALIDATION' });
    }
    expect((await get('/api/units/nearest?lat=22.5&lon=114')).status).toBe(200);
    expect((await get('/api/alarms?limit=0x10')).status).toBe(400);
  });

  it("answers 400 HUB_ERR_BAD_REQUEST for a path parameter beyond the router's limit, and takes a long non-Latin preset name", async () => {
    for (const path of [`/api/units/${'a'.repeat(2000)}`, `/api/geofences/${'1'.repeat(2000)}`]) {
      const res = await get(path);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'HUB_ERR_BAD_REQUEST' });
    }
    // below the limit, the route's own schema answers
    expect((await get(`/api/units/${'a'.repeat(300)}`)).body.code).toBe('HUB_ERR_VALIDATION');
    // 64 CJK characters: 576 characters percent-encoded, more than Fastify's default of 100
    const name = encodeURIComponent('中'.repeat(64));
    expect((await t.api('PUT', `/api/presets/${name}`, { layout: { grid: 1, tiles: [] } })).status).toBe(200);
  });
});
