// The seam between the agent and where its unsent messages wait: a disk journal, or memory (simulator).

export interface QueueEntry<T> {
  /** position in the queue, increasing by one per append, never reused within a folder */
  seq: number;
  record: T;
}

export interface QueueStats {
  /** appended and neither acknowledged nor dropped */
  queued: number;
  /** dropped because the queue was full (oldest first); kept across restarts by the journal */
  dropped: number;
  /** appended since opened */
  appended: number;
}

/**
 * A bounded FIFO of messages awaiting acknowledgement. Entries leave by `ack` (in any order)
 * or, when more than the bound are pending, by being dropped oldest first.
 */
export interface OutboxQueue<T> {
  /** Adds a record; resolves with its seq once it is durable (readable by `read`). */
  append(record: T): Promise<number>;
  /** Up to `limit` pending entries with seq ≥ fromSeq, ascending. */
  read(fromSeq: number, limit: number): Promise<QueueEntry<T>[]>;
  /** The entry is delivered; acking an unknown or dropped seq does nothing. */
  ack(seq: number): void;
  /** still waiting (neither acked nor dropped) */
  isPending(seq: number): boolean;
  readonly stats: QueueStats;
  /** Persists progress and releases the folder. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Pending-set bookkeeping shared by the queues: everything below `low` is done; `doneAbove`
 * holds acks that arrived out of order above it.
 */
export class PendingWindow {
  low: number;
  next: number;
  dropped: number;
  readonly #doneAbove = new Set<number>();

  constructor(low: number, next: number, dropped = 0) {
    this.low = low;
    this.next = next;
    this.dropped = dropped;
  }

  get pending(): number {
    return this.next - this.low - this.#doneAbove.size;
  }

  isPending(seq: number): boolean {
    return seq >= this.low && seq < this.next && !this.#doneAbove.has(seq);
  }

  /** Returns true when `low` moved. */
  done(seq: number): boolean {
    if (!this.isPending(seq)) return false;
    if (seq !== this.low) {
      this.#doneAbove.add(seq);
      return false;
    }
    this.low++;
    while (this.#doneAbove.delete(this.low)) this.low++;
    return true;
  }

  /** Drops the oldest pending entries until at most `max` are pending; returns how many. */
  trim(max: number): number {
    let n = 0;
    while (this.pending > max) {
      this.done(this.low); // `low` is always pending: done ones above it are folded in by done()
      this.dropped++;
      n++;
    }
    return n;
  }
}
