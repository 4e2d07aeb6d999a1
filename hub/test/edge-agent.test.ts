// The real edge agent against the real hub, through a link that cuts like a cellular
// dead zone: positions wait on disk and all reach the database, once, after reconnect.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GpsSpecSchema, type Alarm, type CommandAckMessage } from '@hub/config';
import { RouteSource, UnitAgent, openGpsSource, provisionUnit, startFleet, type UnitAgentOptions } from '@hub/edge-agent';
import { fixToNmea } from '../../test-support/nmea-writer';
import { LinkProxy } from '../../test-support/link-proxy';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
let proxy: LinkProxy;
const agents: UnitAgent[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  t = await startTestHub();
  proxy = await LinkProxy.start({ target: { port: t.hub.mqttPort } });
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  proxy.restore();
});
afterAll(async () => {
  await proxy?.close();
  await t?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function queueDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'agent-q-'));
  dirs.push(d);
  return d;
}

async function startAgent(opts: Omit<UnitAgentOptions, 'broker'>): Promise<UnitAgent> {
  const agent = await UnitAgent.start({ broker: proxy.url(), reconnectMs: 100, ...opts });
  agents.push(agent);
  return agent;
}

async function storedTs(unitId: string): Promise<number[]> {
  const { rows } = await t.hub.db.query<{ ts: Date }>('SELECT ts FROM positions WHERE unit_id = $1 ORDER BY ts', [unitId]);
  return rows.map((r) => r.ts.getTime());
}

const expected = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i * 1000);

describe('edge agent → hub', () => {
  it('stores all 60 positions of a 60 s link cut at 1 Hz after reconnect, each once', async () => {
    const { secret } = await t.createUnit('truck-1');
    const startTs = Date.now() - 300_000;
    // 80 s of driving at 1 Hz in simulated time, one fix every 10 ms of wall time
    const agent = await startAgent({ unitId: 'truck-1', secret, queueDir: queueDir(), gps: new RouteSource({ startTs, tickMs: 10, maxFixes: 80 }) });
    let duringCut = 0;
    agent.on('position', (_p, seq) => {
      if (!proxy.isUp) duringCut++;
      if (seq === 9) proxy.cut();
      if (seq === 69) proxy.restore();
    });
    await eventually(async () => (await storedTs('truck-1')).length >= 80, 30_000, '80 positions stored');
    expect(duringCut).toBe(60);
    expect(await storedTs('truck-1')).toEqual(expected(startTs, 80)); // none lost, none twice (the primary key), in time order
    expect(agent.stats.dropped).toBe(0);
  });

  it('loses nothing when the agent is restarted during the cut', async () => {
    const { secret } = await t.createUnit('truck-2');
    const dir = queueDir();
    const startTs = Date.now() - 300_000;
    const first = await startAgent({ unitId: 'truck-2', secret, queueDir: dir, gps: new RouteSource({ startTs, tickMs: 10, maxFixes: 40 }) });
    let n = 0;
    first.on('position', (_p, seq) => {
      n++;
      if (seq === 4) proxy.cut();
    });
    await eventually(async () => n === 40, 10_000, '40 positions queued');
    await first.close(); // the gateway reboots in the dead zone
    expect((await storedTs('truck-2')).length).toBeLessThan(40);
    proxy.restore();
    await startAgent({ unitId: 'truck-2', secret, queueDir: dir, gps: new RouteSource({ startTs: startTs + 40_000, tickMs: 10, maxFixes: 20 }) });
    await eventually(async () => (await storedTs('truck-2')).length >= 60, 30_000, '60 positions stored');
    expect(await storedTs('truck-2')).toEqual(expected(startTs, 60));
  });

  it('stores every fix of a 10-minute NMEA log replayed as fast as the hub takes it', async () => {
    const { secret } = await t.createUnit('replay-1');
    const logStart = Date.UTC(2026, 0, 5, 8, 0, 0);
    const log = path.join(queueDir(), 'drive.nmea');
    writeFileSync(log, Array.from({ length: 600 }, (_, i) => fixToNmea({ ts: logStart + i * 1000, lat: 22.54 + i * 1e-5, lon: 114.05, speed: 5, heading: 0, accuracy: 4, alt: 12 })).join(''));
    const before = Date.now();
    const gps = await openGpsSource(GpsSpecSchema.parse(`nmea-file:${log}:0`));
    await startAgent({ unitId: 'replay-1', secret, queueDir: queueDir(), gps });
    await eventually(async () => (await storedTs('replay-1')).length >= 600, 45_000, '600 positions stored');
    const ts = await storedTs('replay-1');
    expect(ts).toHaveLength(600);
    // moved to end at the replay's start, one second apart as recorded
    expect(ts[599]! - ts[0]!).toBe(599_000);
    expect(ts[599]).toBeGreaterThanOrEqual(before);
  });

  it('raises an SOS that the hub stores, and answers a command it has no handler for with unsupported_command', async () => {
    const { secret } = await t.createUnit('cam-9', 'bodycam');
    const agent = await startAgent({ unitId: 'cam-9', secret, queueDir: queueDir() });
    await eventually(async () => agent.stats.connected, 10_000, 'agent connected');
    await agent.report({ ts: Date.now(), lat: 22.541, lon: 114.052, speed: 1 });
    await agent.sos('officer down');
    const sos = await eventually(async () => (await t.api<Alarm[]>('GET', '/api/alarms?unitId=cam-9&kind=sos')).body[0], 10_000, 'SOS in the API');
    expect(sos.details).toMatchObject({ message: 'officer down' });

    // (the SOS also made the hub start the unit's camera: wait for this command's own answer)
    const ack = new Promise<{ unitId: string; ack: CommandAckMessage }>((r) => {
      const on = (a: { unitId: string; ack: CommandAckMessage }) => {
        if (a.ack.id !== 'd-1') return;
        t.hub.telemetry.bus.off('commandAck', on);
        r(a);
      };
      t.hub.telemetry.bus.on('commandAck', on);
    });
    await t.hub.telemetry.broker.sendCommand('cam-9', { id: 'd-1', type: 'dispatch', lat: 22.55, lon: 114.06, note: 'go', ts: Date.now() });
    // no one on this agent takes dispatches: it says so, never "ok" (issue 12 §1)
    expect(await ack).toMatchObject({ unitId: 'cam-9', ack: { id: 'd-1', ok: false, code: 'unsupported_command' } });
  });

  it('runs a simulated fleet provisioned through the REST API', async () => {
    const creds = await Promise.all(['sim-1', 'sim-2', 'sim-3'].map((id) => provisionUnit({ hub: t.http, adminToken: ADMIN_TOKEN }, { id, name: id, type: 'vehicle' })));
    const fleet = await startFleet({ credentials: creds, broker: t.mqtt, rateHz: 1, tickMs: 50, staggerMs: 100, maxFixes: 10 });
    try {
      await eventually(async () => fleet.stats().acked >= 30, 20_000, '30 acked');
      const latest = await t.api<{ unitId: string }[]>('GET', '/api/positions/latest');
      expect(latest.body.map((p) => p.unitId)).toEqual(expect.arrayContaining(['sim-1', 'sim-2', 'sim-3']));
    } finally {
      await fleet.close();
    }
  });
});
