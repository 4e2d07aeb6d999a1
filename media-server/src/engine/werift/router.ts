import type { Producer, Router, TransportOptions, WebRtcTransport } from '../types';
import { WeriftTransport } from './transport';

/** Owns the transports and the live producers (by stream id); closing it closes them all. */
export class WeriftRouter implements Router {
  readonly #transports = new Map<string, WebRtcTransport>();
  readonly #producers = new Map<string, Producer>();
  #closed = false;

  constructor(private readonly opts: TransportOptions = {}) {}

  get transports(): ReadonlyMap<string, WebRtcTransport> {
    return this.#transports;
  }
  get producers(): ReadonlyMap<string, Producer> {
    return this.#producers;
  }

  createWebRtcTransport(): WebRtcTransport {
    const transport = new WeriftTransport(this.opts);
    this.#transports.set(transport.id, transport);
    transport.once('close', () => this.#transports.delete(transport.id));
    return transport;
  }

  /** Registers a stream's producer; it leaves the map when it closes. */
  addProducer(producer: Producer): void {
    this.#producers.set(producer.streamId, producer);
    producer.once('close', () => {
      if (this.#producers.get(producer.streamId) === producer) this.#producers.delete(producer.streamId);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.#transports.values()]) t.close();
  }
}
