import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Consumer, ConsumerEvents, ConsumerStats, MediaKind } from '../types';

/**
 * A viewer's copy of a stream in a mediasoup worker: a consumer of the stream's relay
 * (stream-relay.ts), so it outlives a publisher that drops (paused until one returns). The
 * worker rewrites SSRC, sequence numbers and timestamps per viewer, answers NACKs from its own
 * cache and turns the viewer's PLI/FIR into a keyframe request that reaches the publisher.
 */
export class MediasoupConsumer extends EventEmitter<ConsumerEvents> implements Consumer {
  readonly id = randomUUID();
  readonly kind: MediaKind;
  #audio: MediasoupConsumer | undefined;
  #maxHeight: number | undefined;
  #closed = false;

  constructor(
    readonly streamId: string,
    /** the worker's consumer */
    readonly ms: types.Consumer,
    opts: { maxHeight?: number } = {},
  ) {
    super();
    this.kind = ms.kind;
    this.#maxHeight = opts.maxHeight;
    ms.on('producerpause', () => this.emit('producerpause'));
    ms.on('producerresume', () => this.emit('producerresume'));
    ms.observer.once('close', () => this.close());
  }

  get mimeType(): string | undefined {
    return this.ms.rtpParameters.codecs[0]?.mimeType;
  }
  get audio(): MediasoupConsumer | undefined {
    return this.#audio;
  }
  /** The viewer's audio: closed with this consumer. */
  setAudio(audio: MediasoupConsumer): void {
    this.#audio = audio;
  }
  get paused(): boolean {
    return this.ms.producerPaused;
  }
  get closed(): boolean {
    return this.#closed;
  }

  async stats(): Promise<ConsumerStats> {
    const all = await this.ms.getStats().catch(() => []);
    const out = all.find((s): s is types.RtpStreamSendStats => s.type === 'outbound-rtp');
    return {
      id: this.id,
      packets: out?.packetCount ?? 0,
      bytes: out?.byteCount ?? 0,
      retransmitted: out?.packetsRetransmitted ?? 0,
      keyFrameRequests: (out?.pliCount ?? 0) + (out?.firCount ?? 0),
      packetsLost: out && out.packetsLost >= 0 ? out.packetsLost : null,
      fractionLost: out ? out.fractionLost / 256 : null,
      roundTripMs: out?.roundTripTime ? Math.round(out.roundTripTime) : null,
      estimatedBitrate: null,
      kind: this.kind,
      // the relay carries one layer of a simulcast publisher (the tallest): no choice per viewer yet
      layer: null,
      maxHeight: this.#maxHeight ?? null,
    };
  }

  /**
   * Kept, and reported in stats; the stream relay carries a simulcast publisher's tallest layer.
   * Choosing a layer by height needs a relay per layer and the layers' frame sizes, which this
   * engine does not have yet (see the engine contract suite's todo).
   */
  setMaxHeight(maxHeight: number | undefined): void {
    this.#maxHeight = maxHeight;
  }

  requestKeyFrame(): void {
    if (this.#closed || this.kind !== 'video') return;
    void this.ms.requestKeyFrame().catch(() => {});
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#audio?.close();
    this.ms.close();
    this.emit('close');
  }
}
