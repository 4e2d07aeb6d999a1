import type { Consumer, Producer, Router, TransportOptions, WebRtcTransport } from '../types';
import type { WeriftConsumer } from './consumer';
import { WeriftProducer } from './producer';
import { WeriftTransport } from './transport';

/**
 * Owns the transports and the live producers (by stream id); closing it closes them all.
 * When a publisher drops, its viewers wait (paused) for a publisher under the same stream
 * id, up to `publisherReturnMs`, and resume without signalling again.
 */
export class WeriftRouter implements Router {
  readonly #transports = new Map<string, WebRtcTransport>();
  readonly #producers = new Map<string, Producer>();
  /** every viewer of a stream, live or waiting */
  readonly #viewers = new Map<string, Set<WeriftConsumer>>();
  readonly #waitTimers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(private readonly opts: TransportOptions = {}) {}

  get transports(): ReadonlyMap<string, WebRtcTransport> {
    return this.#transports;
  }
  get producers(): ReadonlyMap<string, Producer> {
    return this.#producers;
  }

  /** Every viewer of each stream, live or waiting (for operators and leak checks). */
  get viewers(): ReadonlyMap<string, ReadonlySet<Consumer>> {
    return this.#viewers;
  }

  /** Viewers of `streamId` waiting for its publisher to return. */
  waiting(streamId: string): Consumer[] {
    return [...(this.#viewers.get(streamId) ?? [])].filter((c) => c.paused);
  }

  createWebRtcTransport(): WebRtcTransport {
    const transport = new WeriftTransport(this.opts, (consumer) => this.#addViewer(consumer));
    this.#transports.set(transport.id, transport);
    transport.once('close', () => this.#transports.delete(transport.id));
    return transport;
  }

  #addViewer(consumer: WeriftConsumer): void {
    let set = this.#viewers.get(consumer.streamId);
    if (!set) {
      set = new Set();
      this.#viewers.set(consumer.streamId, set);
    }
    set.add(consumer);
    consumer.once('close', () => {
      set.delete(consumer);
      if (set.size === 0 && this.#viewers.get(consumer.streamId) === set) this.#viewers.delete(consumer.streamId);
    });
  }

  /** Registers a stream's producer and gives it the stream's waiting viewers. */
  addProducer(producer: Producer): void {
    if (!(producer instanceof WeriftProducer)) throw new TypeError('a producer of another engine');
    const { streamId } = producer;
    this.#producers.set(streamId, producer);
    const timer = this.#waitTimers.get(streamId);
    if (timer) {
      clearTimeout(timer);
      this.#waitTimers.delete(streamId);
    }
    for (const viewer of this.#viewers.get(streamId) ?? []) {
      if (!viewer.paused) continue;
      // media is forwarded as it is: a viewer negotiated for another codec must signal again
      if (producer.mimeType && viewer.mimeType && producer.mimeType.toLowerCase() !== viewer.mimeType.toLowerCase()) viewer.close();
      else producer.addConsumer(viewer);
    }
    producer.once('close', () => {
      if (this.#producers.get(streamId) !== producer) return;
      this.#producers.delete(streamId);
      const viewers = this.#viewers.get(streamId);
      if (!viewers?.size) return;
      for (const v of viewers) v.setPaused(true);
      this.#waitTimers.set(
        streamId,
        setTimeout(() => {
          this.#waitTimers.delete(streamId);
          if (this.#producers.has(streamId)) return;
          for (const v of [...(this.#viewers.get(streamId) ?? [])]) v.close();
        }, this.opts.publisherReturnMs ?? 60_000),
      );
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#waitTimers.values()) clearTimeout(t);
    for (const t of [...this.#transports.values()]) t.close();
  }
}
