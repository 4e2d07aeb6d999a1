// Loss and keyframes in the werift engine, with real werift peers on loopback and ffmpeg's
// test pattern: a viewer that loses packets gets them back from the SFU's packet cache, and
// viewers' keyframe requests reach the publisher (PLI, or FIR to a FIR-only publisher).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RtcpPayloadSpecificFeedback, useFIR, useNACK, type RtcpPacket } from 'werift';
import { WeriftRouter } from '../src';
import { publishToRouter, viewFromRouter } from './support/rtp-peers';
import { eventually, waitFor } from '../../test-support/wait';

let router: WeriftRouter;
const cleanup: (() => unknown)[] = [];

beforeAll(() => {
  router = new WeriftRouter({ additionalHostAddresses: ['127.0.0.1'] });
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(() => router?.close());

describe('NACK from the packet cache', () => {
  for (const codec of ['vp8', 'h264'] as const) {
    it(`resends ${codec.toUpperCase()} packets a viewer lost, from the SFU, in the viewer's own SSRC`, async () => {
      const streamId = `nack-${codec}`;
      const pub = await publishToRouter(router, streamId, { codec, fps: 20 });
      cleanup.push(() => pub.close());
      await eventually(async () => ((await router.producers.get(streamId)?.stats())?.packets ?? 0) > 5, 10_000, 'the publisher’s packets');
      // every 10th packet is lost on its way to the viewer, once
      const viewer = await viewFromRouter(router, streamId, { codec, dropFirstArrival: (seq) => seq % 10 === 0 });
      cleanup.push(() => viewer.close());
      await waitFor(() => viewer.droppedOnce.size >= 20, 20_000, '20 packets lost on the way');
      const producer = router.producers.get(streamId)!;
      // a packet lost more than a second ago has had time to come back
      await waitFor(() => [...viewer.droppedOnce].slice(0, 15).every((s) => viewer.recovered.has(s)), 10_000, 'the lost packets resent');
      const stats = await producer.stats();
      expect(stats.nacksAnswered).toBeGreaterThanOrEqual(15);
      const consumer = stats.consumers.find((c) => c.packets > 0)!;
      expect(consumer.retransmitted).toBeGreaterThanOrEqual(15);
      // the resent packet went through the viewer's receiver: it was in the viewer's SSRC,
      // not in another viewer's or the publisher's
      expect(viewer.recovered.size).toBeGreaterThanOrEqual(15);
      expect(viewer.counts.mimeType.toLowerCase()).toBe(`video/${codec}`);
    });
  }

  it('answers each of several viewers in its own sequence space', async () => {
    const streamId = 'nack-many';
    const pub = await publishToRouter(router, streamId, { fps: 20 });
    cleanup.push(() => pub.close());
    await eventually(async () => ((await router.producers.get(streamId)?.stats())?.packets ?? 0) > 5, 10_000, 'the publisher’s packets');
    const viewers = await Promise.all([0, 1, 2].map((k) => viewFromRouter(router, streamId, { dropFirstArrival: (seq) => seq % 7 === k })));
    for (const v of viewers) cleanup.push(() => v.close());
    await waitFor(() => viewers.every((v) => v.droppedOnce.size >= 10), 20_000, 'packets lost at every viewer');
    await waitFor(() => viewers.every((v) => [...v.droppedOnce].slice(0, 8).every((s) => v.recovered.has(s))), 10_000, 'every viewer’s lost packets resent');
  });
});

describe('keyframe requests', () => {
  it('sends a PLI to the publisher for a new viewer and for a viewer’s PLI or FIR, at most once per interval', async () => {
    const streamId = 'kf-pli';
    const pub = await publishToRouter(router, streamId, { fps: 20, gop: 200 });
    cleanup.push(() => pub.close());
    const sender = pub.pc.getTransceivers()[0]!.sender;
    let plis = 0;
    sender.onPictureLossIndication.subscribe(() => plis++);
    await eventually(async () => ((await router.producers.get(streamId)?.stats())?.packets ?? 0) > 5, 10_000, 'the publisher’s packets');
    const viewer = await viewFromRouter(router, streamId);
    cleanup.push(() => viewer.close());
    await waitFor(() => plis >= 1, 5_000, 'a PLI at the publisher for the new viewer');

    const producer = router.producers.get(streamId)!;
    const consumer = [...producer.consumers.values()][0]!;
    await waitFor(() => viewer.counts.packets > 0, 5_000, 'media at the viewer');
    const ssrc = viewer.receiver!.tracks[0]!.ssrc!;
    const before = (await producer.stats()).keyFrameRequests;
    // a burst of ten PLIs from the viewer
    for (let i = 0; i < 10; i++) await viewer.receiver!.sendRtcpPLI(ssrc);
    await eventually(async () => (await consumer.stats()).keyFrameRequests >= 10, 5_000, 'the viewer’s PLIs at the SFU');
    await eventually(async () => (await producer.stats()).keyFrameRequests >= before + 1, 5_000, 'a keyframe request to the publisher');
    await new Promise((r) => setTimeout(r, 800)); // longer than the 500 ms interval
    expect((await producer.stats()).keyFrameRequests - before).toBeLessThanOrEqual(2);

    // a FIR from the viewer (RFC 5104 §4.3.1) counts as a keyframe request too
    const fir = Buffer.alloc(16);
    fir.writeUInt32BE(viewer.receiver!.rtcpSsrc, 0);
    fir.writeUInt32BE(ssrc, 8);
    const packet = { serialize: () => Buffer.concat([Buffer.from([0x80 | 4, 206, 0, 4]), fir]) } as unknown as RtcpPacket;
    const firBefore = (await consumer.stats()).keyFrameRequests;
    await viewer.receiver!.dtlsTransport.sendRtcp([packet]);
    await eventually(async () => (await consumer.stats()).keyFrameRequests === firBefore + 1, 5_000, 'the viewer’s FIR at the SFU');
  });

  it('sends a FIR to a publisher that negotiated FIR but not PLI', async () => {
    const streamId = 'kf-fir';
    const pub = await publishToRouter(router, streamId, { fps: 20, rtcpFeedback: [useNACK(), useFIR()] });
    cleanup.push(() => pub.close());
    const firs: RtcpPacket[] = [];
    // RFC 5104 §4.3.1.2: the header's media source is 0, the FCI names the SSRC
    const sender = pub.pc.getTransceivers()[0]!.sender;
    sender.dtlsTransport.onRtcp.subscribe((p) => {
      const fb = (p as RtcpPayloadSpecificFeedback).feedback as unknown as { count: number; fir?: { ssrc: number }[] };
      if (p.type === RtcpPayloadSpecificFeedback.type && fb?.count === 4 && fb.fir?.[0]?.ssrc === sender.ssrc) firs.push(p);
    });
    await eventually(async () => ((await router.producers.get(streamId)?.stats())?.packets ?? 0) > 5, 10_000, 'the publisher’s packets');
    const viewer = await viewFromRouter(router, streamId);
    cleanup.push(() => viewer.close());
    await waitFor(() => firs.length >= 1, 5_000, 'a FIR at the publisher');
  });
});

describe('RTCP both ways', () => {
  it('sends sender reports to viewers, reads their receiver reports, and sends receiver reports to the publisher', async () => {
    const streamId = 'rtcp';
    const pub = await publishToRouter(router, streamId, { fps: 20 });
    cleanup.push(() => pub.close());
    let rrs = 0;
    pub.pc.getTransceivers()[0]!.sender.dtlsTransport.onRtcp.subscribe((p) => {
      if (p.type === 201) rrs++; // RFC 3550 §6.4.2
    });
    await eventually(async () => ((await router.producers.get(streamId)?.stats())?.packets ?? 0) > 5, 10_000, 'the publisher’s packets');
    const viewer = await viewFromRouter(router, streamId, { dropFirstArrival: (seq) => seq % 50 === 0 });
    cleanup.push(() => viewer.close());
    let srs = 0;
    viewer.receiver!.onRtcp.subscribe((p) => {
      if (p.type === 200) srs++; // RFC 3550 §6.4.1
    });
    await waitFor(() => srs >= 2, 10_000, 'sender reports at the viewer');
    await waitFor(() => rrs >= 2, 10_000, 'receiver reports at the publisher');
    const consumer = [...router.producers.get(streamId)!.consumers.values()][0]!;
    // the viewer's receiver report carries a round trip once it has seen a sender report
    await eventually(async () => (await consumer.stats()).roundTripMs !== null && (await consumer.stats()).fractionLost !== null, 10_000, 'figures from the viewer’s receiver reports');
  });
});
