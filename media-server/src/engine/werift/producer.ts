import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import type { Consumer, MediaKind, Producer, ProducerEvents, ProducerStats } from '../types';
import type { CachedRtp } from '../rtp/packet-cache';
import { isKeyFrame } from '../rtp/keyframe';
import type { WeriftConsumer } from './consumer';
import { ProducerLayer } from './layer';

export interface ProducerOptions {
  /** video or audio; default video */
  kind?: MediaKind;
  /** least time between two keyframe requests, ms; default 500 */
  keyFrameRequestIntervalMs?: number;
  /** packets kept to answer NACKs; default 1024 */
  packetCacheSize?: number;
}

/** How often a simulcast producer checks whether its viewers' layers still fit (a layer may stop), ms. */
const LAYER_CHECK_MS = 1000;

/**
 * A publisher's video (or audio) inside the SFU. Every RTP packet is counted, kept in a ring
 * buffer for viewers' NACKs (video), and handed to each consumer, which sends it in its own
 * sequence space. A simulcast publisher's layers arrive as one track each; a consumer takes
 * the packets of one layer.
 */
export class WeriftProducer extends EventEmitter<ProducerEvents> implements Producer {
  readonly id = randomUUID();
  readonly kind: MediaKind;
  readonly #consumers = new Map<string, WeriftConsumer>();
  readonly #layers: ProducerLayer[] = [];
  readonly #opts: Required<ProducerOptions>;
  #receiver: RTCRtpReceiver | undefined;
  #mimeType: string | undefined;
  #closed = false;
  #nacksAnswered = 0;
  #nacksMissed = 0;
  #unsubscribe: (() => void)[] = [];
  #layerCheck: NodeJS.Timeout | undefined;
  #audio: WeriftProducer | undefined;
  readonly #rtpListeners = new Set<(packet: Buffer) => void>();

  constructor(
    readonly streamId: string,
    opts: ProducerOptions = {},
  ) {
    super();
    this.kind = opts.kind ?? 'video';
    this.#opts = { kind: this.kind, keyFrameRequestIntervalMs: opts.keyFrameRequestIntervalMs ?? 500, packetCacheSize: opts.packetCacheSize ?? 1024 };
  }

  get mimeType(): string | undefined {
    return this.#mimeType;
  }
  get audio(): WeriftProducer | undefined {
    return this.#audio;
  }
  get consumers(): ReadonlyMap<string, Consumer> {
    return this.#consumers;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** the incoming streams, in the publisher's order (one unless simulcast) */
  get layers(): readonly ProducerLayer[] {
    return this.#layers;
  }
  /** true once the publisher's first RTP packet has arrived */
  get flowing(): boolean {
    return this.#layers.some((l) => l.lastPacketAt > 0);
  }

  /** The audio of the same publisher; closed with this producer. */
  setAudio(audio: WeriftProducer): void {
    this.#audio = audio;
    this.once('close', () => audio.close());
  }

  /** A track of the publisher has arrived: its only one, or one simulcast layer. */
  attach(track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    if (this.#closed || this.#layers.some((l) => l.track === track)) return;
    // an audio producer takes one track
    if (this.kind === 'audio' && this.#layers.length > 0) return;
    this.#receiver = receiver;
    this.#mimeType ??= track.codec?.mimeType;
    const layer = new ProducerLayer(track.rid ?? '', this.#layers.length, track, receiver, this.#opts);
    this.#layers.push(layer);
    const sub = track.onReceiveRtp.subscribe((rtp: RtpPacket) => this.#onRtp(layer, rtp));
    this.#unsubscribe.push(
      () => sub.unSubscribe(),
      () => layer.close(),
    );
    if (this.#layers.length === 2) {
      this.#layerCheck = setInterval(() => this.#fitLayers(), LAYER_CHECK_MS);
      this.#layerCheck.unref();
    }
    // viewers that came first need a keyframe now
    for (const c of this.#consumers.values()) c.fitLayer();
    if (this.#consumers.size > 0) layer.requestKeyFrame();
  }

  #fitLayers(): void {
    for (const c of this.#consumers.values()) c.fitLayer();
  }

  #onRtp(layer: ProducerLayer, rtp: RtpPacket): void {
    const { header, payload } = rtp;
    this.#mimeType ??= layer.track.codec?.mimeType;
    const keyFrame = this.kind === 'video' && isKeyFrame(this.#mimeType, payload);
    const sizeBefore = layer.height;
    const first = layer.lastPacketAt === 0;
    layer.onPacket(header.ssrc, header.sequenceNumber, header.timestamp, payload, keyFrame, this.#mimeType);
    const cached: CachedRtp = {
      sequenceNumber: header.sequenceNumber,
      timestamp: header.timestamp,
      marker: header.marker,
      payload,
      paddingSize: header.padding ? header.paddingSize : 0,
    };
    layer.cache?.put(cached);
    // a layer's size is known (or changed), or it has started: viewers may fit another layer now
    // (a simulcast layer's SSRC is known only from its first packet: keyframe requests wait for it)
    if (first || (this.#layers.length > 1 && keyFrame && layer.height !== sizeBefore)) this.#fitLayers();
    // the tap sees the packet as the publisher sent it: consumers rewrite the shared header
    if (this.#rtpListeners.size > 0 && layer.index === 0) this.#tapRtp(rtp);
    for (const c of this.#consumers.values()) if (c.accepts(layer, keyFrame)) c.send(rtp, cached);
  }

  /** A viewer's NACK: the packet of `layer` as it was, or undefined once it has left the cache. */
  retransmission(layer: ProducerLayer, sequenceNumber: number): CachedRtp | undefined {
    const p = layer.cache?.get(sequenceNumber);
    if (p) this.#nacksAnswered++;
    else this.#nacksMissed++;
    return p;
  }

  addConsumer(consumer: WeriftConsumer): void {
    if (this.#closed) return;
    this.#consumers.set(consumer.id, consumer);
    consumer.attachProducer(this);
    consumer.once('close', () => this.#consumers.delete(consumer.id));
    if (consumer.audio && this.#audio) this.#audio.addConsumer(consumer.audio);
    consumer.requestKeyFrame(); // a new viewer decodes from a keyframe
  }

  onRtp(listener: (packet: Buffer) => void): () => void {
    this.#rtpListeners.add(listener);
    return () => this.#rtpListeners.delete(listener);
  }

  #tapRtp(rtp: RtpPacket): void {
    const packet = rtp.serialize();
    for (const listener of this.#rtpListeners) listener(packet);
  }

  async stats(): Promise<ProducerStats> {
    return this.statsNow();
  }

  async packetsIn(): Promise<number> {
    return this.#layers.reduce((n, l) => n + l.inbound.figures().packets, 0);
  }

  /** the figures as they are now (this engine keeps them in this process) */
  statsNow(): ProducerStats {
    const layers = this.#layers.map((l) => ({ layer: l, f: l.inbound.figures() }));
    // frames and frame rate are those of the tallest (else first) layer; counts are summed
    const top = [...layers].sort((a, b) => (b.layer.height ?? 0) - (a.layer.height ?? 0))[0]?.f;
    const sum = (k: 'packets' | 'bytes' | 'bitrate' | 'packetsLost') => layers.reduce((n, l) => n + l.f[k], 0);
    const since = layers.map((l) => l.f.since).filter((s): s is number => s !== null);
    return {
      packets: sum('packets'),
      bytes: sum('bytes'),
      keyFrameRequests: this.#layers.reduce((n, l) => n + l.keyFrameRequests, 0),
      since: since.length ? Math.min(...since) : null,
      fps: top?.fps ?? 0,
      bitrate: sum('bitrate'),
      frames: top?.frames ?? 0,
      keyFrames: top?.keyFrames ?? 0,
      packetsLost: sum('packetsLost'),
      fractionLost: Math.max(0, ...layers.map((l) => l.f.fractionLost)),
      nacksAnswered: this.#nacksAnswered,
      nacksMissed: this.#nacksMissed,
      consumers: [...this.#consumers.values()].map((c) => c.statsNow()),
      layers: this.#layers.map((l) => l.stats()),
    };
  }

  /** Asks the publisher for a keyframe: of one layer, or of every layer. */
  requestKeyFrame(layer?: ProducerLayer): void {
    if (this.#closed) return;
    for (const l of layer ? [layer] : this.#layers) l.requestKeyFrame();
  }

  /** The receiver of the publisher's track, for tests and stats. */
  get receiver(): RTCRtpReceiver | undefined {
    return this.#receiver;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#layerCheck) clearInterval(this.#layerCheck);
    for (const off of this.#unsubscribe.splice(0)) off();
    // the viewers stay: the router keeps them for a publisher under the same stream id
    this.#consumers.clear();
    this.#rtpListeners.clear();
    this.emit('close');
  }
}
