import type { types } from 'mediasoup';
import { InvalidStateError, ViewerLimitError } from '../../errors';
import type { Producer, Router, WebRtcTransport } from '../types';
import type { MediasoupConsumer } from './consumer';
import { MediasoupProducer } from './producer';
import { routerCodecFor, StreamRelay } from './stream-relay';
import { MediasoupTransport, type Streams } from './transport';
import { WorkerPool, type MediaWorker, type WorkerPoolOptions } from './worker-pool';

export type MediasoupRouterOptions = WorkerPoolOptions;

/**
 * The SFU on mediasoup workers (C++, a process each, worker-pool.ts): a transport per peer, the
 * live producers by stream id, and each stream's relay (stream-relay.ts) on the stream's own
 * worker, which its viewers consume (on that worker, or piped to another when it is full) so
 * that they outlive a publisher that drops: they wait, paused, up to `publisherReturnMs` for one
 * under the same stream id. Closing it closes them all, and the workers.
 */
export class MediasoupRouter implements Router {
  readonly #transports = new Map<string, WebRtcTransport>();
  readonly #producers = new Map<string, Producer>();
  readonly #relays = new Map<string, Promise<StreamRelay>>();
  /** the worker each open relay lives on */
  readonly #homes = new Map<StreamRelay, MediaWorker>();
  /** every viewer of a stream, live or waiting */
  readonly #viewers = new Map<string, Set<MediasoupConsumer>>();
  #pool!: WorkerPool;
  #closed = false;

  private constructor(private readonly opts: MediasoupRouterOptions) {}

  /** Starts the workers (the binary `npm ci` built, see @hub/mediasoup-worker), each with its WebRtcServer and router. */
  static async create(opts: MediasoupRouterOptions = {}): Promise<MediasoupRouter> {
    const router = new MediasoupRouter(opts);
    router.#pool = await WorkerPool.start(opts, (dead) => router.#workerDied(dead));
    return router;
  }

  /** the live workers, for operators and tests (each one's routers, viewers, pid) */
  get workers(): readonly MediaWorker[] {
    return this.#pool.workers;
  }

  /** viewers past this many on a worker go to another worker; 0 = no limit */
  get viewersPerWorker(): number {
    return this.#pool.viewersPerWorker;
  }

  /** transports the workers hold (WebRTC, the relays' plain ones, pipes), for leak checks */
  async workerTransports(): Promise<number> {
    const routers = this.#pool.workers.flatMap((w) => [w.router, ...w.payloadTypeRouters.routers]);
    const dumps = await Promise.all(routers.map((r) => r.dump().catch(() => ({ transportIds: [] }))));
    return dumps.reduce((n, d) => n + d.transportIds.length, 0);
  }

  /** Refuses a viewer more (HUB_ERR_VIEWER_LIMIT) when every worker serves `viewersPerWorker`. */
  checkViewerRoom(): void {
    if (!this.#pool.hasRoom()) throw new ViewerLimitError(this.#pool.viewersPerWorker, 'per worker');
  }

  get transports(): ReadonlyMap<string, WebRtcTransport> {
    return this.#transports;
  }
  get producers(): ReadonlyMap<string, Producer> {
    return this.#producers;
  }

  /** Every viewer of each stream, live or waiting (for operators and leak checks). */
  get viewers(): ReadonlyMap<string, ReadonlySet<MediasoupConsumer>> {
    return this.#viewers;
  }

  readonly #streams: Streams = {
    publisherPlace: async (streamId) => {
      const relay = await this.#relays.get(streamId)?.catch(() => undefined);
      const home = relay && !relay.closed ? this.#homes.get(relay) : undefined;
      return home && !home.dead ? home : this.#pool.home();
    },
    relayOf: async (streamId) => this.#relays.get(streamId),
    routeFor: async (relay, sections) => {
      const home = this.#homes.get(relay);
      // its worker died a moment ago: the relay is closing, and the publisher will signal again
      if (!home || home.dead) throw new InvalidStateError(`stream "${relay.streamId}" is not ready to view yet`);
      const legs = [relay.video, ...(relay.audio ? [relay.audio] : [])].map((l) => ({ kind: l.kind, codec: l.codec, producer: l.producer }));
      const placed = await this.#pool.route(relay.streamId, home, legs, (w, wLegs) => w.payloadTypeRouters.routeFor(wLegs, sections));
      if (!placed) throw new ViewerLimitError(this.#pool.viewersPerWorker, 'per worker');
      return { ...placed.route, webRtcServer: placed.worker.webRtcServer, seat: placed.seat };
    },
    addViewer: (consumer) => {
      let set = this.#viewers.get(consumer.streamId);
      if (!set) this.#viewers.set(consumer.streamId, (set = new Set()));
      set.add(consumer);
      consumer.once('close', () => {
        set.delete(consumer);
        if (set.size > 0 || this.#viewers.get(consumer.streamId) !== set) return;
        this.#viewers.delete(consumer.streamId);
        // the last viewer of a stream without a publisher: nobody waits for its return
        if (!this.#producers.has(consumer.streamId))
          void this.#relays.get(consumer.streamId)?.then(
            (r) => r.close(),
            () => {},
          );
      });
    },
  };

  createWebRtcTransport(): WebRtcTransport {
    const transport = new MediasoupTransport(this.#streams, this.opts);
    if (this.#closed) transport.close();
    else this.#transports.set(transport.id, transport);
    transport.once('close', () => this.#transports.delete(transport.id));
    return transport;
  }

  /** Registers a stream's producer: it feeds the stream's relay, and its waiting viewers get media again. */
  addProducer(producer: Producer): void {
    if (!(producer instanceof MediasoupProducer)) throw new TypeError('a producer of another engine');
    const { streamId } = producer;
    this.#producers.set(streamId, producer);
    const relay = this.#feed(producer);
    this.#relays.set(streamId, relay);
    relay.catch(() => producer.close());
    producer.once('close', () => {
      if (this.#producers.get(streamId) === producer) this.#producers.delete(streamId);
      void relay.then((r) => r.detach(producer.ms, this.#viewers.get(streamId)?.size ?? 0)).catch(() => {});
    });
  }

  async #feed(producer: MediasoupProducer): Promise<StreamRelay> {
    const { streamId } = producer;
    const home = this.#pool.workers.find((w) => w.router === producer.router);
    if (!home) throw new TypeError(`the worker of stream "${streamId}" is gone`);
    const codec = routerCodecFor(producer.ms.rtpParameters.codecs[0]!, 'video', home.router.rtpCapabilities);
    if (!codec) throw new TypeError(`no router codec for ${producer.mimeType}`);
    const encodings = producer.ms.rtpParameters.encodings ?? [];
    let relay = await this.#relays.get(streamId)?.catch(() => undefined);
    if (relay && (relay.closed || !relay.fits(codec, encodings) || this.#homes.get(relay) !== home)) {
      // media is forwarded as it is: viewers negotiated for another codec must signal again
      relay.close();
      relay = undefined;
    }
    const opened = relay ?? (await this.#openRelay(home, streamId, codec, encodings));
    producer.setRelay(opened);
    try {
      await opened.attach(producer.ms, producer.audio?.ms);
    } catch {
      // the publisher went while it was being attached: the relay stays for the stream's viewers
      producer.close();
      return opened;
    }
    for (const viewer of this.#viewers.get(streamId) ?? []) {
      producer.addConsumer(viewer);
      if (viewer.audio) producer.audio?.addConsumer(viewer.audio);
    }
    return opened;
  }

  async #openRelay(home: MediaWorker, streamId: string, codec: types.RtpCodecCapability, encodings: types.RtpEncodingParameters[]): Promise<StreamRelay> {
    home.homed++;
    try {
      const relay = await StreamRelay.open(home.router, streamId, codec, encodings, this.opts.publisherReturnMs ?? 60_000, (closed) => this.#relayClosed(streamId, closed));
      if (relay.closed) home.homed--;
      else this.#homes.set(relay, home);
      return relay;
    } catch (err) {
      home.homed--;
      throw err;
    }
  }

  #relayClosed(streamId: string, relay: StreamRelay): void {
    const home = this.#homes.get(relay);
    if (home) home.homed--;
    this.#homes.delete(relay);
    void this.#relays.get(streamId)?.then((r) => {
      if (r === relay) this.#relays.delete(streamId);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.#transports.values()]) t.close();
    for (const r of this.#relays.values()) void r.then((relay) => relay.close()).catch(() => {});
    this.#pool?.close();
  }

  /** Its transports close by themselves (their peers signal again); the relays of its streams go with it. */
  #workerDied(dead: MediaWorker): void {
    for (const [relay, home] of [...this.#homes]) if (home === dead) relay.close();
  }
}
