// The worker the install built (src/build/main.ts) runs under mediasoup's own JS API, and
// carries real WebRTC: the edge agent's werift publisher sends VP8 into a WebRtcTransport and
// a werift WHEP viewer receives it from a second one. Without patches/03 (the DTLS BIO
// callback) the worker dies at the first handshake, which the second test shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type types } from 'mediasoup';
import { workerBin } from '@hub/mediasoup-worker';
import { publishTestPattern, viewStream, type Publisher, type Viewer } from '../../test-support/webrtc-peers';
import { waitFor } from '../../test-support/wait';
import { whipThroughMediasoup, type WhipThroughMediasoup } from './support/whip-through-mediasoup';

const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } },
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
];

let worker: types.Worker;
let router: types.Router;
let died: Error | undefined;

beforeAll(async () => {
  // throws HUB_ERR_MEDIASOUP_WORKER_MISSING, naming the apt-get line, when the install did not build it
  worker = await createWorker({ workerBin: workerBin(), logLevel: 'warn' });
  worker.on('died', (err) => (died = err));
  router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
});

afterAll(() => worker?.close());

describe('the built mediasoup worker', () => {
  it('starts, answers requests and routes VP8, H.264 and Opus', async () => {
    const usage = await worker.getResourceUsage();
    expect(usage.ru_maxrss).toBeGreaterThan(0);
    expect(worker.pid).toBeGreaterThan(0);
    expect(router.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['video/VP8', 'video/H264', 'audio/opus']));
  });

  describe('WebRTC through it', () => {
    let endpoint: WhipThroughMediasoup;
    let publisher: Publisher | undefined;
    let viewer: Viewer | undefined;

    beforeAll(async () => {
      endpoint = await whipThroughMediasoup(router);
    });
    afterAll(async () => {
      await viewer?.close();
      await publisher?.close();
      await endpoint?.close();
    });

    it('forwards a werift publisher’s VP8 to a werift viewer (ICE-lite, DTLS, SRTP both ways)', async () => {
      const alive = (what: string) => () => {
        if (died) throw new Error(`the mediasoup worker died while waiting for ${what}: ${died.message}`);
        return true;
      };
      publisher = await publishTestPattern(endpoint.whipUrl, 'test', 'vp8');
      expect(publisher.status).toBe(201);
      const producer = endpoint.producer()!;
      // the publisher's DTLS handshake, then its SRTP decrypted by the worker
      await waitFor(() => alive('the publisher')() && producer.score.some((s) => s.score > 0), 60_000, 'the producer to receive RTP');

      viewer = await viewStream(endpoint.whepUrl, 'test', 'vp8');
      expect(viewer.res.status).toBe(201);
      await waitFor(() => alive('the viewer')() && viewer!.counter.packets >= 100, 60_000, 'the viewer to receive 100 RTP packets');
      expect(viewer.counter.mimeType).toBe('video/VP8');
      const [stats] = await endpoint.consumers[0]!.getStats();
      expect(stats?.packetCount).toBeGreaterThanOrEqual(100);
      expect(died).toBeUndefined();
    }, 180_000);
  });
});
