import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandAckSchema, DispatchAnswerSchema, PositionMessageSchema, UnitCreateSchema, topics, type UnitCredential } from '@hub/config';
import { startFleet } from '../../src/fleet/fleet';
import { fleetCredentials, parseFleetArgs, progressLine } from '../../src/simulate';
import { simulatedUnitType } from '../../src/fleet/unit-speeds';
import { TestBroker, waitFor } from '../support/test-broker';

const creds = (n: number): UnitCredential[] => Array.from({ length: n }, (_, i) => ({ unitId: `sim-${i + 1}`, username: `sim-${i + 1}`, secret: `secret-${i + 1}` }));

let broker: TestBroker;
let dir: string;
beforeEach(async () => {
  broker = await TestBroker.start(Object.fromEntries(creds(5).map((c) => [c.unitId, c.secret])));
  dir = mkdtempSync(path.join(tmpdir(), 'fleet-'));
});
afterEach(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startFleet', () => {
  it('has its simulated people accept a dispatch after reading it: delivered at once, accepted after the delay', async () => {
    const fleet = await startFleet({ credentials: creds(1), broker: broker.url(), staggerMs: 0, tickMs: 1000, acceptDelayMs: [300, 400] });
    try {
      await waitFor(() => fleet.stats().connected === 1, 10_000, 'connected');
      await new Promise((r) => setTimeout(r, 200)); // SUBACK
      const sent = Date.now();
      await broker.publish(topics.cmd('sim-1'), { id: 'd-1', ts: sent, type: 'dispatch', lat: 22.55, lon: 114.06 });
      await waitFor(() => broker.of('sim-1', 'cmd/answer').length === 1, 10_000, 'the answer');
      expect(Date.now() - sent).toBeGreaterThanOrEqual(300);
      expect(CommandAckSchema.parse(broker.of('sim-1', 'cmd/ack')[0])).toMatchObject({ id: 'd-1', ok: true });
      expect(DispatchAnswerSchema.parse(broker.of('sim-1', 'cmd/answer')[0])).toMatchObject({ id: 'd-1', accepted: true });
    } finally {
      await fleet.close();
    }
  });

  it('drives each unit on its own route, one connection per unit, and counts what was acknowledged', async () => {
    const fleet = await startFleet({ credentials: creds(5), broker: broker.url(), staggerMs: 200, tickMs: 20, maxFixes: 10 });
    try {
      await waitFor(() => broker.of('sim-5', 'gps').length >= 10 && fleet.stats().acked >= 50, 15_000, '50 positions');
      const stats = fleet.stats();
      expect(stats).toMatchObject({ units: 5, started: 5, connected: 5, queued: 0, dropped: 0, authErrors: 0 });
      expect(broker.aedes.connectedClients).toBe(5);
      const firsts = new Set<string>();
      for (let i = 1; i <= 5; i++) {
        const positions = broker.of(`sim-${i}`, 'gps').map((p) => PositionMessageSchema.parse(p));
        expect(positions).toHaveLength(10);
        // around Shenzhen Futian, within a few km
        for (const p of positions) expect(Math.abs(p.lat - 22.54) + Math.abs(p.lon - 114.05)).toBeLessThan(0.1);
        firsts.add(`${positions[0]!.lat},${positions[0]!.lon}`);
      }
      expect(firsts.size).toBe(5);
      expect(progressLine(stats, undefined, 1)).toMatch(/^units 5\/5 connected \| sent \d+\/s acked \d+\/s/);
    } finally {
      await fleet.close();
      await fleet.close();
    }
  });
});

describe('the pace of simulated units', () => {
  it('lets body cams walk and cars keep under the vehicle limit, but for the ones told to speed', async () => {
    const types = new Map(creds(5).map((c, i) => [c.unitId, simulatedUnitType(i)] as const));
    expect(types.get('sim-5')).toBe('bodycam');
    const fleet = await startFleet({ credentials: creds(5), broker: broker.url(), staggerMs: 50, tickMs: 20, maxFixes: 5, types, speeders: 1 });
    try {
      await waitFor(() => creds(5).every((c) => broker.of(c.unitId, 'gps').length >= 5), 15_000, 'five positions of each unit');
      const kmh = (unitId: string) => broker.of(unitId, 'gps').map((p) => (PositionMessageSchema.parse(p).speed ?? NaN) * 3.6);
      for (const v of kmh('sim-5')) expect(v >= 3.5 && v <= 6.5, `a body cam at ${v} km/h`).toBe(true); // walking
      for (const v of kmh('sim-1')) expect(v).toBeGreaterThan(80); // the speeder: the first vehicle
      for (const id of ['sim-2', 'sim-3', 'sim-4']) for (const v of kmh(id)) expect(v).toBeLessThan(80);
    } finally {
      await fleet.close();
    }
  });
});

describe('fleet credentials', () => {
  it('creates units through the hub API (409 = exists) and issues credentials', async () => {
    const created: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.headers.authorization !== 'Bearer admin-token-0123456789') {
          res.statusCode = 401;
          return res.end(JSON.stringify({ code: 'HUB_ERR_AUTH_INVALID', message: 'no' }));
        }
        if (req.method === 'POST' && req.url === '/api/units') {
          const unit = UnitCreateSchema.parse(JSON.parse(body));
          created.push(unit);
          res.statusCode = unit.id === 'sim-0002' ? 409 : 201;
          return res.end(JSON.stringify(res.statusCode === 409 ? { code: 'HUB_ERR_UNIT_EXISTS', message: 'exists' } : unit));
        }
        const m = /^\/api\/units\/([^/]+)\/credential$/.exec(req.url ?? '');
        if (req.method === 'POST' && m) {
          res.statusCode = 201;
          return res.end(JSON.stringify({ unitId: m[1], username: m[1], secret: `fresh-${m[1]}` }));
        }
        res.statusCode = 404;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const hub = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const opts = parseFleetArgs(['--units', '3', '--hub', hub, '--admin-token', 'admin-token-0123456789'], {});
      if (opts === 'help') throw new Error('unexpected');
      const got = await fleetCredentials(opts);
      expect(got.map((c) => c.secret)).toEqual(['fresh-sim-0001', 'fresh-sim-0002', 'fresh-sim-0003']);
      expect(created).toHaveLength(3);
      const bad = parseFleetArgs(['--units', '1', '--hub', hub, '--admin-token', 'wrong'], {});
      if (bad === 'help') throw new Error('unexpected');
      await expect(fleetCredentials(bad)).rejects.toThrow(/HTTP 401 HUB_ERR_AUTH_INVALID/);
    } finally {
      server.close();
    }
  });

  it('explains bad simulator arguments', () => {
    expect(() => parseFleetArgs(['--units', '0'], {})).toThrow(/--units: .*>=1/);
    expect(() => parseFleetArgs(['--units', '3'], {})).toThrow(/--credentials: give --hub URL with --admin-token/);
    expect(() => parseFleetArgs(['--units', '3', '--hub', 'http://x'], {})).toThrow(/--admin-token: --hub needs --admin-token/);
    expect(() => parseFleetArgs(['--units', '3', '--credentials', 'f', '--centre', '95,1'], {})).toThrow(/--centre/);
  });

  it('runs from the command line with a credentials file and shows progress every second', async () => {
    const file = path.join(dir, 'creds.json');
    writeFileSync(file, JSON.stringify(creds(3)));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'edge-agent/src/simulate.ts', '--units', '3', '--broker', broker.url(), '--credentials', file, '--duration', '2.5', '--stagger-ms', '100'],
      { cwd: path.resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(out).toMatch(/units 3\/3 connected \| sent \d+\/s acked \d+\/s/);
    expect(out).toMatch(/stopped: \d+ positions acknowledged, 0 left queued, 0 dropped/);
    expect(code).toBe(0);
    expect(broker.of('sim-3', 'gps').length).toBeGreaterThanOrEqual(1);
  });
});
