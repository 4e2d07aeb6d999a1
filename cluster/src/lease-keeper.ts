// Renews the hub's lease from a worker thread, so that a busy main thread does not lose it.
//
// Measured (bench/cluster.ts, 10,000 units on 2 hubs of this 2-core machine): a hub's event
// loop stalled for seconds at a time under load, its lease (renewed from that loop) lapsed,
// another hub swept it and took all its units offline, and the hub then registered them all
// again: every unit said offline while it was reporting, and the extra work made the stalls
// longer. The lease's job is to tell a dead hub from a live one, and a killed process is dead
// at once whichever thread renews; so a thread of its own renews it, and the main thread only
// has to beat now and then: a hub whose main thread has not beaten for `stallMs` (stuck, not
// busy) is let go as a dead one.
import { Worker } from 'node:worker_threads';

export interface LeaseKeeperOptions {
  redisUrl: string;
  hubId: string;
  leaseMs: number;
  /** the main thread silent this long stops the renewals, ms */
  stallMs: number;
  prefix: string;
  advertiseUrl: string | undefined;
  connectionName: string;
  /** another hub had swept this one: its units must be registered again */
  onLapsed(): void;
  onStalled(ms: number): void;
  onRecovered(): void;
  /** the thread failed: the lease lapses as a dead hub's would */
  onError(err: Error): void;
}

export class LeaseKeeper {
  readonly #worker: Worker;
  readonly #beat: Float64Array;
  readonly #beater: NodeJS.Timeout;
  #stopped: Promise<void> | undefined;

  constructor(opts: LeaseKeeperOptions) {
    const heartbeat = new SharedArrayBuffer(8);
    this.#beat = new Float64Array(heartbeat);
    this.#beat[0] = Date.now();
    this.#beater = setInterval(() => (this.#beat[0] = Date.now()), 250);
    this.#beater.unref();
    const { onLapsed, onStalled, onRecovered, onError, ...data } = opts;
    // no loader is needed in the worker: plain JavaScript (and no inherited `--import tsx` either)
    this.#worker = new Worker(new URL('./lease-keeper.worker.mjs', import.meta.url), { workerData: { ...data, heartbeat }, execArgv: [] });
    this.#worker.unref();
    this.#worker.on('message', (msg: { type: 'lapsed' | 'stalled' | 'recovered'; ms?: number }) => {
      if (msg.type === 'lapsed') onLapsed();
      else if (msg.type === 'stalled') onStalled(msg.ms ?? 0);
      else onRecovered();
    });
    this.#worker.on('error', onError);
  }

  advertise(url: string): void {
    this.#worker.postMessage({ type: 'advertise', url });
  }

  /** Stops renewing; resolves once the thread has ended. Safe twice. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      clearInterval(this.#beater);
      const exited = new Promise<void>((resolve) => {
        this.#worker.once('exit', () => resolve());
        setTimeout(resolve, 2000).unref();
      });
      this.#worker.postMessage({ type: 'stop' });
      await exited;
      await this.#worker.terminate();
    })();
    return this.#stopped;
  }
}
