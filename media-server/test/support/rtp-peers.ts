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
  useVP8,
  type RTCRtpCodecParameters,
  type RTCRtpHeaderExtensionParameters,
  type RTCRtpReceiver,
  type RtpPacket,
} from 'werift';
import { lavfiInput, spawnFfmpeg } from '@hub/config/node';
import type { Router, WebRtcTransport } from '../../src';
import { isKeyFrame } from '../../src/engine/rtp/keyframe';

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
  const { answerSdp } = await transport.consume(producer, pc.localDescription!.sdp);
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
