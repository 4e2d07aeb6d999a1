// The queue in memory: for the fleet simulator and benchmarks, where a thousand disk journals
// would measure the disk, not the hub. Same bound and drop policy as the journal; lost on exit.
import { PendingWindow, type OutboxQueue, type QueueEntry, type QueueStats } from './queue';

export class MemoryQueue<T> implements OutboxQueue<T> {
  readonly #max: number;
  readonly #window = new PendingWindow(0, 0);
  /** entries from #window.low onwards (acked ones are removed lazily from the front) */
  #entries: QueueEntry<T>[] = [];
  #appended = 0;

  /** @param maxRecords most pending records; default 100000 */
  constructor(maxRecords = 100_000) {
    this.#max = maxRecords;
  }

  get stats(): QueueStats {
    return { queued: this.#window.pending, dropped: this.#window.dropped, appended: this.#appended };
  }

  async append(record: T): Promise<number> {
    const seq = this.#window.next++;
    this.#appended++;
    this.#entries.push({ seq, record });
    if (this.#window.trim(this.#max) > 0) this.#shed();
    return seq;
  }

  async read(fromSeq: number, limit: number): Promise<QueueEntry<T>[]> {
    const out: QueueEntry<T>[] = [];
    const first = this.#entries[0]?.seq ?? 0;
    for (let i = Math.max(0, fromSeq - first); i < this.#entries.length && out.length < limit; i++) {
      const e = this.#entries[i]!;
      if (this.#window.isPending(e.seq)) out.push(e);
    }
    return out;
  }

  ack(seq: number): void {
    if (this.#window.done(seq)) this.#shed();
  }

  isPending(seq: number): boolean {
    return this.#window.isPending(seq);
  }

  #shed(): void {
    const drop = this.#window.low - (this.#entries[0]?.seq ?? this.#window.low);
    // splice in chunks: shifting one by one is O(n) each on a long backlog
    if (drop > 0 && (drop >= 1024 || drop === this.#entries.length)) this.#entries.splice(0, drop);
  }

  async close(): Promise<void> {
    this.#entries = [];
  }
}
