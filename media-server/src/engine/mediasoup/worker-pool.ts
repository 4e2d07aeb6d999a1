// mediasoup workers, one per core (each a C++ process with one thread): a stream's router lives
// on one worker, chosen least loaded when the stream starts; its viewers are served there until
// that worker's share (`viewersPerWorker`) is full, then from another worker, to which the
// stream is piped (Router.pipeToRouter) once, for as long as it has viewers there. Each worker
// has one WebRtcServer, so every WebRTC transport of the SFU uses the worker's one UDP and one
// TCP port (a firewall opens `rtcPort` … `rtcPort + workers - 1`). A worker that dies is started
// again after a backoff; the transports on it close, and their peers signal again.
import os from 'node:os';
import { createWorker, type types } from 'mediasoup';
import { workerBin } from '@hub/mediasoup-worker';
import type { TransportOptions } from '../types';
import { MEDIA_CODECS } from './codecs';
import type { MediasoupConsumer } from './consumer';
import { PayloadTypeRouters, pipeProducer, type StreamLeg, type ViewerRoute } from './payload-routers';

/** Viewers one worker serves by default: one worker carried 500 SRTP consumers of a 1 Mbit/s stream at 77 % of a core and saturates at about 600 (issue 13, bench/RESULTS.md). */
export const DEFAULT_VIEWERS_PER_WORKER = 500;

/** Backoff of a worker's restart after it died: doubled per death within a minute, up to 30 s. */
const RESTART_MS = { first: 500, max: 30_000, window: 60_000 };

export interface WorkerPoolOptions extends TransportOptions {
  /** how many workers; default the number of cores (os.availableParallelism()) */
  workers?: number;
  /** viewers a worker serves before a stream's next viewer goes to another worker; default 500; 0 = no limit */
  viewersPerWorker?: number;
  /** worker i's WebRtcServer listens on UDP and TCP port rtcPort + i; default 0 = a free port each */
  rtcPort?: number;
  /** a worker died (its transports closed); it starts again after `restartInMs` */
  onWorkerDied?: (err: Error, death: { index: number; pid: number; restartInMs: number }) => void;
}

/** A viewer's place on a worker, held from routing until its consumer exists (so that a burst of viewers cannot overfill a worker). */
export interface Seat {
  /** the viewer's consumer now holds the seat, until it closes */
  take(consumer: MediasoupConsumer): void;
  /** the viewer did not come (a refused offer): the seat is free again */
  release(): void;
}

/** What one worker holds of one stream: its viewers there, and the stream piped in when it lives on another worker. */
interface StreamOnWorker {
  viewers: Set<MediasoupConsumer>;
  /** seats taken by viewers still being answered */
  pending: number;
  /** the stream's legs piped into this worker's router (absent on the stream's own worker) */
  piped?: Promise<StreamLeg[]>;
}

/**
 * Where transports listen: every IPv4 address of this host's interfaces, and each
 * `additionalHostAddresses` entry: a local one (127.0.0.1 for loopback tests) is listened on,
 * another (a public address behind NAT) is announced for the first interface's socket, which
 * is announced under its own address too. One socket per address and protocol, on `port`.
 */
export function listenInfos(opts: TransportOptions, port: number, interfaces = os.networkInterfaces()): types.TransportListenInfo[] {
  const local = Object.values(interfaces)
    .flat()
    .filter((i): i is os.NetworkInterfaceInfo => !!i && i.family === 'IPv4');
  const ips = local.filter((i) => !i.internal).map((i) => i.address);
  const announced: string[] = [];
  for (const a of opts.additionalHostAddresses ?? []) {
    if (ips.includes(a)) continue;
    if (local.some((i) => i.address === a)) ips.push(a);
    else announced.push(a);
  }
  if (ips.length === 0) ips.push(announced.length > 0 ? '0.0.0.0' : '127.0.0.1');
  const at = (ip: string, i: number) => ({ ip, ...(port ? { port } : {}), ...(i === 0 && announced[0] ? { announcedAddress: announced[0], exposeInternalIp: ip !== '0.0.0.0' } : {}) });
  return ips.flatMap((ip, i) => [
    { protocol: 'udp', ...at(ip, i) },
    { protocol: 'tcp', ...at(ip, i) },
  ]);
}

/** One worker: its process, its WebRtcServer, its base router (where streams live), and the streams it serves viewers of. */
export class MediaWorker {
  readonly streams = new Map<string, StreamOnWorker>();
  readonly payloadTypeRouters: PayloadTypeRouters;
  /** streams whose relay lives on this worker */
  homed = 0;
  dead = false;

  private constructor(
    readonly index: number,
    readonly worker: types.Worker,
    readonly webRtcServer: types.WebRtcServer,
    readonly router: types.Router,
  ) {
    this.payloadTypeRouters = new PayloadTypeRouters(worker, router);
  }

  static async start(index: number, opts: WorkerPoolOptions): Promise<MediaWorker> {
    const worker = await createWorker({ workerBin: workerBin(), logLevel: 'warn' });
    try {
      const port = opts.rtcPort ? opts.rtcPort + index : 0;
      const webRtcServer = await worker.createWebRtcServer({ listenInfos: listenInfos(opts, port) }).catch((err: Error) => {
        throw new Error(`the mediasoup worker ${index} cannot listen on WebRTC port ${port} (UDP and TCP): ${err.message}; set media.rtcPort to a free range`);
      });
      const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      return new MediaWorker(index, worker, webRtcServer, router);
    } catch (err) {
      worker.close();
      throw err;
    }
  }

  /** viewers served here, and seats being taken */
  get load(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.viewers.size + s.pending;
    return n;
  }

  #stream(streamId: string): StreamOnWorker {
    let s = this.streams.get(streamId);
    if (!s) this.streams.set(streamId, (s = { viewers: new Set(), pending: 0 }));
    return s;
  }

  /** A seat for a viewer of `streamId`; when the stream's last viewer here leaves, its pipe into this worker closes. */
  seat(streamId: string): Seat {
    const s = this.#stream(streamId);
    s.pending++;
    let held = true;
    const leave = () => {
      if (this.streams.get(streamId) !== s || s.viewers.size > 0 || s.pending > 0) return;
      this.streams.delete(streamId);
      void s.piped?.then((legs) => legs.forEach((l) => l.producer.close())).catch(() => {});
    };
    return {
      take: (consumer) => {
        if (!held) return;
        held = false;
        s.pending--;
        s.viewers.add(consumer);
        consumer.once('close', () => {
          s.viewers.delete(consumer);
          leave();
        });
      },
      release: () => {
        if (!held) return;
        held = false;
        s.pending--;
        leave();
      },
    };
  }

  /** The stream's legs in this worker's router: piped from `home` once, for as long as it has viewers here. */
  legsOf(streamId: string, home: MediaWorker, legs: StreamLeg[]): Promise<StreamLeg[]> {
    if (home === this) return Promise.resolve(legs);
    const s = this.#stream(streamId);
    if (!s.piped) {
      const piped = Promise.all(
        legs.map(async (leg): Promise<StreamLeg> => {
          return { ...leg, producer: await pipeProducer(home.router, leg.producer, this.router) };
        }),
      );
      s.piped = piped;
      // a pipe that failed, or that closed with the stream's relay, is made again by the next viewer
      const forget = () => {
        if (s.piped === piped) s.piped = undefined;
      };
      piped.then((ls) => ls.forEach((l) => l.producer.observer.once('close', forget)), forget);
    }
    return s.piped;
  }

  close(): void {
    this.payloadTypeRouters.close();
    this.worker.close();
  }
}

/** The workers, kept at `workers` live ones. */
export class WorkerPool {
  readonly #slots: (MediaWorker | undefined)[];
  readonly viewersPerWorker: number;
  readonly #deaths: number[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  private constructor(
    private readonly opts: WorkerPoolOptions,
    slots: MediaWorker[],
    /** a worker died: the pool's owner closes what lived on it */
    private readonly onDeath: (worker: MediaWorker) => void,
  ) {
    this.#slots = slots;
    this.viewersPerWorker = opts.viewersPerWorker ?? DEFAULT_VIEWERS_PER_WORKER;
    slots.forEach((w) => this.#watch(w));
  }

  static async start(opts: WorkerPoolOptions, onDeath: (worker: MediaWorker) => void): Promise<WorkerPool> {
    const n = Math.max(1, opts.workers ?? os.availableParallelism());
    const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => MediaWorker.start(i, opts)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of started) if (s.status === 'fulfilled') s.value.close();
      throw failed.reason;
    }
    return new WorkerPool(
      opts,
      started.map((s) => (s as PromiseFulfilledResult<MediaWorker>).value),
      onDeath,
    );
  }

  /** the live workers */
  get workers(): MediaWorker[] {
    return this.#slots.filter((w): w is MediaWorker => !!w && !w.dead);
  }

  #full(w: MediaWorker): boolean {
    return this.viewersPerWorker > 0 && w.load >= this.viewersPerWorker;
  }

  /** the least loaded live worker (by viewers, then streams), for a stream that starts */
  home(): MediaWorker {
    const [best] = this.workers.sort((a, b) => a.load - b.load || a.homed - b.homed || a.index - b.index);
    if (!best) throw new Error('no mediasoup worker is running (one is being started again)');
    return best;
  }

  /** whether some worker can take a viewer more */
  hasRoom(): boolean {
    return this.workers.some((w) => !this.#full(w));
  }

  /** A worker with room for a viewer of a stream on `home`: `home` while it has room, else the least loaded other; undefined when every worker is full. */
  forViewer(home: MediaWorker): MediaWorker | undefined {
    if (!home.dead && !this.#full(home)) return home;
    return this.workers.filter((w) => !this.#full(w)).sort((a, b) => a.load - b.load || a.index - b.index)[0];
  }

  /** Where a viewer of a stream (legs on `home`) consumes: a router on a worker with room, holding its seat. */
  async route(
    streamId: string,
    home: MediaWorker,
    legs: StreamLeg[],
    route: (w: MediaWorker, legs: StreamLeg[]) => Promise<ViewerRoute>,
  ): Promise<{ worker: MediaWorker; seat: Seat; route: ViewerRoute } | undefined> {
    const worker = this.forViewer(home);
    if (!worker) return undefined;
    const seat = worker.seat(streamId);
    try {
      return { worker, seat, route: await route(worker, await worker.legsOf(streamId, home, legs)) };
    } catch (err) {
      seat.release();
      throw err;
    }
  }

  #watch(w: MediaWorker): void {
    w.worker.once('died', (err) => {
      w.dead = true;
      const now = Date.now();
      while (this.#deaths.length > 0 && this.#deaths[0]! < now - RESTART_MS.window) this.#deaths.shift();
      this.#deaths.push(now);
      const restartInMs = Math.min(RESTART_MS.max, RESTART_MS.first * 2 ** (this.#deaths.length - 1));
      this.opts.onWorkerDied?.(err, { index: w.index, pid: w.worker.pid, restartInMs });
      this.onDeath(w);
      w.payloadTypeRouters.close();
      this.#restart(w.index, restartInMs);
    });
  }

  #restart(index: number, delayMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#closed) return;
      MediaWorker.start(index, this.opts).then(
        (w) => {
          if (this.#closed) return w.close();
          this.#slots[index] = w;
          this.#watch(w);
        },
        // its port still held, the binary gone…: try again later
        () => this.#restart(index, Math.min(RESTART_MS.max, delayMs * 2)),
      );
    }, delayMs);
    this.#timers.add(timer);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#slots) w?.close();
  }
}
