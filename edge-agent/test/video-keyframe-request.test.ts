// The agent's encoder answers the SFU's keyframe requests: a WHEP viewer joining a live test
// pattern makes the SFU (mediasoup) send a PLI to the agent, the agent hands the next frame to
// its spare encoder, and that encoder's first frame is a keyframe, which the viewer gets. The
// encoder's own GOP is made longer than the test, so a keyframe can only come on request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { isVp8KeyFrame, MediasoupRouter } from '@hub/media-server';
import { WhipPublisher } from '../src/video/whip-publisher';
import { peer, signal } from '../../test-support/webrtc-peers';
import { freePort } from '../../test-support/ports';
import { eventually, waitFor } from '../../test-support/wait';
import { startWhipServer } from './support/whip-server';

const TOKEN = 'keyframe-test-token';
let app: FastifyInstance;
let router: MediasoupRouter;
let base: string;
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  router = await MediasoupRouter.create({ workers: 1, rtcPort: await freePort(), additionalHostAddresses: ['127.0.0.1'] });
  ({ app, base } = await startWhipServer(router, TOKEN));
});
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  await app?.close();
  router?.close();
});

/** A WHEP viewer that notes whether it has received a VP8 keyframe. */
async function viewer(stream: string): Promise<{ keyframes: number; packets: number }> {
  const pc = peer('vp8');
  cleanup.push(() => pc.close());
  pc.addTransceiver('video', { direction: 'recvonly' });
  const seen = { keyframes: 0, packets: 0 };
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      seen.packets++;
      if (isVp8KeyFrame(rtp.payload)) seen.keyframes++;
    }),
  );
  expect((await signal(pc, `${base}/whep/${stream}`, TOKEN)).status).toBe(201);
  return seen;
}

describe('keyframes on request at the edge agent', () => {
  it('a viewer joining a live stream gets a keyframe the agent made for its PLI, not at a GOP boundary', async () => {
    const publisher = await WhipPublisher.start({
      whipUrl: `${base}/whip/cam-kf`,
      token: TOKEN,
      codec: 'vp8',
      size: '320x240',
      fps: 15,
      gopFrames: 1_000_000, // no keyframe of the encoder's own after the first, for 18 hours
      additionalHostAddresses: ['127.0.0.1'],
    });
    cleanup.push(() => publisher.close());
    const encoder = publisher.liveEncoder!;
    expect(encoder).toBeDefined();
    // the first packet the agent sends from each encoder that took over on request
    const firstPackets: boolean[] = [];
    let tookOver = false;
    encoder.onTakeover = () => (tookOver = true);
    publisher.pc.getTransceivers()[0]!.sender.track!.onReceiveRtp.subscribe((rtp) => {
      if (tookOver) firstPackets.push(isVp8KeyFrame(rtp.payload));
      tookOver = false;
    });
    await eventually(async () => ((await router.producers.get('cam-kf')?.stats())?.packets ?? 0) > 30, 20_000, 'the test pattern at the SFU');

    // the stream is live and its first keyframe long gone: a new viewer needs one on request
    const before = encoder.counters.keyframesOnRequest;
    const requestsBefore = encoder.counters.keyframeRequests;
    const seen = await viewer('cam-kf');
    await waitFor(() => seen.keyframes > 0, 20_000, 'a keyframe at the new viewer');
    expect(encoder.counters.keyframeRequests).toBeGreaterThan(requestsBefore);
    expect(encoder.counters.keyframesOnRequest).toBeGreaterThan(before);
    // each encoder that took over on request began with a keyframe
    expect(firstPackets.length).toBeGreaterThan(0);
    expect(firstPackets.every(Boolean)).toBe(true);
    // and the stream went on after the switch (the renumbered packets were taken by the SFU)
    const packets = seen.packets;
    await waitFor(() => seen.packets > packets + 20, 20_000, 'packets after the keyframe');
  });
});
