// One incoming RTP stream of a producer: the publisher's only stream, or one simulcast layer
// (RFC 8853, by rid). Each layer has its own sequence space, so its own packet cache (NACKs),
// figures, keyframe-request pacing (PLI on its SSRC) and sender-report clock mapping.
import { RtcpPayloadSpecificFeedback, RtcpSrPacket, type MediaStreamTrack, type RTCRtpReceiver, type RtcpPacket } from 'werift';
import type { LayerStats } from '../types';
import { RtpPacketCache } from '../rtp/packet-cache';
import { InboundRtpStats } from '../rtp/inbound-stats';
import { keyFrameSize } from '../rtp/keyframe';
import { receiverInternals } from './internals';

/** FIR (RFC 5104 §4.3.1), for publishers that negotiated `ccm fir` but not `nack pli`. */
class FullIntraRequest {
  static readonly count = 4;
  readonly count = FullIntraRequest.count;
  constructor(
    readonly senderSsrc: number,
    readonly mediaSsrc: number,
    readonly sequenceNumber: number,
  ) {}
  get length(): number {
    return 4; // 32-bit words after the common header: sender, media, one FCI entry (2 words)
  }
  serialize(): Buffer {
    const buf = Buffer.alloc(16);
    buf.writeUInt32BE(this.senderSsrc, 0);
    buf.writeUInt32BE(0, 4); // RFC 5104 §4.3.1.2: media source SSRC is unused, 0
    buf.writeUInt32BE(this.mediaSsrc, 8);
    buf[12] = this.sequenceNumber & 0xff;
    return buf;
  }
}

/** The publisher's last sender report of a layer: its NTP time ↔ RTP time, and when it came. */
export interface SenderClock {
  /** 64-bit NTP timestamp (RFC 3550 §4) */
  ntp: bigint;
  rtpTimestamp: number;
  /** epoch ms of its arrival */
  at: number;
}

export interface LayerOptions {
  kind: 'audio' | 'video';
  /** least time between two keyframe requests, ms */
  keyFrameRequestIntervalMs: number;
  /** packets kept to answer NACKs (video only) */
  packetCacheSize: number;
}

export class ProducerLayer {
  /** the SSRC the layer's packets carry, once one has arrived */
  ssrc: number | undefined;
  width: number | undefined;
  height: number | undefined;
  /** epoch ms of the last packet */
  lastPacketAt = 0;
  sender: SenderClock | undefined;
  readonly cache: RtpPacketCache | undefined;
  readonly inbound: InboundRtpStats;
  keyFrameRequests = 0;
  #lastKeyFrameRequest = 0;
  #deferred: NodeJS.Timeout | undefined;
  #firSequence = 0;
  #offRtcp: (() => void) | undefined;

  constructor(
    /** the simulcast rid, '' for a stream without layers */
    readonly rid: string,
    /** order of the layer in the publisher's offer */
    readonly index: number,
    readonly track: MediaStreamTrack,
    private readonly receiver: RTCRtpReceiver,
    private readonly opts: LayerOptions,
  ) {
    this.ssrc = track.ssrc;
    this.cache = opts.kind === 'video' ? new RtpPacketCache(opts.packetCacheSize) : undefined;
    this.inbound = new InboundRtpStats(Date.now, opts.kind === 'audio' ? 48_000 : 90_000);
    const sub = track.onReceiveRtcp.subscribe((packet: RtcpPacket) => {
      if (packet.type !== RtcpSrPacket.type) return;
      const sr = packet as RtcpSrPacket;
      this.sender = { ntp: sr.senderInfo.ntpTimestamp, rtpTimestamp: sr.senderInfo.rtpTimestamp, at: Date.now() };
    });
    this.#offRtcp = () => sub.unSubscribe();
  }

  /** Counts a packet; a keyframe's packet may tell the picture's size (VP8's frame header, H.264's SPS). */
  onPacket(ssrc: number, sequenceNumber: number, timestamp: number, payload: Buffer, keyFrame: boolean, mimeType: string | undefined): void {
    this.ssrc = ssrc;
    this.lastPacketAt = Date.now();
    this.inbound.onPacket(sequenceNumber, timestamp, payload.length, keyFrame);
    if (keyFrame) {
      const size = keyFrameSize(mimeType, payload);
      if (size) {
        this.width = size.width;
        this.height = size.height;
      }
    }
  }

  /** true while packets arrive (within the last 2 s) */
  get active(): boolean {
    return Date.now() - this.lastPacketAt < 2000;
  }

  /**
   * Asks the publisher for a keyframe of this layer (PLI, else FIR), at most once per interval;
   * a request inside the interval is sent when it ends.
   */
  requestKeyFrame(): void {
    if (this.opts.kind !== 'video' || this.#deferred) return;
    const wait = this.#lastKeyFrameRequest + this.opts.keyFrameRequestIntervalMs - Date.now();
    if (wait > 0) {
      this.#deferred = setTimeout(() => {
        this.#deferred = undefined;
        this.requestKeyFrame();
      }, wait);
      return;
    }
    const ssrc = this.ssrc;
    const receiver = this.receiver;
    if (ssrc === undefined) return; // asked again once the layer's first packet is here
    this.#lastKeyFrameRequest = Date.now();
    this.keyFrameRequests++;
    const feedback = receiverInternals(receiver).codecArray[0]?.rtcpFeedback ?? [];
    const pli = feedback.some((f) => f.type === 'nack' && f.parameter === 'pli');
    const fir = feedback.some((f) => f.type === 'ccm' && f.parameter === 'fir');
    if (pli || !fir) {
      receiver.sendRtcpPLI(ssrc).catch(() => {});
    } else {
      const packet = new RtcpPayloadSpecificFeedback({
        feedback: new FullIntraRequest(receiver.rtcpSsrc, ssrc, this.#firSequence++) as never,
      });
      receiver.dtlsTransport?.sendRtcp([packet]).catch(() => {});
    }
  }

  stats(): LayerStats {
    const f = this.inbound.figures();
    return { rid: this.rid || null, ssrc: this.ssrc ?? null, width: this.width ?? null, height: this.height ?? null, packets: f.packets, bitrate: f.bitrate, fps: f.fps };
  }

  close(): void {
    if (this.#deferred) clearTimeout(this.#deferred);
    this.#deferred = undefined;
    this.#offRtcp?.();
    this.cache?.clear();
  }
}

/**
 * The layer a viewer of `maxHeight` device pixels gets: the smallest active layer at least that
 * tall, else the tallest. Without a height (or with layers whose size is not known yet) the
 * tallest known, else the first in the offer.
 */
export function chooseLayer(layers: readonly ProducerLayer[], maxHeight: number | undefined): ProducerLayer | undefined {
  if (layers.length <= 1) return layers[0];
  const live = layers.filter((l) => l.active);
  const sized = live.filter((l) => l.height !== undefined).sort((a, b) => a.height! - b.height!);
  if (sized.length === 0) return live[0] ?? layers[0];
  if (maxHeight === undefined) return sized.at(-1);
  return sized.find((l) => l.height! >= maxHeight) ?? sized.at(-1);
}
