import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Consumer, ConsumerEvents, ConsumerStats, MediaKind } from '../types';
import { askLayerAgain, type RelayLayers } from './stream-relay';

/**
 * The spatial layer (lowest first) a viewer of `maxHeight` device pixels gets: the smallest
 * layer at least that tall, else the tallest; layers whose height no keyframe has told yet are
 * left out, and with none known, the tallest (as engine/werift/layer.ts chooses).
 */
export function chooseSpatialLayer(heights: readonly (number | undefined)[], maxHeight: number | undefined): number {
  const top = heights.length - 1;
  if (maxHeight === undefined) return top;
  const sized = heights.map((h, i) => ({ h, i })).filter((l): l is { h: number; i: number } => l.h !== undefined);
  return [...sized].sort((a, b) => a.h - b.h).find((l) => l.h >= maxHeight)?.i ?? top;
}

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
  /** the relay's simulcast layers, when it carries more than one */
  readonly #layers: RelayLayers | undefined;
  readonly #onLayerSize = () => this.#preferLayer();
  /** times this viewer asked for its layer again since it chose it (at most 10: a layer the worker will not take is not asked for for ever) */
  #askedAgain = 0;
  readonly #onLayerCheck = () => {
    const preferred = this.ms.preferredLayers?.spatialLayer;
    if (this.#closed || preferred === undefined || !this.#layers?.layerLive(preferred) || this.ms.currentLayers?.spatialLayer === preferred || this.#askedAgain >= 10) return;
    this.#askedAgain++;
    void askLayerAgain(this.ms, preferred);
  };

  constructor(
    readonly streamId: string,
    /** the worker's consumer */
    readonly ms: types.Consumer,
    opts: { maxHeight?: number; layers?: RelayLayers } = {},
  ) {
    super();
    this.kind = ms.kind;
    this.#maxHeight = opts.maxHeight;
    if (ms.type === 'simulcast' && opts.layers && opts.layers.layerCount > 1) {
      this.#layers = opts.layers;
      // a layer's height becomes known at its first keyframe: the choice is made again then
      opts.layers.on('layersize', this.#onLayerSize);
      opts.layers.on('layercheck', this.#onLayerCheck);
      this.#preferLayer();
    }
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
      layer: this.#layers && this.ms.currentLayers ? this.#layers.layerRid(this.ms.currentLayers.spatialLayer) : null,
      maxHeight: this.#maxHeight ?? null,
    };
  }

  /** Of a simulcast stream, the layer by height; the worker switches at that layer's keyframe (asking for one). */
  setMaxHeight(maxHeight: number | undefined): void {
    this.#maxHeight = maxHeight;
    this.#preferLayer();
  }

  #preferLayer(): void {
    if (this.#closed || !this.#layers) return;
    const spatialLayer = chooseSpatialLayer(this.#layers.layerHeights(), this.#maxHeight);
    if (this.ms.preferredLayers?.spatialLayer === spatialLayer) return;
    this.#askedAgain = 0;
    void this.ms.setPreferredLayers({ spatialLayer }).catch(() => {});
  }

  requestKeyFrame(): void {
    if (this.#closed || this.kind !== 'video') return;
    void this.ms.requestKeyFrame().catch(() => {});
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#layers?.off('layersize', this.#onLayerSize);
    this.#layers?.off('layercheck', this.#onLayerCheck);
    this.#audio?.close();
    this.ms.close();
    this.emit('close');
  }
}
