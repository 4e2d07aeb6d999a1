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
  /** writes one batch in one transaction; `receivedAt[i]` is when the hub received `batch[i]` */
  insert: (batch: Position[], receivedAt: Date[]) => Promise<BatchResult>;
  /** called after each commit with the new positions */
  onCommitted: (fresh: Position[]) => void;
  /** most positions in one write */
  maxBatch: number;
  /** longest wait for a batch to fill, ms */
  flushMs: number;
  /** writer lanes (by unit), each with one batch in flight */
  concurrency: number;
  metrics: TelemetryMetrics;
  log: Logger;
}

interface Pending {
  position: Position;
  /** when write() was called: the hub's arrival time, which decides the unit's latest position */
  receivedAt: Date;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WriterClosedError extends Error {
  readonly code = 'HUB_ERR_INGEST_CLOSED';
  constructor() {
    super('the position writer is closed: the hub is shutting down');
  }
}

/**
 * A position the database refused for something in the position itself (SQLSTATE class 22,
 * data exception, or 23, integrity constraint violation), found by splitting its batch. The
 * other positions of the batch are stored; this one is refused and counted, and the unit gets
 * its PUBACK so that it does not send it again forever.
 */
export class PositionRefusedError extends Error {
  readonly code = 'HUB_ERR_POSITION_REFUSED';
  constructor(
    readonly position: Position,
    /** the database's SQLSTATE, e.g. 22P05 */
    readonly sqlState: string,
    reason: string,
  ) {
    super(`the database refused this position (SQLSTATE ${sqlState}: ${reason})`);
  }
}

/**
 * Whether a failed batch failed for something in its rows rather than for the database being
 * unwell: SQLSTATE class 22 (data exception, e.g. 22P05 untranslatable character) or 23
 * (integrity), or a row JavaScript could not serialise (RangeError: an invalid time). Such a
 * batch is split to find the row; any other error (connection, outage) fails the batch as before.
 */
export function isRowError(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^2[23][0-9A-Z]{3}$/.test(code)) return false;
  // a day partition dropped under us (store/positions.ts retries it): the table's fault, not the row's
  return !(code === '23514' && /no partition/i.test((err as Error).message));
}

const RETRY_DELAYS_MS = [50, 250, 1000];

/** One writer lane: its own queue and at most one batch in flight. */
interface Lane {
  pending: Pending[];
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
}

function laneOf(unitId: string, lanes: number): number {
  let h = 0;
  for (let i = 0; i < unitId.length; i++) h = (h * 31 + unitId.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

/**
 * Positions are split into `concurrency` lanes by unit, each writing one batch at a time:
 * concurrent batches then never touch the same unit's rows (unit_latest, the primary key),
 * so they never wait on each other's row locks. Measured with bench/ingest.ts: mixed
 * batches in flight together serialised on those locks and took seconds to commit.
 */
export class PositionWriter {
  private readonly lanes: Lane[];
  private readonly idleWaiters: (() => void)[] = [];
  private queued = 0;
  private closed = false;

  constructor(private readonly opts: PositionWriterOptions) {
    this.lanes = Array.from({ length: opts.concurrency }, () => ({ pending: [], timer: undefined, busy: false }));
  }

  /** Positions waiting for or in a write. */
  get depth(): number {
    return this.queued;
  }

  /** Queues a position; resolves when it is committed, rejects if it could not be written. */
  write(position: Position): Promise<void> {
    if (this.closed) return Promise.reject(new WriterClosedError());
    const lane = this.lanes[laneOf(position.unitId, this.lanes.length)]!;
    return new Promise<void>((resolve, reject) => {
      lane.pending.push({ position, receivedAt: new Date(), resolve, reject });
      this.queued++;
      this.opts.metrics.queueDepth.set(this.queued);
      if (lane.pending.length >= this.opts.maxBatch) this.flushSoon(lane, 0);
      else this.flushSoon(lane, this.opts.flushMs);
    });
  }

  private flushSoon(lane: Lane, delay: number): void {
    if (lane.timer && delay > 0) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.drain(lane);
    }, delay);
  }

  /** Starts the lane's next batch write unless one is in flight. */
  private drain(lane: Lane): void {
    if (lane.busy || lane.pending.length === 0) return;
    const batch = lane.pending.splice(0, this.opts.maxBatch);
    lane.busy = true;
    void this.writeBatch(batch).finally(() => {
      lane.busy = false;
      this.queued -= batch.length;
      this.opts.metrics.queueDepth.set(this.queued);
      if (lane.pending.length > 0) this.drain(lane);
      else if (this.queued === 0) this.idleWaiters.splice(0).forEach((w) => w());
    });
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const positions = batch.map((p) => p.position);
    const started = process.hrtime.bigint();
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.opts.insert(
          positions,
          batch.map((p) => p.receivedAt),
        );
        this.committed(batch, result, started);
        return;
      } catch (err) {
        this.opts.metrics.writeErrors.inc();
        if (isRowError(err)) {
          // One row's fault must not fail its neighbours: find it, store the others.
          await this.isolate(batch, err, started);
          return;
        }
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

  private committed(batch: Pending[], result: BatchResult, started: bigint): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.opts.metrics.commitSeconds.observe(seconds);
    this.opts.metrics.batchSize.observe(batch.length);
    this.opts.metrics.positionsStored.inc(result.inserted);
    this.opts.metrics.positionsDuplicate.inc(batch.length - result.inserted);
    for (const p of batch) p.resolve();
    if (result.fresh.length > 0) {
      try {
        this.opts.onCommitted(result.fresh);
      } catch (err) {
        this.opts.log.error({ err }, 'a listener of committed positions failed');
      }
    }
  }

  /**
   * Splits a batch that failed with a row error in halves and writes each, down to the rows
   * that fail alone: those are refused with PositionRefusedError, the rest are stored. A few
   * bad rows cost about 2·log2(batch) extra statements each. An error of another kind on the
   * way (the database went away) fails that part as a whole, as an unsplit batch would.
   */
  private async isolate(batch: Pending[], err: unknown, started: bigint): Promise<void> {
    if (batch.length === 1) {
      const p = batch[0]!;
      const sqlState = String((err as { code?: unknown }).code ?? (err as Error).name ?? 'unknown');
      const refused = new PositionRefusedError(p.position, sqlState, (err as Error).message ?? String(err));
      this.opts.log.warn({ unitId: p.position.unitId, ts: p.position.ts, sqlState }, 'a position was refused by the database; its neighbours are stored');
      p.reject(refused);
      return;
    }
    const mid = Math.ceil(batch.length / 2);
    for (const part of [batch.slice(0, mid), batch.slice(mid)]) {
      try {
        this.committed(
          part,
          await this.opts.insert(
            part.map((p) => p.position),
            part.map((p) => p.receivedAt),
          ),
          started,
        );
      } catch (partErr) {
        this.opts.metrics.writeErrors.inc();
        if (isRowError(partErr)) {
          await this.isolate(part, partErr, started);
        } else {
          this.opts.log.error({ err: partErr, positions: part.length }, 'positions could not be written; units will resend them');
          const e = partErr instanceof Error ? partErr : new Error(String(partErr));
          for (const p of part) p.reject(e);
        }
      }
    }
  }

  /** Resolves when everything queued so far is written (or failed). */
  async flush(): Promise<void> {
    for (const lane of this.lanes) {
      if (lane.timer) {
        clearTimeout(lane.timer);
        lane.timer = undefined;
      }
      this.drain(lane);
    }
    if (this.queued === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Writes what is queued, then refuses new positions. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }
}
