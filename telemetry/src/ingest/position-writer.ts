// Batches positions into few database writes. `write()` resolves only once the
// position is committed: the broker sends the unit its PUBACK after that, so an
// acknowledged position is durable (README: "Durability").
import type { Logger } from 'pino';
import type { Position } from '@hub/config';
import type { TelemetryMetrics } from '../metrics';

export interface BatchResult {
  inserted: number;
  /** the positions that were new (not already stored) */
  fresh: Position[];
}

export interface PositionWriterOptions {
  /** writes one batch in one transaction */
  insert: (batch: Position[]) => Promise<BatchResult>;
  /** called after each commit with the new positions */
  onCommitted: (fresh: Position[]) => void;
  /** most positions in one write */
  maxBatch: number;
  /** longest wait for a batch to fill, ms */
  flushMs: number;
  /** batch writes in flight at once */
  concurrency: number;
  metrics: TelemetryMetrics;
  log: Logger;
}

interface Pending {
  position: Position;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WriterClosedError extends Error {
  readonly code = 'HUB_ERR_INGEST_CLOSED';
  constructor() {
    super('the position writer is closed: the hub is shutting down');
  }
}

const RETRY_DELAYS_MS = [50, 250, 1000];

export class PositionWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: PositionWriterOptions) {}

  /** Positions waiting for or in a write. */
  get depth(): number {
    return this.pending.length;
  }

  /** Queues a position; resolves when it is committed, rejects if it could not be written. */
  write(position: Position): Promise<void> {
    if (this.closed) return Promise.reject(new WriterClosedError());
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ position, resolve, reject });
      this.opts.metrics.queueDepth.set(this.pending.length);
      if (this.pending.length >= this.opts.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.opts.flushMs);
    });
  }

  private flushSoon(delay: number): void {
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, delay);
  }

  /** Starts as many batch writes as the concurrency allows. */
  private drain(): void {
    while (this.pending.length > 0 && this.inFlight < this.opts.concurrency) {
      const batch = this.pending.splice(0, this.opts.maxBatch);
      this.opts.metrics.queueDepth.set(this.pending.length);
      this.inFlight++;
      void this.writeBatch(batch).finally(() => {
        this.inFlight--;
        if (this.pending.length > 0) this.drain();
        else if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
      });
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const positions = batch.map((p) => p.position);
    const started = process.hrtime.bigint();
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.opts.insert(positions);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.opts.metrics.commitSeconds.observe(seconds);
        this.opts.metrics.batchSize.observe(positions.length);
        this.opts.metrics.positionsStored.inc(result.inserted);
        this.opts.metrics.positionsDuplicate.inc(positions.length - result.inserted);
        for (const p of batch) p.resolve();
        if (result.fresh.length > 0) {
          try {
            this.opts.onCommitted(result.fresh);
          } catch (err) {
            this.opts.log.error({ err }, 'a listener of committed positions failed');
          }
        }
        return;
      } catch (err) {
        this.opts.metrics.writeErrors.inc();
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined || this.closed) {
          this.opts.log.error({ err, positions: positions.length }, 'positions could not be written; units will resend them');
          const e = err instanceof Error ? err : new Error(String(err));
          for (const p of batch) p.reject(e);
          return;
        }
        this.opts.log.warn({ err, attempt: attempt + 1 }, 'batch write failed, retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Resolves when everything queued so far is written (or failed). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.drain();
    if (this.pending.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Writes what is queued, then refuses new positions. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }
}
