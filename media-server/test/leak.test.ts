// Viewers joining and leaving one live producer: every transport, consumer and peer is
// closed and freed. The full 1,000 cycles with heap figures: `npm run bench:churn`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeriftRouter } from '../src';
import { publishToRouter, type RouterPublisher } from './support/rtp-peers';
import { churnViewers, collectGarbage, udpSockets } from './support/churn';
import { eventually, waitFor } from '../../test-support/wait';

const CYCLES = 80;
const streamId = 'churn';
let router: WeriftRouter;
let pub: RouterPublisher;

beforeAll(async () => {
  router = new WeriftRouter({ additionalHostAddresses: ['127.0.0.1'], peerTimeoutMs: 3000 });
  pub = await publishToRouter(router, streamId, { fps: 15 });
  await eventually(async () => ((await router.producers.get(streamId)?.stats())?.packets ?? 0) > 0, 10_000, 'the publisher’s packets');
});
afterAll(async () => {
  await pub?.close();
  router?.close();
});

describe('viewer join/leave', () => {
  it(`frees every transport, consumer, peer and socket over ${CYCLES} cycles`, { timeout: 90_000 }, async () => {
    const producer = router.producers.get(streamId)!;
    // a first round warms up lazy allocations (werift's modules, crypto, codecs)
    await churnViewers({ router, streamId, cycles: 8 });
    await collectGarbage();
    const sockets = udpSockets();
    const transports = router.transports.size;
    const heapBefore = process.memoryUsage().heapUsed;

    await churnViewers({ router, streamId, cycles: CYCLES, parallel: 8 });

    // the SFU: only the publisher's transport is left, no consumer, no viewer record
    await waitFor(() => router.transports.size === transports, 10_000, 'viewer transports closed');
    expect(router.transports.size).toBe(1);
    expect(producer.consumers.size).toBe(0);
    expect((await producer.stats()).consumers).toEqual([]);
    expect(router.viewers.size).toBe(0);
    expect(router.producers.get(streamId)).toBe(producer); // the stream stayed live throughout
    // both ends' sockets: back to what they were
    await waitFor(() => udpSockets() <= sockets, 10_000, `UDP sockets back to ${sockets} (now ${udpSockets()})`);
    await collectGarbage();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    console.log(`heap after ${CYCLES} cycles: ${(grown / 1024).toFixed(0)} kB more (${(grown / CYCLES / 1024).toFixed(1)} kB per cycle); UDP sockets ${udpSockets()} (baseline ${sockets})`);
    // a leak of one viewer's peer connection, certificates and buffers is well over 100 kB
    expect(grown / CYCLES).toBeLessThan(40_000);
  });
});
