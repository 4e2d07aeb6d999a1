// The figures a producer reports, against an input whose rate and loss are known: ffmpeg's
// test pattern at 20 frames/s, with every 25th packet dropped before it is sent (4 %).
// And a viewer's sequence numbers, continuous when its publisher returns.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WeriftRouter } from '../src';
import { publishToRouter, viewFromRouter } from './support/rtp-peers';
import { eventually, waitFor } from '../../test-support/wait';

let router: WeriftRouter;
const cleanup: (() => unknown)[] = [];

beforeAll(() => {
  router = new WeriftRouter({ additionalHostAddresses: ['127.0.0.1'], publisherReturnMs: 10_000 });
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(() => router?.close());

describe('producer stats', () => {
  it('reports the frame rate, bitrate and loss of the publisher’s stream, and each viewer', async () => {
    const streamId = 'stats';
    const pub = await publishToRouter(router, streamId, { fps: 20, bitrate: '400k', drop: (n) => n > 0 && n % 25 === 0 });
    cleanup.push(() => pub.close());
    await eventually(async () => ((await router.producers.get(streamId)?.stats())?.packets ?? 0) > 0, 10_000, 'the publisher’s packets');
    const viewer = await viewFromRouter(router, streamId);
    cleanup.push(() => viewer.close());
    const producer = router.producers.get(streamId)!;
    // four seconds of stream: the window is full
    await eventually(async () => ((await producer.stats()).since ?? Infinity) < Date.now() - 4000, 10_000, 'four seconds of stream');
    const s = await producer.stats();
    // by arrival over the window: a loaded machine delays and bunches ffmpeg's frames, so only
    // "about 20, not 0 and not doubled" holds everywhere
    expect(s.fps).toBeGreaterThanOrEqual(10);
    expect(s.fps).toBeLessThanOrEqual(30);
    // by arrival: ffmpeg on a loaded machine sends late and in bursts, so only a broad range
    expect(s.bitrate).toBeGreaterThan(20_000);
    expect(s.bitrate).toBeLessThan(1_500_000);
    expect(s.fractionLost).toBeGreaterThan(0.02);
    expect(s.fractionLost).toBeLessThan(0.07);
    // every packet dropped after the first one the SFU saw is a gap; the publisher cannot
    // resend what it never sent, so none is filled
    const dropped = pub.counts.dropped;
    expect(s.packetsLost).toBeGreaterThanOrEqual(dropped - 2);
    expect(s.packetsLost).toBeLessThanOrEqual(dropped);
    expect(s.frames).toBeGreaterThan(20);
    expect(s.keyFrames).toBeGreaterThanOrEqual(1);
    expect(s.consumers).toHaveLength(1);
    expect(s.consumers[0]!.packets).toBeGreaterThan(50);
    expect(s.consumers[0]!.bytes).toBeGreaterThan(10_000);
    // the viewer sees the same gaps in its own sequence: its receiver reports say so
    await eventually(async () => ((await producer.stats()).consumers[0]!.packetsLost ?? 0) > 0, 10_000, 'loss in the viewer’s receiver reports');
  });

  it('reads no frame rate once the publisher stops sending', async () => {
    const streamId = 'stats-stop';
    const pub = await publishToRouter(router, streamId, { fps: 20 });
    await eventually(async () => ((await router.producers.get(streamId)?.stats())?.fps ?? 0) > 10, 10_000, 'a frame rate');
    cleanup.push(() => pub.close());
    const producer = router.producers.get(streamId)!;
    pub.stopSource(); // the camera stops; the connection stays
    await eventually(async () => (await producer.stats()).fps === 0 && (await producer.stats()).bitrate === 0, 10_000, 'the rates falling to 0');
    expect(producer.closed).toBe(false);
  });
});

describe('a returning publisher', () => {
  it('continues the viewer’s sequence numbers where they stopped, in the same SSRC', async () => {
    const streamId = 'seq-continuity';
    const first = await publishToRouter(router, streamId, { fps: 20 });
    await waitFor(() => router.producers.has(streamId), 10_000, 'the producer');
    const viewer = await viewFromRouter(router, streamId);
    cleanup.push(() => viewer.close());
    const seqs: number[] = [];
    const ssrcs = new Set<number>();
    viewer.onRtp.push((rtp) => {
      seqs.push(rtp.header.sequenceNumber);
      ssrcs.add(rtp.header.ssrc);
    });
    await waitFor(() => seqs.length > 30, 10_000, 'video before the drop');
    await first.close();
    await waitFor(() => !router.producers.has(streamId), 5_000, 'the producer gone');
    const atDrop = seqs.length;
    const second = await publishToRouter(router, streamId, { fps: 20 });
    cleanup.push(() => second.close());
    await waitFor(() => seqs.length > atDrop + 30, 10_000, 'video after the publisher returned');
    // across the switch, the next number follows the last one (modulo 2^16)
    const before = seqs[atDrop - 1]!;
    const after = seqs[atDrop]!;
    expect((after - before) & 0xffff).toBe(1);
    expect(ssrcs.size).toBe(1);
  });
});
