// An RTSP camera's H.264 → the agent's WHIP publisher (ffmpeg -c:v copy) → the SFU → a werift
// viewer over WHEP: the viewer receives H.264 whose SPS is the camera's own, byte for byte,
// with the same picture size, so nothing was transcoded on the way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RTCPeerConnection, RTCSessionDescription, useH264 } from 'werift';
import { WeriftRouter } from '@hub/media-server';
import { WhipPublisher } from '../src/video/whip-publisher';
import { startRtspServer, type RtspTestServer } from './support/rtsp-server';
import { spsFromRtp, spsPictureSize } from './support/h264';
import { waitFor } from './support/test-broker';
import { eventually } from '../../test-support/wait';
import { startWhipServer } from './support/whip-server';

const TOKEN = 'rtsp-test-token';
let app: FastifyInstance;
let router: WeriftRouter;
let base: string;
let camera: RtspTestServer;
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  camera = await startRtspServer({ size: '640x360', fps: 15 });
  router = new WeriftRouter({ additionalHostAddresses: ['127.0.0.1'] });
  ({ app, base } = await startWhipServer(router, TOKEN));
});
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  router?.close();
  await app?.close();
  await camera?.close();
});

describe('RTSP camera passed through', () => {
  it('carries the camera’s H.264 to a viewer as it is (same SPS, same picture size)', async () => {
    const publisher = await WhipPublisher.start({
      whipUrl: `${base}/whip/cam-rtsp`,
      token: TOKEN,
      source: { kind: 'rtsp', url: camera.url },
      additionalHostAddresses: ['127.0.0.1'],
    });
    cleanup.push(() => publisher.close());
    await waitFor(() => camera.plays >= 1, 15_000, 'the agent playing the RTSP stream');
    await eventually(async () => ((await router.producers.get('cam-rtsp')?.stats())?.packets ?? 0) > 10, 15_000, 'the camera’s packets at the SFU');
    expect(router.producers.get('cam-rtsp')!.mimeType?.toLowerCase()).toBe('video/h264');

    const pc = new RTCPeerConnection({ codecs: { video: [useH264()], audio: [] }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    cleanup.push(() => pc.close());
    pc.addTransceiver('video', { direction: 'recvonly' });
    let sps: Buffer | undefined;
    let packets = 0;
    let mimeType = '';
    pc.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        packets++;
        mimeType = track.codec?.mimeType ?? '';
        sps ??= spsFromRtp(rtp.payload);
      }),
    );
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(`${base}/whep/cam-rtsp`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    expect(res.status).toBe(201);
    await pc.setRemoteDescription(new RTCSessionDescription(await res.text(), 'answer'));

    // the SPS comes in-band before every keyframe (a keyframe a second at the camera)
    await waitFor(() => sps !== undefined && camera.sps() !== undefined, 15_000, 'an SPS at the viewer');
    expect(mimeType.toLowerCase()).toBe('video/h264');
    expect(packets).toBeGreaterThan(0);
    expect(sps!.equals(camera.sps()!)).toBe(true);
    expect(spsPictureSize(sps!)).toMatchObject({ width: 640, height: 360, profile: 77 }); // Main profile, as the camera sent it
  });

  it('says why when the RTSP camera cannot be reached', async () => {
    const publisher = await WhipPublisher.start({
      whipUrl: `${base}/whip/cam-rtsp-gone`,
      token: TOKEN,
      source: { kind: 'rtsp', url: 'rtsp://127.0.0.1:1/nothing' },
      additionalHostAddresses: ['127.0.0.1'],
    });
    cleanup.push(() => publisher.close());
    await waitFor(() => publisher.sourceError !== undefined, 15_000, 'the source error');
    expect(publisher.sourceError).toMatch(/the video source stopped \(ffmpeg exit \d+\)/);
  });
});
