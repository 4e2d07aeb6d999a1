import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Consumer, LayerStats, MediaKind, Producer, ProducerEvents, ProducerStats } from '../types';
import type { MediasoupConsumer } from './consumer';
import { RtpTap } from './rtp-tap';
import type { StreamRelay } from './stream-relay';

/**
 * A publisher's video (or audio) in a mediasoup worker. The worker forwards, caches for NACKs
 * and paces keyframe requests; this side keeps the stream id, the viewers and the recorder's tap.
 */
export class MediasoupProducer extends EventEmitter<ProducerEvents> implements Producer {
  readonly id = randomUUID();
  readonly kind: MediaKind;
  readonly #consumers = new Map<string, MediasoupConsumer>();
  #audio: MediasoupProducer | undefined;
  #tap: RtpTap | undefined;
  #relay: StreamRelay | undefined;
  #closed = false;
  #since: number | null = null;

  constructor(
    readonly streamId: string,
    /** the worker's producer */
    readonly ms: types.Producer,
    /** the worker router it lives in */
    readonly router: types.Router,
  ) {
    super();
    this.kind = ms.kind;
    ms.on('score', (scores) => {
      if (this.#since === null && scores.some((s) => s.score > 0)) this.#since = Date.now();
    });
    ms.observer.once('close', () => this.close());
  }

  get mimeType(): string | undefined {
    return this.ms.rtpParameters.codecs[0]?.mimeType;
  }
  get audio(): MediasoupProducer | undefined {
    return this.#audio;
  }
  get consumers(): ReadonlyMap<string, Consumer> {
    return this.#consumers;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** The audio of the same publisher; closed with this producer. */
  setAudio(audio: MediasoupProducer): void {
    this.#audio = audio;
    this.once('close', () => audio.close());
  }

  /** The stream's relay this producer feeds (its viewers consume the relay). */
  setRelay(relay: StreamRelay): void {
    this.#relay = relay;
  }

  /** A viewer of the stream is this producer's while it publishes. */
  addConsumer(consumer: MediasoupConsumer): void {
    if (this.#closed || consumer.closed) return;
    this.#consumers.set(consumer.id, consumer);
    consumer.once('close', () => this.#consumers.delete(consumer.id));
  }

  async packetsIn(): Promise<number> {
    const streams = await this.ms.getStats().catch(() => []);
    return streams.reduce((n, s) => n + s.packetCount, 0);
  }

  async stats(): Promise<ProducerStats> {
    const [streams, consumers] = await Promise.all([this.ms.getStats().catch(() => []), Promise.all([...this.#consumers.values()].map((c) => c.stats()))]);
    const sum = (f: (s: types.RtpStreamRecvStats) => number) => streams.reduce((n, s) => n + f(s), 0);
    const retransmitted = consumers.reduce((n, c) => n + c.retransmitted, 0);
    // frames and picture sizes are read where this producer's packets pass through this process:
    // the stream relay (its layers lowest first; the publisher's order is full size first)
    const relay = this.#relay?.fedBy(this.ms) ? this.#relay.video : undefined;
    const seen = relay?.figures();
    const layers: LayerStats[] = [...streams]
      .sort((a, b) => this.#order(a.rid) - this.#order(b.rid))
      .map((s, i) => ({
        rid: s.rid ?? null,
        ssrc: s.ssrc,
        width: null,
        height: null,
        packets: s.packetCount,
        bitrate: s.bitrate,
        fps: 0,
        ...(relay ? { width: relay.layerSize(relay.layerCount - 1 - i)?.width ?? null, height: relay.layerSize(relay.layerCount - 1 - i)?.height ?? null } : {}),
        ...(i === 0 && relay ? { fps: seen!.fps } : {}),
      }));
    return {
      packets: sum((s) => s.packetCount),
      bytes: sum((s) => s.byteCount),
      keyFrameRequests: sum((s) => s.pliCount + s.firCount),
      since: this.#since ?? (streams.some((s) => s.packetCount > 0) ? (this.#since = Date.now()) : null),
      fps: seen?.fps ?? 0,
      bitrate: sum((s) => s.bitrate),
      frames: seen?.frames ?? 0,
      keyFrames: seen?.keyFrames ?? 0,
      packetsLost: sum((s) => s.packetsLost),
      fractionLost: Math.max(0, ...streams.map((s) => s.fractionLost / 256)),
      nacksAnswered: retransmitted,
      nacksMissed: 0,
      consumers,
      layers,
    };
  }

  /** the publisher's order of its simulcast layers (full size first), mediasoup's is the reverse */
  #order(rid: string | undefined): number {
    const encodings = this.ms.rtpParameters.encodings ?? [];
    const i = encodings.findIndex((e) => e.rid === rid);
    return i < 0 ? 0 : encodings.length - 1 - i;
  }

  /**
   * The worker asks a publisher for keyframes on behalf of a consumer (at most once per
   * keyFrameRequestDelay): the recorder's tap, else the stream relay's.
   */
  requestKeyFrame(): void {
    if (this.#closed || this.kind !== 'video') return;
    const via = this.#tap?.consumer ?? this.#relay?.video.source;
    void via?.requestKeyFrame().catch(() => {});
  }

  onRtp(listener: (packet: Buffer) => void): () => void {
    if (this.#closed) return () => {};
    this.#tap ??= new RtpTap(this.router, this.ms);
    const tap = this.#tap;
    const off = tap.add(listener);
    return () => {
      off();
      if (tap.size > 0 || this.#tap !== tap) return;
      tap.close();
      this.#tap = undefined;
    };
  }

  /** the recorder's tap, once ready (tests wait on it) */
  get tapReady(): Promise<void> {
    return this.#tap?.ready ?? Promise.resolve();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tap?.close();
    this.#tap = undefined;
    // the viewers consume the stream's relay, not this producer: they wait for the next publisher
    this.ms.close();
    this.#consumers.clear();
    this.emit('close');
  }
}
