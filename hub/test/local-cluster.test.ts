// `npm run cluster` as its users run it (issue 14's failover check, at a test's size): Redis,
// PostgreSQL, two hub processes and HAProxy; units are edge agents with their store-and-forward
// journal connected through HAProxy, and a wall watches one hub. One hub is killed with SIGKILL
// while the units report: they reconnect through HAProxy to the other, every position they
// sent is stored exactly once, no unit is left offline or said offline twice, and the wall on
// the surviving hub keeps its live feed.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { spawnTied } from '@hub/config/node';
import type { Health, LiveBatch, UnitCredential, UnitStatusOut } from '@hub/config';
import { RouteSource, UnitAgent } from '@hub/edge-agent';
import { freePort } from '../../test-support/ports';
import { waitForOutput } from '../../test-support/hub-process';
import { eventually } from '../../test-support/wait';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UNITS = 12;
const FIXES = 60; // one every 250 ms: 15 s of reporting, the kill in the middle

interface ClusterState {
  front: { httpPort: number; mqttPort: number };
  hubs: { name: string; httpPort: number; pid: number }[];
  token: string;
}

let launcher: ChildProcess | undefined;
let wall: Socket | undefined;
const agents: UnitAgent[] = [];
afterAll(async () => {
  wall?.close();
  await Promise.all(agents.map((a) => a.close()));
  if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
    const exited = new Promise((r) => launcher!.once('exit', r));
    launcher.kill('SIGTERM');
    await exited;
  }
});

it('a hub killed under load: its units reconnect to the other through HAProxy, every position stored once, the wall stays live', async () => {
  const data = mkdtempSync(path.join(tmpdir(), 'hub-cluster-'));
  chmodSync(data, 0o755); // the embedded PostgreSQL runs as the postgres user when the tests run as root
  const [http, mqtt, jt808] = [await freePort(), await freePort(), await freePort()];
  launcher = spawnTied(
    process.execPath,
    ['--import', 'tsx', 'hub/src/cluster/local.ts', '--hubs', '2', '--http', String(http), '--mqtt', String(mqtt), '--jt808', String(jt808), '--data', data, '--lease-ms', '1500'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await waitForOutput(launcher, 'Cluster ready', 180_000);
  const state = JSON.parse(readFileSync(path.join(data, 'cluster.json'), 'utf8')) as ClusterState;
  const api = async <T>(method: string, p: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${http}${p}`, {
      method,
      headers: { authorization: `Bearer ${state.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as T;
  };
  const health = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Health;

  // the units, through HAProxy's MQTT port, as edge agents with their journal
  const ids = Array.from({ length: UNITS }, (_, i) => `lc-${i}`);
  const credentials: UnitCredential[] = [];
  for (const id of ids) {
    await api('POST', '/api/units', { id, name: id, type: 'vehicle' });
    credentials.push(await api<UnitCredential>('POST', `/api/units/${id}/credential`));
  }
  const startTs = Date.now() - 3_600_000;
  const queues = mkdtempSync(path.join(tmpdir(), 'lc-q-'));
  for (const [i, c] of credentials.entries()) {
    const gps = new RouteSource({ startTs, tickMs: 250, maxFixes: FIXES, startOffsetM: i * 150 });
    agents.push(await UnitAgent.start({ unitId: c.unitId, secret: c.secret, broker: `mqtt://127.0.0.1:${mqtt}`, reconnectMs: 200, queueDir: path.join(queues, c.unitId), gps }));
  }
  await eventually(async () => (await health(state.hubs[0]!.httpPort)).mqtt.connectedUnits + (await health(state.hubs[1]!.httpPort)).mqtt.connectedUnits === UNITS, 30_000, 'every unit connected');

  // the hub with more units dies; the wall watches the other
  const counts = await Promise.all(state.hubs.map(async (h) => (await health(h.httpPort)).mqtt.connectedUnits));
  const victim = counts[0]! >= counts[1]! ? state.hubs[0]! : state.hubs[1]!;
  const survivor = victim === state.hubs[0] ? state.hubs[1]! : state.hubs[0]!;
  const statuses: UnitStatusOut[] = [];
  let batchesAfterKill = 0;
  let killed = false;
  wall = ioClient(`http://127.0.0.1:${survivor.httpPort}`, { auth: { token: state.token }, transports: ['websocket'] });
  wall.on('batch', (b: LiveBatch) => {
    statuses.push(...b.statuses);
    if (killed && b.positions.length > 0) batchesAfterKill++;
  });
  await eventually(async () => wall!.connected, 10_000, 'the wall connected');
  await new Promise((r) => setTimeout(r, 2000));
  process.kill(victim.pid, 'SIGKILL');
  killed = true;

  // every unit reports to the end: all its positions stored, each once (the primary key), none lost
  const trackOf = (id: string) => api<{ ts: string }[]>('GET', `/api/units/${id}/track?from=${new Date(startTs - 1000).toISOString()}&to=${new Date().toISOString()}&limit=1000`);
  await eventually(
    async () => {
      for (const id of ids) if ((await trackOf(id)).length < FIXES) return false;
      return agents.every((a) => a.stats.queued === 0 && a.stats.connected);
    },
    90_000,
    'every unit’s positions stored and its journal empty',
  );
  for (const id of ids) {
    const track = await trackOf(id);
    expect(track, id).toHaveLength(FIXES);
    expect(new Set(track.map((p) => p.ts)).size, id).toBe(FIXES);
  }
  // presence: online at the end, never said offline twice or left offline
  await new Promise((r) => setTimeout(r, 3000)); // past the lease: the dead hub swept
  for (const id of ids) {
    const said = statuses.filter((s) => s.unitId === id).map((s) => s.state);
    expect(said.filter((s) => s === 'offline').length, `${id}: ${said.join(',')}`).toBeLessThanOrEqual(1);
    if (said.length > 0) expect(said.at(-1), `${id}: ${said.join(',')}`).toBe('online');
  }
  // and a coordinator is proposed every one of them: online, wherever it reconnected
  const nearest = await api<{ units: { unitId: string }[] }>('GET', '/api/units/nearest?lat=22.54&lon=114.05&limit=50');
  expect(nearest.units.map((u) => u.unitId).sort()).toEqual([...ids].sort());
  expect(batchesAfterKill).toBeGreaterThan(0); // the surviving hub's wall stayed live
  expect((await health(survivor.httpPort)).cluster).toMatchObject({ redis: 'up', hubs: 1 });
}, 300_000);
