import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { RtcpPayloadSpecificFeedback, type MediaStreamTrack, type RTCRtpReceiver, type RtpPacket } from 'werift';
import type { Consumer, Producer, ProducerEvents, ProducerStats } from '../types';
import { RtpPacketCache, type CachedRtp } from '../rtp/packet-cache';
import { InboundRtpStats } from '../rtp/inbound-stats';
import { isKeyFrame } from '../rtp/keyframe';
import type { WeriftConsumer } from './consumer';
import { receiverInternals } from './internals';

export interface ProducerOptions {
  /** least time between two keyframe requests, ms; default 500 */
  keyFrameRequestIntervalMs?: number;
  /** packets kept to answer NACKs; default 1024 */
  packetCacheSize?: number;
}

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

/**
 * A publisher's video inside the SFU. Every RTP packet is counted, kept in a ring buffer
 * for viewers' NACKs, and handed to each consumer, which sends it in its own sequence space.
 */
export class WeriftProducer extends EventEmitter<ProducerEvents> implements Producer {
  readonly id = randomUUID();
  readonly #consumers = new Map<string, WeriftConsumer>();
  readonly #cache: RtpPacketCache;
  readonly #inbound = new InboundRtpStats();
  readonly #keyFrameIntervalMs: number;
  #track: MediaStreamTrack | undefined;
  #receiver: RTCRtpReceiver | undefined;
  #closed = false;
  #lastKeyFrameRequest = 0;
  #deferredKeyFrame: NodeJS.Timeout | undefined;
  #firSequence = 0;
  #keyFrameRequests = 0;
  #nacksAnswered = 0;
  #nacksMissed = 0;
  #unsubscribe: (() => void) | undefined;
  readonly #rtpListeners = new Set<(packet: Buffer) => void>();

  constructor(
    readonly streamId: string,
    opts: ProducerOptions = {},
  ) {
    super();
    this.#cache = new RtpPacketCache(opts.packetCacheSize ?? 1024);
    this.#keyFrameIntervalMs = opts.keyFrameRequestIntervalMs ?? 500;
  }

  get mimeType(): string | undefined {
    return this.#track?.codec?.mimeType;
  }
  get consumers(): ReadonlyMap<string, Consumer> {
    return this.#consumers;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** The publisher's track has arrived. */
  attach(track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    this.#track = track;
    this.#receiver = receiver;
    const sub = track.onReceiveRtp.subscribe((rtp: RtpPacket) => this.#onRtp(rtp));
    this.#unsubscribe = () => sub.unSubscribe();
    // viewers that came first need a keyframe now
    if (this.#consumers.size > 0) this.requestKeyFrame();
  }

  #onRtp(rtp: RtpPacket): void {
    const { header, payload } = rtp;
    this.#inbound.onPacket(header.sequenceNumber, header.timestamp, payload.length, isKeyFrame(this.mimeType, payload));
    const cached: CachedRtp = {
      sequenceNumber: header.sequenceNumber,
      timestamp: header.timestamp,
      marker: header.marker,
      payload,
      paddingSize: header.padding ? header.paddingSize : 0,
    };
    this.#cache.put(cached);
    for (const c of this.#consumers.values()) c.send(rtp, cached);
    if (this.#rtpListeners.size > 0) this.#tapRtp(rtp);
  }

  /** A viewer's NACK: the packet as it was, or undefined once it has left the cache. */
  retransmission(sequenceNumber: number): CachedRtp | undefined {
    const p = this.#cache.get(sequenceNumber);
    if (p) this.#nacksAnswered++;
    else this.#nacksMissed++;
    return p;
  }

  addConsumer(consumer: WeriftConsumer): void {
    if (this.#closed) return;
    this.#consumers.set(consumer.id, consumer);
    consumer.attachProducer(this);
    consumer.once('close', () => this.#consumers.delete(consumer.id));
    this.requestKeyFrame(); // a new viewer decodes from a keyframe
  }

  onRtp(listener: (packet: Buffer) => void): () => void {
    this.#rtpListeners.add(listener);
    return () => this.#rtpListeners.delete(listener);
  }

  #tapRtp(rtp: RtpPacket): void {
    const packet = rtp.serialize();
    for (const listener of this.#rtpListeners) listener(packet);
  }

  stats(): ProducerStats {
    const f = this.#inbound.figures();
    return {
      packets: f.packets,
      bytes: f.bytes,
      keyFrameRequests: this.#keyFrameRequests,
      since: f.since,
      fps: f.fps,
      bitrate: f.bitrate,
      frames: f.frames,
      keyFrames: f.keyFrames,
      packetsLost: f.packetsLost,
      fractionLost: f.fractionLost,
      nacksAnswered: this.#nacksAnswered,
      nacksMissed: this.#nacksMissed,
      consumers: [...this.#consumers.values()].map((c) => c.stats()),
    };
  }

  requestKeyFrame(): void {
    if (this.#closed || this.#deferredKeyFrame) return; // one is already on its way
    const wait = this.#lastKeyFrameRequest + this.#keyFrameIntervalMs - Date.now();
    if (wait > 0) {
      this.#deferredKeyFrame = setTimeout(() => {
        this.#deferredKeyFrame = undefined;
        this.requestKeyFrame();
      }, wait);
      return;
    }
    const ssrc = this.#track?.ssrc;
    const receiver = this.#receiver;
    if (!receiver || ssrc === undefined) return; // attach() asks once the track is here
    this.#lastKeyFrameRequest = Date.now();
    this.#keyFrameRequests++;
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    if (this.#deferredKeyFrame) clearTimeout(this.#deferredKeyFrame);
    this.#deferredKeyFrame = undefined;
    this.#cache.clear();
    // the viewers stay: the router keeps them for a publisher under the same stream id
    this.#consumers.clear();
    this.#rtpListeners.clear();
    this.emit('close');
  }
}
