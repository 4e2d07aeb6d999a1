import os from 'node:os';
import { createWorker, type types } from 'mediasoup';
import { workerBin } from '@hub/mediasoup-worker';
import type { Producer, Router, TransportOptions, WebRtcTransport } from '../types';
import { MEDIA_CODECS } from './codecs';
import type { MediasoupConsumer } from './consumer';
import { MediasoupProducer } from './producer';
import { routerCodecFor, StreamRelay } from './stream-relay';
import { PayloadTypeRouters } from './payload-routers';
import { MediasoupTransport, type Streams } from './transport';

export interface MediasoupRouterOptions extends TransportOptions {
  /** a worker to route on (the caller owns it); default one started for this router, closed with it */
  worker?: types.Worker;
  /** called when the worker dies (the router closes every transport then); default none */
  onWorkerDied?: (err: Error) => void;
}

/**
 * Where transports listen: every IPv4 address of this host's interfaces, and each
 * `additionalHostAddresses` entry: a local one (127.0.0.1 for loopback tests) is listened on,
 * another (a public address behind NAT) is announced for a socket on all interfaces.
 */
export function listenInfos(opts: TransportOptions, interfaces = os.networkInterfaces()): types.TransportListenInfo[] {
  const local = Object.values(interfaces)
    .flat()
    .filter((i): i is os.NetworkInterfaceInfo => !!i && i.family === 'IPv4');
  const portRange = opts.portRange ? { portRange: { min: opts.portRange[0], max: opts.portRange[1] } } : {};
  const udp = (ip: string, announcedAddress?: string): types.TransportListenInfo => ({ protocol: 'udp', ip, ...(announcedAddress ? { announcedAddress } : {}), ...portRange });
  const infos = local.filter((i) => !i.internal).map((i) => udp(i.address));
  for (const a of opts.additionalHostAddresses ?? []) {
    if (infos.some((i) => i.ip === a || i.announcedAddress === a)) continue;
    infos.push(local.some((i) => i.address === a) ? udp(a) : udp('0.0.0.0', a));
  }
  return infos.length > 0 ? infos : [udp('127.0.0.1')];
}

/**
 * The SFU on one mediasoup worker (C++, its own process): one mediasoup Router, a transport per
 * peer, the live producers by stream id, and each stream's relay (stream-relay.ts), which its
 * viewers consume so that they outlive a publisher that drops: they wait, paused, up to
 * `publisherReturnMs` for one under the same stream id. Closing it closes them all, and the
 * worker if it started it.
 */
export class MediasoupRouter implements Router {
  readonly #transports = new Map<string, WebRtcTransport>();
  readonly #producers = new Map<string, Producer>();
  readonly #relays = new Map<string, Promise<StreamRelay>>();
  /** every viewer of a stream, live or waiting */
  readonly #viewers = new Map<string, Set<MediasoupConsumer>>();
  readonly #listenInfos: types.TransportListenInfo[];
  readonly #payloadTypeRouters: PayloadTypeRouters;
  #closed = false;

  private constructor(
    readonly worker: types.Worker,
    readonly ms: types.Router,
    private readonly opts: MediasoupRouterOptions,
    private readonly ownsWorker: boolean,
  ) {
    this.#listenInfos = listenInfos(opts);
    this.#payloadTypeRouters = new PayloadTypeRouters(worker, ms);
    worker.once('died', (err) => {
      opts.onWorkerDied?.(err);
      this.close();
    });
  }

  /** Starts a worker (the one `npm ci` built, see @hub/mediasoup-worker) unless given one, and a router on it. */
  static async create(opts: MediasoupRouterOptions = {}): Promise<MediasoupRouter> {
    const worker = opts.worker ?? (await createWorker({ workerBin: workerBin(), logLevel: 'warn' }));
    try {
      const ms = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      return new MediasoupRouter(worker, ms, opts, !opts.worker);
    } catch (err) {
      if (!opts.worker) worker.close();
      throw err;
    }
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
    relayOf: async (streamId) => this.#relays.get(streamId),
    routeFor: (relay, sections) => this.#payloadTypeRouters.routeFor(relay, sections),
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
    const transport = new MediasoupTransport(this.ms, this.#listenInfos, this.#streams, this.opts);
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
    const codec = routerCodecFor(producer.ms.rtpParameters.codecs[0]!, 'video', this.ms.rtpCapabilities);
    if (!codec) throw new TypeError(`no router codec for ${producer.mimeType}`);
    let relay = await this.#relays.get(streamId)?.catch(() => undefined);
    if (relay && (relay.closed || !relay.fits(codec))) {
      // media is forwarded as it is: viewers negotiated for another codec must signal again
      relay.close();
      relay = undefined;
    }
    const opened = relay ?? (await StreamRelay.open(this.ms, streamId, codec, this.opts.publisherReturnMs ?? 60_000, (closed) => this.#relayClosed(streamId, closed)));
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

  #relayClosed(streamId: string, relay: StreamRelay): void {
    void this.#relays.get(streamId)?.then((r) => {
      if (r === relay) this.#relays.delete(streamId);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.#transports.values()]) t.close();
    for (const r of this.#relays.values()) void r.then((relay) => relay.close()).catch(() => {});
    this.#payloadTypeRouters.close();
    this.ms.close();
    if (this.ownsWorker) this.worker.close();
  }
}
