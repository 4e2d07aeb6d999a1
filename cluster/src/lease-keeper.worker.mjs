// The hub's lease, renewed from a thread of its own (see lease-keeper.ts). Plain JavaScript so
// that it runs as it is under `node --import tsx`, vitest and the image alike.
//
// Every leaseMs / 3 it sets `{hub}:alive:<hubId>` for leaseMs (and the hub's URL), unless the
// hub's main thread has not beaten for stallMs: a hub stuck that long is dead to the others.
// Posts `{ type: 'lapsed' }` when a renewal finds the hub gone from the members (another hub
// swept it), and `{ type: 'stalled', ms }` / `{ type: 'recovered' }` around a stall.
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';

const { redisUrl, hubId, leaseMs, stallMs, heartbeat, prefix, connectionName } = workerData;
const beat = new Float64Array(heartbeat);
let advertiseUrl = workerData.advertiseUrl;
let stalled = false;
let recoveringSince;
let stopped = false;

const redis = new Redis(redisUrl, {
  connectionName,
  // a renewal while Redis is down fails at once; the next one tries again
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (times) => Math.min(200 * times, 2000),
});
redis.on('error', () => {}); // said by the hub's own connection

async function renew() {
  if (stopped || redis.status !== 'ready') return;
  const silentMs = Date.now() - beat[0];
  if (silentMs > stallMs) {
    if (!stalled) parentPort.postMessage({ type: 'stalled', ms: silentMs });
    stalled = true;
    recoveringSince = undefined;
    return;
  }
  if (stalled) {
    // let go as a dead hub: the others get a whole lease to sweep it before it comes back
    recoveringSince ??= Date.now();
    if (Date.now() - recoveringSince < leaseMs) return;
    parentPort.postMessage({ type: 'recovered' });
    stalled = false;
    recoveringSince = undefined;
  }
  const tx = redis.multi().set(`${prefix}alive:${hubId}`, '1', 'PX', leaseMs).sadd(`${prefix}members`, hubId);
  if (advertiseUrl) tx.set(`${prefix}url:${hubId}`, advertiseUrl, 'PX', leaseMs);
  try {
    const [, added] = (await tx.exec()) ?? [];
    if (added?.[1] === 1 && !stopped) parentPort.postMessage({ type: 'lapsed' });
  } catch {
    // Redis went away meanwhile: the hub's own connection says so
  }
}

const timer = setInterval(() => void renew(), Math.max(100, Math.floor(leaseMs / 3)));

parentPort.on('message', (msg) => {
  if (msg.type === 'advertise') advertiseUrl = msg.url;
  if (msg.type === 'stop') {
    stopped = true;
    clearInterval(timer);
    redis.disconnect();
    parentPort.close();
  }
});
