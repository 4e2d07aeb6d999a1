// Real werift peers signalled straight through a Router (no HTTP), for engine tests:
// a publisher fed by ffmpeg's test pattern at a known rate, whose packets can be thinned
// before they are sent, and a viewer whose incoming packets can be dropped on first arrival
// (so that only a retransmission brings them), with counts of what arrived.
import dgram from 'node:dgram';
import type { ChildProcess } from 'node:child_process';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCSessionDescription,
  useH264,
  useNACK,
  usePLI,
  useREMB,
  useSdesMid,
  useSdesRTPStreamId,
  useVP8,
  RtpPacket as RtpPacketClass,
  RtcpSenderInfo,
  RtcpSrPacket,
  type RTCRtpCodecParameters,
  type RTCRtpHeaderExtensionParameters,
  type RTCRtpReceiver,
  type RtpPacket,
} from 'werift';
import { lavfiInput, spawnFfmpeg } from '@hub/config/node';
import type { Router, WebRtcTransport } from '../../src';
import { isKeyFrame } from '../../src/engine/rtp/keyframe';
import { ntpFromMs } from '../../src/engine/werift/sender-clock';

export type Codec = 'vp8' | 'h264';

export interface TestPatternOptions {
  codec?: Codec;
  size?: string;
  fps?: number;
  /** keyframe interval in frames; default 2 s worth */
  gop?: number;
  /** VP8 target bitrate, e.g. '1M'; default 600k */
  bitrate?: string;
}

/** ffmpeg's test pattern as RTP on a loopback UDP socket; `onPacket` sees each datagram. */
export async function ffmpegRtp(opts: TestPatternOptions, onPacket: (buf: Buffer) => void): Promise<{ close(): void; ffmpeg: ChildProcess }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', onPacket);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const fps = opts.fps ?? 20;
  const gop = String(opts.gop ?? fps * 2);
  const enc =
    opts.codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', gop, '-bsf:v', 'h264_mp4toannexb']
      : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', opts.bitrate ?? '600k', '-g', gop];
  const ffmpeg = spawnFfmpeg(
    [...lavfiInput(`testsrc=size=${opts.size ?? '320x240'}:rate=${fps}`), ...enc, '-payload_type', '96', '-f', 'rtp', '-pkt_size', '1200', `rtp://127.0.0.1:${socket.address().port}`],
    { stdio: 'ignore' },
  );
  return {
    ffmpeg,
    close() {
      ffmpeg.kill('SIGKILL');
      try {
        socket.close();
      } catch {
        /* closed */
      }
    },
  };
}

function codecParams(codec: Codec, rtcpFeedback?: RTCRtpCodecParameters['rtcpFeedback']): RTCRtpCodecParameters {
  const fb = rtcpFeedback ? { rtcpFeedback } : {};
  return codec === 'h264' ? useH264(fb) : useVP8(fb);
}

export interface RouterPublisher {
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  /** RTP packets from ffmpeg, and those dropped before sending */
  counts: { fromFfmpeg: number; dropped: number };
  /** stops ffmpeg; the peer connection stays up */
  stopSource(): void;
  close(): Promise<void>;
}

export interface RouterPublisherOptions extends TestPatternOptions {
  /** drop the n-th packet from ffmpeg when this says so (before it is ever sent) */
  drop?: (n: number) => boolean;
  /** RTCP feedback the publisher offers; default NACK, PLI, REMB */
  rtcpFeedback?: RTCRtpCodecParameters['rtcpFeedback'];
  /** header extensions the publisher offers */
  headerExtensions?: RTCRtpHeaderExtensionParameters[];
}

/** Publishes ffmpeg's test pattern into `router` under `streamId`. */
export async function publishToRouter(router: Router, streamId: string, opts: RouterPublisherOptions = {}): Promise<RouterPublisher> {
  const codec = opts.codec ?? 'vp8';
  const pc = new RTCPeerConnection({
    codecs: { video: [codecParams(codec, opts.rtcpFeedback)], audio: [] },
    headerExtensions: { video: opts.headerExtensions ?? [], audio: [] },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
  const track = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(track, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const transport = router.createWebRtcTransport();
  const { answerSdp, producer } = await transport.publish(streamId, pc.localDescription!.sdp);
  router.addProducer(producer);
  await pc.setRemoteDescription(new RTCSessionDescription(answerSdp, 'answer'));
  const counts = { fromFfmpeg: 0, dropped: 0 };
  const source = await ffmpegRtp(opts, (buf) => {
    const n = counts.fromFfmpeg++;
    if (opts.drop?.(n)) counts.dropped++;
    else track.writeRtp(buf);
  });
  return {
    pc,
    track,
    counts,
    stopSource: () => source.close(),
    async close() {
      source.close();
      transport.close();
      await pc.close();
    },
  };
}

export interface RouterViewer {
  pc: RTCPeerConnection;
  /** the SFU's side of this viewer */
  transport: WebRtcTransport;
  receiver: RTCRtpReceiver | undefined;
  /** sequence numbers that arrived (first arrival kept or not), dropped once, and arrived again */
  seen: Set<number>;
  droppedOnce: Set<number>;
  recovered: Set<number>;
  counts: { packets: number; keyFrames: number; mimeType: string };
  /** called with every packet the viewer's track delivers */
  onRtp: ((rtp: RtpPacket) => void)[];
  close(): Promise<void>;
}

export interface RouterViewerOptions {
  codec?: Codec;
  /** drop a packet's first arrival when this says so: it comes back only if the SFU resends it */
  dropFirstArrival?: (sequenceNumber: number) => boolean;
  rtcpFeedback?: RTCRtpCodecParameters['rtcpFeedback'];
  /** the tallest picture the viewer shows (a simulcast stream's layer) */
  maxHeight?: number;
}

/** Views `streamId` through `router`, counting what arrives. */
export async function viewFromRouter(router: Router, streamId: string, opts: RouterViewerOptions = {}): Promise<RouterViewer> {
  const producer = router.producers.get(streamId);
  if (!producer) throw new Error(`no producer for ${streamId}`);
  const codec = opts.codec ?? 'vp8';
  const pc = new RTCPeerConnection({
    codecs: { video: [codecParams(codec, opts.rtcpFeedback ?? [useNACK(), usePLI(), useREMB()])], audio: [] },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const seen = new Set<number>();
  const droppedOnce = new Set<number>();
  const recovered = new Set<number>();
  const counts = { packets: 0, keyFrames: 0, mimeType: '' };
  const onRtp: ((rtp: RtpPacket) => void)[] = [];
  const receiver = transceiver.receiver;
  // werift's receiver: drop before its NACK generator sees the packet, as the network would
  const handle = receiver.handleRtpBySsrc;
  receiver.handleRtpBySsrc = (packet: RtpPacket, extensions) => {
    const seq = packet.header.sequenceNumber;
    // the first packets pass: a receiver cannot miss what comes before the first it sees
    if (opts.dropFirstArrival && seen.size >= 10 && !droppedOnce.has(seq) && !seen.has(seq) && opts.dropFirstArrival(seq)) {
      droppedOnce.add(seq);
      return;
    }
    if (droppedOnce.has(seq)) recovered.add(seq);
    seen.add(seq);
    handle(packet, extensions);
  };
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      counts.packets++;
      counts.mimeType = track.codec?.mimeType ?? '';
      if (isKeyFrame(counts.mimeType, rtp.payload)) counts.keyFrames++;
      for (const fn of onRtp) fn(rtp);
    }),
  );
  await pc.setLocalDescription(await pc.createOffer());
  const transport = router.createWebRtcTransport();
  const { answerSdp } = await transport.consume(producer, pc.localDescription!.sdp, { maxHeight: opts.maxHeight });
  await pc.setRemoteDescription(new RTCSessionDescription(answerSdp, 'answer'));
  return {
    pc,
    transport,
    receiver,
    seen,
    droppedOnce,
    recovered,
    counts,
    onRtp,
    async close() {
      transport.close();
      await pc.close();
    },
  };
}

export interface SimulcastLayer {
  rid: string;
  /** WxH */
  size: string;
}

/**
 * A simulcast publisher as a browser is one (RFC 8853): one VP8 section offering its layers by
 * rid, without SSRCs, each layer's packets marked with the mid and rid header extensions
 * (RFC 8852). werift's sender sends one SSRC, so the layers (one ffmpeg test pattern each, at
 * its size) go straight to its DTLS transport, each in an SSRC of its own.
 */
export async function publishSimulcastToRouter(router: Router, streamId: string, layers: SimulcastLayer[]): Promise<{ close(): Promise<void> }> {
  const pc = new RTCPeerConnection({
    codecs: { video: [codecParams('vp8', [useNACK(), usePLI()])], audio: [] },
    headerExtensions: { video: [useSdesMid(), useSdesRTPStreamId()], audio: [] },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
  const transceiver = pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const offer = pc.localDescription!.sdp.split('\r\n').filter((l) => !l.startsWith('a=ssrc'));
  const at = offer.lastIndexOf('') > 0 ? offer.lastIndexOf('') : offer.length;
  offer.splice(at, 0, ...layers.map((l) => `a=rid:${l.rid} send`), `a=simulcast:send ${layers.map((l) => l.rid).join(';')}`);
  const transport = router.createWebRtcTransport();
  const { answerSdp, producer } = await transport.publish(streamId, offer.join('\r\n'));
  router.addProducer(producer);
  await pc.setRemoteDescription(new RTCSessionDescription(answerSdp, 'answer'));
  const sender = transceiver.sender;
  // the offer's extension ids, which the SFU reads (RFC 8285 §6)
  const idOf = (uri: string) =>
    Number(
      offer
        .find((l) => l.startsWith('a=extmap:') && l.endsWith(` ${uri}`))
        ?.slice('a=extmap:'.length)
        .split(' ')[0],
    );
  // each layer's last packet: its RTP time and when it went, for the layer's sender reports
  const last = layers.map(() => ({ ts: 0, at: 0, packets: 0, octets: 0 }));
  const sources = await Promise.all(
    layers.map((layer, i) => {
      const ssrc = 0x10000 + i;
      return ffmpegRtp({ size: layer.size, fps: 15, gop: 15 }, (buf) => {
        if (sender.dtlsTransport?.state !== 'connected' || !sender.codec) return;
        const rtp = RtpPacketClass.deSerialize(buf);
        Object.assign(last[i]!, { ts: rtp.header.timestamp, at: Date.now(), packets: last[i]!.packets + 1, octets: last[i]!.octets + rtp.payload.length });
        rtp.header.ssrc = ssrc;
        rtp.header.payloadType = sender.codec.payloadType;
        rtp.header.extensionProfile = 0xbede;
        rtp.header.extensions = [
          { id: idOf(useSdesMid().uri), payload: Buffer.from(transceiver.mid ?? '0') },
          { id: idOf(useSdesRTPStreamId().uri), payload: Buffer.from(layer.rid) },
        ];
        void sender.dtlsTransport.sendRtp(rtp.payload, rtp.header);
      });
    }),
  );
  // a sender report per layer each second (RFC 3550 §6.4.1), as a browser sends: an SFU aligns
  // the layers' RTP times by them when it switches a viewer between layers
  const reports = setInterval(() => {
    if (sender.dtlsTransport?.state !== 'connected') return;
    const now = Date.now();
    const srs = last
      .map((l, i) => ({ l, ssrc: 0x10000 + i }))
      .filter(({ l }) => l.at > 0)
      .map(
        ({ l, ssrc }) =>
          new RtcpSrPacket({ ssrc, senderInfo: new RtcpSenderInfo({ ntpTimestamp: ntpFromMs(now), rtpTimestamp: (l.ts + (now - l.at) * 90) >>> 0, packetCount: l.packets, octetCount: l.octets }) }),
      );
    if (srs.length) void sender.dtlsTransport.sendRtcp(srs).catch(() => {});
  }, 1000);
  return {
    async close() {
      clearInterval(reports);
      for (const s of sources) s.close();
      transport.close();
      await pc.close();
    },
  };
}
