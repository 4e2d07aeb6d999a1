// The cluster's membership against a real Redis: whether a unit is connected anywhere is
// decided once per transition across hubs, a hub killed without a word takes its units
// offline after its lease (said by exactly one of the hubs left), a hub that leaves says so
// at once, and Redis gone and back makes the hubs register their units again.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ClusterMember, ClusterUnavailableError, type ClusterLog } from '../src/index';
import { startRedis, type TestRedis } from '../../test-support/redis';
import { waitForOutput } from '../../test-support/hub-process';
import { eventually } from '../../test-support/wait';

const log: ClusterLog = { info: () => {}, warn: () => {}, error: () => {} };
let redis: TestRedis;
const members: ClusterMember[] = [];
const join = async (hubId: string, leaseMs = 800, stallMs?: number, onLog = log) => {
  const m = await ClusterMember.start({ redisUrl: redis.url, hubId, leaseMs, ...(stallMs ? { stallMs } : {}), log: onLog });
  members.push(m);
  return m;
};

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.close());
afterEach(async () => {
  for (const m of members.splice(0)) await m.close();
});

/** A member in its own process that can be SIGKILLed: a hub that dies without a word. */
async function memberProcess(hubId: string, leaseMs: number, unitIds: string[]) {
  const script = fileURLToPath(new URL('./support/member-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, redis.url, hubId, String(leaseMs), ...unitIds], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, 'registered', 30_000);
  return child;
}

describe('cluster membership', () => {
  it('says a unit online at its first connection in the cluster and offline at its last, whichever hub holds it', async () => {
    const a = await join('hub-a');
    const b = await join('hub-b');
    expect(await a.unitConnected('car-1')).toBe(true);
    expect(await b.unitConnected('car-1')).toBe(false); // already online through hub A
    expect(await a.unitDisconnected('car-1')).toBe(false); // still connected through hub B
    expect(await b.unitDisconnected('car-1')).toBe(true);
    expect(await b.unitConnected('car-1')).toBe(true);
    expect(await b.unitsConnected()).toEqual(['car-1']);
  });

  it('takes a killed hub’s units offline after its lease, said by exactly one of the hubs left', async () => {
    const a = await join('hub-a');
    const b = await join('hub-b');
    const lost: { hub: string; units: string[] }[] = [];
    a.on('unitsLost', (units) => lost.push({ hub: 'a', units }));
    b.on('unitsLost', (units) => lost.push({ hub: 'b', units }));
    const dead = await memberProcess('hub-c', 800, ['car-1', 'car-2', 'bodycam-1']);
    expect(await a.unitConnected('car-2')).toBe(false); // car-2 is also connected through hub A

    dead.kill('SIGKILL');
    await eventually(async () => lost.length > 0, 20_000, 'the dead hub swept');
    await new Promise((r) => setTimeout(r, 2000)); // a second sweep by the other hub would come by now
    expect(lost).toHaveLength(1);
    expect(lost[0]!.units.sort()).toEqual(['bodycam-1', 'car-1']); // not car-2: hub A holds it
    expect((await a.unitsConnected()).sort()).toEqual(['car-2']);
    expect(a.health()).toMatchObject({ redis: 'up', hubs: 2 });
  });

  it('a hub that leaves takes its units offline at once, not after the lease', async () => {
    const a = await join('hub-a', 60_000);
    const b = await join('hub-b', 60_000);
    await a.unitConnected('car-1');
    await a.unitConnected('car-2');
    await b.unitConnected('car-2');
    expect(await a.leave()).toEqual(['car-1']);
    expect(await b.unitsConnected()).toEqual(['car-2']);
  });

  it('registers its units again when Redis comes back empty', async () => {
    const a = await join('hub-a');
    await a.unitConnected('car-1');
    let resyncs = 0;
    a.on('resync', () => resyncs++);
    await redis.restart();
    expect(a.health()).toMatchObject({ redis: 'down' });
    await eventually(async () => resyncs > 0, 20_000, 'a resync after Redis came back');
    expect(a.health()).toMatchObject({ redis: 'up' });
    // the hub registers again what it holds (telemetry's presence does it on `resync`)
    expect(await a.unitConnected('car-1')).toBe(true);
  });

  it('refuses to start without Redis, saying what to do', async () => {
    const err = await ClusterMember.start({ redisUrl: 'redis://:secret@127.0.0.1:1', hubId: 'x', log }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toMatch(/does not answer.*unset cluster.redisUrl/);
    expect((err as Error).message).not.toContain('secret');
  });

  it('names the hub that hosts a stream, with its URL; forgets it when its producer closes, unless another hub took it; a leaving hub takes its streams', async () => {
    const a = await join('hub-a');
    const b = await join('hub-b');
    a.advertise('http://10.0.0.1:8080');
    b.advertise('http://10.0.0.2:8080');
    expect(await a.streamHost('s-1')).toBeUndefined();
    await b.streamHosted('s-1');
    await eventually(async () => (await a.streamHost('s-1'))?.url === 'http://10.0.0.2:8080', 5000, 'B’s URL, renewed with its lease');
    expect((await a.streamHost('s-1'))?.hubId).toBe('hub-b');
    await b.streamGone('s-1');
    expect(await a.streamHost('s-1')).toBeUndefined();

    // the publisher moved to A before B saw its producer close: B's close does not erase A's entry
    await b.streamHosted('s-2');
    await a.streamHosted('s-2');
    await b.streamGone('s-2');
    expect((await b.streamHost('s-2'))?.hubId).toBe('hub-a');

    await b.streamHosted('s-3');
    await b.leave();
    expect(await a.streamHost('s-3')).toBeUndefined();
    expect((await a.streamHost('s-2'))?.hubId).toBe('hub-a');
  });

  it('keeps its lease while its main thread is busy for several leases, and lets it go when it is stuck past stallMs', async () => {
    const lines: string[] = [];
    const said: ClusterLog = { info: () => {}, warn: (_, msg) => void lines.push(msg), error: (_, msg) => void lines.push(msg) };
    const a = await join('hub-a', 600, 2500, said);
    const b = await join('hub-b', 600);
    await a.unitConnected('busy-1');
    const redisClient = new Redis(redis.url);
    const alive = async () => (await redisClient.exists('{hub}:alive:hub-a')) === 1;
    try {
      // this thread (both members' sweeps, and their renewals before the lease thread) blocked for three leases
      block(1800);
      // what Redis holds, asked before any timer of this thread runs again: the lease thread kept it
      expect(await alive()).toBe(true);
      await new Promise((r) => setTimeout(r, 1000)); // B's sweeps run: A is alive, its unit stays
      expect(await b.unitConnectedAnywhere('busy-1')).toBe(true);
      expect(lines).toEqual([]);
      // stuck past stallMs: the lease thread lets the lease go, and B takes the unit offline
      const lost = new Promise<string[]>((resolve) => b.once('unitsLost', (ids) => resolve(ids)));
      const resync = new Promise<string>((resolve) => a.once('resync', (reason) => resolve(reason)));
      block(4500);
      expect(await alive()).toBe(false);
      expect(await lost).toEqual(['busy-1']);
      expect(lines).toContain('cluster: this hub’s main thread is stuck; its lease is let go, as a dead hub’s');
      // running again, A renews its lease after one more lease and registers its units again
      expect(await resync).toBe('lease_lapsed');
      expect(await alive()).toBe(true);
    } finally {
      redisClient.disconnect();
    }
  });
});

/** Keeps this thread busy for `ms`, timers and I/O callbacks waiting (a hub at its limit). */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy */
  }
}
