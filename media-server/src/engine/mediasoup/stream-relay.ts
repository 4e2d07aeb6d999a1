// A stream that outlives its publisher. mediasoup closes a producer's consumers with it, so
// viewers do not consume the publisher's producer: they consume the stream's relay producer,
// which stays. A PlainTransport consumer of the current publisher sends its RTP to a loopback
// socket here; each packet goes on, in the stream's own SSRC and with its sequence numbers and
// timestamps continued across publishers (a returning camera looks to a viewer's jitter buffer
// like a short gap), into a PlainTransport whose producer the viewers consume. Keyframe
// requests travel back the same way: the relay producer's PLI/FIR reaches this socket as RTCP
// and becomes a keyframe request to the publisher. One hop through this process per stream,
// not per viewer: the fan-out stays in the worker.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type { MediaKind } from '../types';
import { InboundRtpStats, type InboundFigures } from '../rtp/inbound-stats';
import { isKeyFrame, vp8KeyFrameSize } from '../rtp/keyframe';
import { sameCodec } from './sdp';

const RTCP_PSFB = 206; // RFC 4585 §6.1 payload-specific feedback
const PLI = 1; // RFC 4585 §6.3.1
const FIR = 4; // RFC 5104 §4.3.1

/** RTCP packet types 192–223 share the port with RTP (RFC 5761 §4). */
const isRtcp = (packet: Buffer) => packet.length >= 2 && packet[1]! >= 192 && packet[1]! <= 223;

/** Whether a compound RTCP packet (RFC 3550 §6.1) holds a PLI or a FIR. */
function asksKeyFrame(packet: Buffer): boolean {
  for (let at = 0; at + 4 <= packet.length;) {
    const fmt = packet[at]! & 0x1f;
    if (packet[at + 1] === RTCP_PSFB && (fmt === PLI || fmt === FIR)) return true;
    at += (packet.readUInt16BE(at + 2) + 1) * 4;
  }
  return false;
}

/** Where an RTP packet's payload starts: after the CSRCs and the header extension (RFC 3550 §5.1, §5.3.1). */
function payloadOffset(packet: Buffer): number {
  let at = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10 && packet.length >= at + 4) at += 4 + packet.readUInt16BE(at + 2) * 4;
  return at;
}

/** The router's codec for a publisher's: the relay forwards that, in the router's payload type. */
export function routerCodecFor(source: types.RtpCodecParameters, kind: MediaKind, caps: types.RtpCapabilities): types.RtpCodecCapability | undefined {
  const offered = {
    payloadType: source.payloadType,
    mimeType: source.mimeType,
    clockRate: source.clockRate,
    channels: source.channels,
    parameters: (source.parameters ?? {}) as Record<string, string | number>,
    rtcpFeedback: [],
  };
  return caps.codecs?.find((c) => c.kind === kind && !c.mimeType.toLowerCase().endsWith('/rtx') && sameCodec(offered, c));
}

/** One kind (video or audio) of a stream's relay. */
export class RelayLeg {
  readonly ssrc = randomInt(1, 0xffffffff);
  #socket: dgram.Socket | undefined;
  #in: types.PlainTransport | undefined;
  #producer: types.Producer | undefined;
  #out: types.PlainTransport | undefined;
  #outConsumer: types.Consumer | undefined;
  #outPort = 0;
  #inPort = 0;
  #closed = false;
  // the stream's own sequence space: out = in + offset (mod 2^16 / 2^32), rebased per publisher
  #seqOffset = 0;
  #tsOffset = 0;
  #rebase = false;
  #last: { seq: number; ts: number; at: number } | undefined;
  readonly #ticksPerMs: number;
  /** the current publisher's figures (frames, fps), which the worker does not count */
  #inbound: InboundRtpStats;
  #size: { width: number; height: number } | undefined;

  constructor(
    private readonly router: types.Router,
    readonly kind: MediaKind,
    /** the router's codec this leg forwards */
    readonly codec: types.RtpCodecCapability,
  ) {
    this.#ticksPerMs = codec.clockRate / 1000;
    this.#inbound = new InboundRtpStats(Date.now, codec.clockRate);
  }

  /** frames, keyframes and frame rate of the current publisher's stream as this leg forwards it */
  figures(): InboundFigures {
    return this.#inbound.figures();
  }

  /** the picture size from the last VP8 keyframe, when known */
  get size(): { width: number; height: number } | undefined {
    return this.#size;
  }

  /** the producer viewers consume; set once open() resolves */
  get producer(): types.Producer {
    if (!this.#producer) throw new Error('the relay is not open');
    return this.#producer;
  }

  /** the consumer of the current publisher, to ask it for a keyframe through */
  get source(): types.Consumer | undefined {
    return this.#outConsumer;
  }

  async open(cname: string): Promise<void> {
    const socket = dgram.createSocket('udp4');
    this.#socket = socket;
    socket.on('message', (packet, from) => this.#onPacket(packet, from.port));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    // comedia: the worker answers (RTCP) to where the RTP comes from, this socket
    this.#in = await this.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    this.#inPort = this.#in.tuple.localPort;
    // no NACK from the worker to here (loopback loses nothing); PLI/FIR, so viewers' keyframe requests come back
    const rtcpFeedback =
      this.kind === 'video'
        ? [
            { type: 'nack', parameter: 'pli' },
            { type: 'ccm', parameter: 'fir' },
          ]
        : [];
    const { preferredPayloadType, kind: _, ...codec } = this.codec;
    this.#producer = await this.#in.produce({
      kind: this.kind,
      rtpParameters: { codecs: [{ ...codec, payloadType: preferredPayloadType!, rtcpFeedback }], encodings: [{ ssrc: this.ssrc }], headerExtensions: [], rtcp: { cname, reducedSize: true } },
      paused: true,
    });
    if (this.#closed) this.close();
  }

  /** Media comes from `source` (a publisher's producer) from now on. */
  async attach(source: types.Producer): Promise<void> {
    this.#detachSource();
    const out = await this.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
    this.#out = out;
    this.#outPort = out.tuple.localPort;
    await out.connect({ ip: '127.0.0.1', port: this.#socket!.address().port });
    // plain RTP in the router's payload type, without header extensions
    const consumer = await out.consume({ producerId: source.id, rtpCapabilities: { codecs: [{ ...this.codec, rtcpFeedback: [] }], headerExtensions: [] } });
    if (this.#out !== out || this.#closed) return void out.close();
    this.#outConsumer = consumer;
    this.#inbound = new InboundRtpStats(Date.now, this.codec.clockRate);
    this.#size = undefined;
    this.#rebase = this.#last !== undefined;
    await this.#producer?.resume();
  }

  /** The publisher went: viewers see their producer paused until the next one. */
  async detach(): Promise<void> {
    this.#detachSource();
    if (!this.#closed) await this.#producer?.pause().catch(() => {});
  }

  #detachSource(): void {
    this.#out?.close();
    this.#out = undefined;
    this.#outConsumer = undefined;
  }

  #onPacket(packet: Buffer, fromPort: number): void {
    if (fromPort === this.#inPort) {
      // the relay producer's RTCP: a viewer (through the worker) wants a keyframe
      if (isRtcp(packet) && asksKeyFrame(packet)) void this.#outConsumer?.requestKeyFrame().catch(() => {});
      return;
    }
    if (fromPort !== this.#outPort || isRtcp(packet) || packet.length < 12) return;
    const seq = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    const now = Date.now();
    if (this.kind === 'video') {
      const payload = packet.subarray(payloadOffset(packet));
      const keyFrame = isKeyFrame(this.codec.mimeType, payload);
      this.#inbound.onPacket(seq, ts, payload.length, keyFrame);
      if (keyFrame) this.#size = vp8KeyFrameSize(payload) ?? this.#size;
    }
    if (this.#rebase && this.#last) {
      this.#rebase = false;
      this.#seqOffset = (this.#last.seq + 1 - seq) & 0xffff;
      // RTP time runs on with the wall clock across the gap
      this.#tsOffset = (this.#last.ts + Math.max(1, now - this.#last.at) * this.#ticksPerMs - ts) >>> 0;
    }
    const outSeq = (seq + this.#seqOffset) & 0xffff;
    const outTs = (ts + this.#tsOffset) >>> 0;
    packet.writeUInt16BE(outSeq, 2);
    packet.writeUInt32BE(outTs, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    this.#last = { seq: outSeq, ts: outTs, at: now };
    this.#socket!.send(packet, this.#inPort, '127.0.0.1');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detachSource();
    this.#in?.close(); // closes the relay producer, and with it every viewer's consumer
    try {
      this.#socket?.close();
    } catch {
      /* not bound yet */
    }
  }
}

/**
 * A stream's relay: its video leg, and an audio leg (Opus) so that a viewer who takes audio has
 * it when a publisher brings sound, this one or a returning one. Viewers of a dropped publisher
 * wait (their producer paused) up to `publisherReturnMs`; then the relay closes, and them with it.
 */
export class StreamRelay {
  #current: types.Producer | undefined;
  #waitTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onClose: (relay: StreamRelay) => void;

  private constructor(
    readonly streamId: string,
    readonly video: RelayLeg,
    readonly audio: RelayLeg | undefined,
    private readonly publisherReturnMs: number,
    onClose: (relay: StreamRelay) => void,
  ) {
    this.#onClose = onClose;
  }

  static async open(router: types.Router, streamId: string, videoCodec: types.RtpCodecCapability, publisherReturnMs: number, onClose: (relay: StreamRelay) => void): Promise<StreamRelay> {
    const opus = router.rtpCapabilities.codecs?.find((c) => c.kind === 'audio');
    const video = new RelayLeg(router, 'video', videoCodec);
    const audio = opus ? new RelayLeg(router, 'audio', opus) : undefined;
    const relay = new StreamRelay(streamId, video, audio, publisherReturnMs, onClose);
    const cname = `hub-${streamId}`;
    try {
      await Promise.all([video.open(cname), audio?.open(cname)]);
    } catch (err) {
      relay.close();
      throw err;
    }
    return relay;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether `video` is the publisher feeding the stream now. */
  fedBy(video: types.Producer): boolean {
    return this.#current === video;
  }

  /** Whether a publisher's video can continue this stream for its viewers (same codec and profile). */
  fits(codec: types.RtpCodecCapability): boolean {
    return codec.preferredPayloadType === this.video.codec.preferredPayloadType;
  }

  /** A publisher (video, and audio when it sends it) feeds the stream from now on. */
  async attach(video: types.Producer, audio: types.Producer | undefined): Promise<void> {
    if (this.#waitTimer) clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    this.#current = video;
    await Promise.all([this.video.attach(video), audio && this.audio ? this.audio.attach(audio) : this.audio?.detach()]);
  }

  /** `video`'s publisher went: viewers wait for the next, when there are any. */
  async detach(video: types.Producer, viewers: number): Promise<void> {
    if (this.#current !== video || this.#closed) return;
    this.#current = undefined;
    if (viewers === 0) return this.close();
    await Promise.all([this.video.detach(), this.audio?.detach()]);
    this.#waitTimer = setTimeout(() => this.close(), this.publisherReturnMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#waitTimer) clearTimeout(this.#waitTimer);
    this.video.close();
    this.audio?.close();
    this.#onClose(this);
  }
}
