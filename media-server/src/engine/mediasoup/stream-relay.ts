// A stream that outlives its publisher. mediasoup closes a producer's consumers with it, so
// viewers do not consume the publisher's producer: they consume the stream's relay producer,
// which stays. A PlainTransport consumer of the current publisher sends its RTP to a loopback
// socket here; each packet goes on, in the stream's own SSRC and with its sequence numbers and
// timestamps continued across publishers (a returning camera looks to a viewer's jitter buffer
// like a short gap), into a PlainTransport whose producer the viewers consume. Keyframe
// requests travel back the same way: the relay producer's PLI/FIR reaches this socket as RTCP
// and becomes a keyframe request to the publisher. One hop through this process per stream,
// not per viewer: the fan-out stays in the worker.
// A simulcast publisher's layers all travel: one PlainTransport consumer per layer (its
// preferred spatial layer), each into its own SSRC of a simulcast relay producer, so each
// viewer's consumer picks a layer by height (setPreferredLayers), and the worker switches it
// at that layer's keyframe.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type { MediaKind } from '../types';
import { InboundRtpStats, type InboundFigures } from '../rtp/inbound-stats';
import { isKeyFrame, keyFrameSize } from '../rtp/keyframe';
import { sameCodec } from './sdp';

const RTCP_SR = 200; // RFC 3550 §6.4.1 sender report
const RTCP_PSFB = 206; // RFC 4585 §6.1 payload-specific feedback
const PLI = 1; // RFC 4585 §6.3.1
const FIR = 4; // RFC 5104 §4.3.1

/** RTCP packet types 192–223 share the port with RTP (RFC 5761 §4). */
const isRtcp = (packet: Buffer) => packet.length >= 2 && packet[1]! >= 192 && packet[1]! <= 223;

/**
 * The media SSRCs a compound RTCP packet (RFC 3550 §6.1) asks keyframes of: a PLI names its
 * media source (RFC 4585 §6.1), a FIR the SSRC of its FCI entry (RFC 5104 §4.3.1.2).
 */
function keyFramesAskedOf(packet: Buffer): number[] {
  const ssrcs: number[] = [];
  for (let at = 0; at + 4 <= packet.length;) {
    const fmt = packet[at]! & 0x1f;
    const media = fmt === PLI ? at + 8 : at + 12;
    if (packet[at + 1] === RTCP_PSFB && (fmt === PLI || fmt === FIR) && packet.length >= media + 4) ssrcs.push(packet.readUInt32BE(media));
    at += (packet.readUInt16BE(at + 2) + 1) * 4;
  }
  return ssrcs;
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

/**
 * Asks a simulcast consumer that is not on `spatialLayer` for it again: first for the layer it
 * is on, then for the wanted one, since the worker ignores a request for the layers it already
 * prefers (RelayLeg's layer watch says why this is needed).
 */
export async function askLayerAgain(consumer: types.Consumer, spatialLayer: number): Promise<void> {
  const current = consumer.currentLayers?.spatialLayer;
  if (consumer.closed || current === undefined || current === spatialLayer) return;
  await consumer.setPreferredLayers({ spatialLayer: current }).catch(() => {});
  if (!consumer.closed) await consumer.setPreferredLayers({ spatialLayer }).catch(() => {});
}

/** One layer of a leg: its SSRC towards the viewers, and its own sequence space. */
interface RelayLayer {
  readonly ssrc: number;
  /** the consumer of the current publisher's layer */
  source: types.Consumer | undefined;
  // the stream's own sequence space: out = in + offset (mod 2^16 / 2^32), rebased per publisher
  seqOffset: number;
  tsOffset: number;
  rebase: boolean;
  last: { seq: number; ts: number; at: number } | undefined;
  /** the picture size from the layer's last VP8 keyframe */
  size: { width: number; height: number } | undefined;
}

/** A simulcast relay's layers as a viewer's consumer picks among them (lowest first, as mediasoup counts spatial layers). */
export interface RelayLayers {
  readonly layerCount: number;
  /** each layer's height, when a keyframe has told it */
  layerHeights(): (number | undefined)[];
  /** the publisher's rid of a spatial layer */
  layerRid(spatialLayer: number): string | null;
  /** whether a layer carries the publisher's layer of that rank now (not a lower one in its place) */
  layerLive(spatialLayer: number): boolean;
  /** 'layersize': a layer's height became known; 'layercheck': a consumer not on its preferred layer should ask again (askLayerAgain) */
  on(event: 'layersize' | 'layercheck', listener: () => void): unknown;
  off(event: 'layersize' | 'layercheck', listener: () => void): unknown;
}

/** One kind (video or audio) of a stream's relay. */
export class RelayLeg extends EventEmitter<{ layersize: []; layercheck: [] }> implements RelayLayers {
  /** lowest first; one unless the publisher sends simulcast */
  readonly #layers: RelayLayer[];
  #rids: (string | null)[] = [];
  #socket: dgram.Socket | undefined;
  #in: types.PlainTransport | undefined;
  #producer: types.Producer | undefined;
  #out: types.PlainTransport | undefined;
  /** a source consumer's SSRC → its layer */
  #bySourceSsrc = new Map<number, RelayLayer>();
  #outPort = 0;
  #inPort = 0;
  #closed = false;
  #layerWatch: NodeJS.Timeout | undefined;
  readonly #ticksPerMs: number;
  /** the current publisher's figures (frames, fps) of the tallest layer, which the worker does not count */
  #inbound: InboundRtpStats;

  constructor(
    private readonly router: types.Router,
    readonly kind: MediaKind,
    /** the router's codec this leg forwards */
    readonly codec: types.RtpCodecCapability,
    /** the publisher's encodings (mediasoup's order, lowest first); more than one = simulcast */
    private readonly encodings: types.RtpEncodingParameters[] = [{}],
  ) {
    super();
    this.#ticksPerMs = codec.clockRate / 1000;
    this.#inbound = new InboundRtpStats(Date.now, codec.clockRate);
    this.#layers = encodings.map(() => ({ ssrc: randomInt(1, 0xffffffff), source: undefined, seqOffset: 0, tsOffset: 0, rebase: false, last: undefined, size: undefined }));
  }

  get layerCount(): number {
    return this.#layers.length;
  }

  layerHeights(): (number | undefined)[] {
    return this.#layers.map((l) => l.size?.height);
  }

  layerRid(spatialLayer: number): string | null {
    return this.#rids[spatialLayer] ?? null;
  }

  layerLive(spatialLayer: number): boolean {
    return this.#layers[spatialLayer]?.source?.currentLayers?.spatialLayer === spatialLayer;
  }

  /** the picture size of a layer (default the tallest), from its last VP8 keyframe, when known */
  layerSize(spatialLayer = this.#layers.length - 1): { width: number; height: number } | undefined {
    return this.#layers[spatialLayer]?.size;
  }

  /** frames, keyframes and frame rate of the current publisher's tallest layer as this leg forwards it */
  figures(): InboundFigures {
    return this.#inbound.figures();
  }

  /** the picture size of the tallest layer, when known */
  get size(): { width: number; height: number } | undefined {
    return this.layerSize();
  }

  /** the producer viewers consume; set once open() resolves */
  get producer(): types.Producer {
    if (!this.#producer) throw new Error('the relay is not open');
    return this.#producer;
  }

  /** the consumer of the current publisher's tallest layer, to ask it for a keyframe through */
  get source(): types.Consumer | undefined {
    return this.#layers.at(-1)!.source;
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
      rtpParameters: {
        codecs: [{ ...codec, payloadType: preferredPayloadType!, rtcpFeedback }],
        // a layer's temporal layers as the publisher declared them, so a viewer's consumer can also drop to a lower frame rate
        encodings: this.#layers.map((l, i) => ({ ssrc: l.ssrc, ...(this.#layers.length > 1 && this.encodings[i]?.scalabilityMode ? { scalabilityMode: this.encodings[i].scalabilityMode } : {}) })),
        headerExtensions: [],
        rtcp: { cname, reducedSize: true },
      },
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
    // plain RTP in the router's payload type, without header extensions; one consumer per
    // layer, each held to its spatial layer (a plain transport has no bandwidth estimate to
    // move it; the worker falls back to a lower layer only while that one is not sent)
    const simulcast = this.#layers.length > 1;
    const rtpCapabilities = { codecs: [{ ...this.codec, rtcpFeedback: [] }], headerExtensions: [] };
    const consumers = await Promise.all(this.#layers.map((_, i) => out.consume({ producerId: source.id, rtpCapabilities, ...(simulcast ? { preferredLayers: { spatialLayer: i } } : {}) })));
    if (this.#out !== out || this.#closed) return void out.close();
    this.#rids = (source.rtpParameters.encodings ?? []).map((e) => e.rid ?? null);
    this.#bySourceSsrc.clear();
    consumers.forEach((c, i) => {
      const layer = this.#layers[i]!;
      layer.source = c;
      layer.size = undefined;
      layer.rebase = layer.last !== undefined;
      this.#bySourceSsrc.set(c.rtpParameters.encodings![0]!.ssrc!, layer);
    });
    this.#inbound = new InboundRtpStats(Date.now, this.codec.clockRate);
    this.#watchLayers();
    await this.#producer?.resume();
  }

  /**
   * Once a second, each source consumer not on its own layer (and, through 'layercheck', each
   * viewer's consumer not on the one it prefers) asks for it again. mediasoup 3.27 moves a
   * consumer to a layer only once it knows that layer's capture instant (from its sender reports,
   * set as its packets arrive), but looks again only on the layer's first sender report, before
   * that instant can be known, or when the preferred layers change: a layer the publisher starts
   * after the first (Chromium's full size, seconds after the half) was never taken. Asking for
   * the layer it is on, then for the wanted one, makes the worker look again.
   */
  #watchLayers(): void {
    if (this.#layers.length < 2 || this.#layerWatch) return;
    this.#layerWatch = setInterval(() => {
      for (const [i, l] of this.#layers.entries()) if (l.source) void askLayerAgain(l.source, i);
      this.emit('layercheck');
    }, 1000);
    this.#layerWatch.unref();
  }

  /** The publisher went: viewers see their producer paused until the next one. */
  async detach(): Promise<void> {
    this.#detachSource();
    if (!this.#closed) await this.#producer?.pause().catch(() => {});
  }

  #detachSource(): void {
    this.#out?.close();
    this.#out = undefined;
    for (const l of this.#layers) l.source = undefined;
    this.#bySourceSsrc.clear();
  }

  #onPacket(packet: Buffer, fromPort: number): void {
    if (fromPort === this.#inPort) {
      // the relay producer's RTCP: a viewer (through the worker) wants a keyframe of a layer
      if (!isRtcp(packet)) return;
      for (const ssrc of keyFramesAskedOf(packet))
        void this.#layers
          .find((l) => l.ssrc === ssrc)
          ?.source?.requestKeyFrame()
          .catch(() => {});
      return;
    }
    if (fromPort !== this.#outPort || packet.length < 12) return;
    if (isRtcp(packet)) return this.#forwardSenderReports(packet);
    const layer = this.#bySourceSsrc.get(packet.readUInt32BE(8));
    if (!layer) return;
    const seq = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    const now = Date.now();
    if (this.kind === 'video') {
      const payload = packet.subarray(payloadOffset(packet));
      const keyFrame = isKeyFrame(this.codec.mimeType, payload);
      if (layer === this.#layers.at(-1)) this.#inbound.onPacket(seq, ts, payload.length, keyFrame);
      const size = keyFrame ? keyFrameSize(this.codec.mimeType, payload) : undefined;
      if (size && size.height !== layer.size?.height) {
        layer.size = size;
        this.emit('layersize');
      }
    }
    if (layer.rebase && layer.last) {
      layer.rebase = false;
      layer.seqOffset = (layer.last.seq + 1 - seq) & 0xffff;
      // RTP time runs on with the wall clock across the gap
      layer.tsOffset = (layer.last.ts + Math.max(1, now - layer.last.at) * this.#ticksPerMs - ts) >>> 0;
    }
    const outSeq = (seq + layer.seqOffset) & 0xffff;
    const outTs = (ts + layer.tsOffset) >>> 0;
    packet.writeUInt16BE(outSeq, 2);
    packet.writeUInt32BE(outTs, 4);
    packet.writeUInt32BE(layer.ssrc, 8);
    layer.last = { seq: outSeq, ts: outTs, at: now };
    this.#socket!.send(packet, this.#inPort, '127.0.0.1');
  }

  /**
   * The source consumers' sender reports (RFC 3550 §6.4.1), in the relay's SSRCs and RTP time:
   * a viewer's consumer moves between simulcast layers only when both have a sender report
   * tying their RTP time to one clock (mediasoup's SimulcastConsumer::CanSwitchToSpatialLayer).
   */
  #forwardSenderReports(packet: Buffer): void {
    for (let at = 0; at + 28 <= packet.length;) {
      const end = at + (packet.readUInt16BE(at + 2) + 1) * 4;
      const layer = packet[at + 1] === RTCP_SR ? this.#bySourceSsrc.get(packet.readUInt32BE(at + 4)) : undefined;
      if (layer && end <= packet.length) {
        const sr = Buffer.from(packet.subarray(at, end));
        sr[0] = sr[0]! & 0xe0; // its report blocks (about what the worker received) stay here
        sr.writeUInt16BE(6, 2);
        sr.writeUInt32BE(layer.ssrc, 4);
        sr.writeUInt32BE((sr.readUInt32BE(16) + layer.tsOffset) >>> 0, 16);
        this.#socket!.send(sr.subarray(0, 28), this.#inPort, '127.0.0.1');
      }
      at = end;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#layerWatch);
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

  static async open(
    router: types.Router,
    streamId: string,
    videoCodec: types.RtpCodecCapability,
    /** the publisher's video encodings (mediasoup's order): its simulcast layers, or one */
    videoEncodings: types.RtpEncodingParameters[],
    publisherReturnMs: number,
    onClose: (relay: StreamRelay) => void,
  ): Promise<StreamRelay> {
    const opus = router.rtpCapabilities.codecs?.find((c) => c.kind === 'audio');
    const video = new RelayLeg(router, 'video', videoCodec, videoEncodings.length > 1 ? videoEncodings : [{}]);
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

  /** Whether a publisher's video can continue this stream for its viewers (same codec and profile, as many simulcast layers). */
  fits(codec: types.RtpCodecCapability, encodings: types.RtpEncodingParameters[]): boolean {
    return codec.preferredPayloadType === this.video.codec.preferredPayloadType && Math.max(1, encodings.length) === this.video.layerCount;
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
