// A small append-only journal in a folder: the agent's store-and-forward queue on disk.
//
//   seg-0000000000000000.jsonl   one record per line: {"seq":0,"r":{…}}; a new segment every
//   seg-0000000000001024.jsonl   `segmentRecords` records; a segment ends where the next begins
//   acked.json                   {"low":N,"dropped":D}: every seq below N is acknowledged or dropped
//   lock                         pid of the agent that has the folder open
//
// Appends are group-committed: records appended in the same tick are written together and
// fdatasync'd once, and `append` resolves only then (a record is never sent before it is on disk).
// acked.json is rewritten (tmp + fsync + rename) at most every `ackFlushMs`, asynchronously and one
// write at a time: losing the latest acks in a crash only resends a few positions, which the hub
// stores once (by unit + ts). A write that fails (a full or read-only disk on a vehicle) is counted,
// reported to `onProgressError`, and tried again later; it never throws from a timer.
// Segments wholly below `low` are deleted (compaction). A torn last line (power cut mid-write)
// is cut off at open.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, openSync, closeSync, fsyncSync, ftruncateSync, unlinkSync, statSync } from 'node:fs';
import { open, readFile, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { QueueError } from '../errors';
import { PendingWindow, type OutboxQueue, type QueueEntry, type QueueStats } from './queue';

export interface JournalOptions {
  /** the folder; created if missing */
  dir: string;
  /** most pending records; beyond it the oldest are dropped and counted. Default 100000. */
  maxRecords?: number;
  /** records per segment file; default 1024 */
  segmentRecords?: number;
  /** fdatasync each group of appends; default true (false only for throwaway queues) */
  fsync?: boolean;
  /** longest delay before acknowledged progress is written, ms; default 250 */
  ackFlushMs?: number;
  /** called when acknowledged progress cannot be written (it is tried again); default none */
  onProgressError?: (err: Error) => void;
}

/** After a failed progress write, the next try waits at least this long. */
const PROGRESS_RETRY_MS = 5000;

interface Segment {
  start: number;
  file: string;
}

interface ActiveSegment<T> extends Segment {
  fh: FileHandle;
  /** its records, kept in memory: at most `segmentRecords` */
  entries: QueueEntry<T>[];
}

const SEGMENT_RE = /^seg-(\d{16})\.jsonl$/;
const segmentName = (start: number) => `seg-${String(start).padStart(16, '0')}.jsonl`;

export class Journal<T> implements OutboxQueue<T> {
  readonly dir: string;
  readonly #max: number;
  readonly #segmentRecords: number;
  readonly #fsync: boolean;
  readonly #ackFlushMs: number;
  readonly #window: PendingWindow;
  /** sealed segments, oldest first; the active one is not in it */
  readonly #sealed: Segment[] = [];
  #active: ActiveSegment<T>;
  /** records below this seq are on disk */
  #durable: number;
  #writes: { seq: number; record: T; line: string; resolve: (seq: number) => void; reject: (e: unknown) => void }[] = [];
  #flushing?: Promise<void>;
  #ackTimer?: NodeJS.Timeout;
  #ackDirty = false;
  /** the progress writes, one after another */
  #progress: Promise<void> = Promise.resolve();
  readonly #onProgressError?: (err: Error) => void;
  #cache?: { start: number; entries: QueueEntry<T>[] };
  #appended = 0;
  #closed = false;
  #closing?: Promise<void>;
  /** lines that failed to parse in sealed segments (skipped) */
  corrupt = 0;
  /** progress (acked.json) writes that failed; each is tried again */
  progressErrors = 0;

  private constructor(opts: JournalOptions, window: PendingWindow, active: ActiveSegment<T>, sealed: Segment[]) {
    this.dir = opts.dir;
    this.#max = opts.maxRecords ?? 100_000;
    this.#segmentRecords = opts.segmentRecords ?? 1024;
    this.#fsync = opts.fsync ?? true;
    this.#ackFlushMs = opts.ackFlushMs ?? 250;
    this.#onProgressError = opts.onProgressError;
    this.#window = window;
    this.#active = active;
    this.#sealed.push(...sealed);
    this.#durable = window.next;
  }

  /** Opens (or creates) the journal in `opts.dir`; pending records of an earlier run are read back. */
  static async open<T>(opts: JournalOptions): Promise<Journal<T>> {
    const dir = opts.dir;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new QueueError(`queue folder ${dir} cannot be created: ${(err as Error).message}`, { cause: err });
    }
    takeLock(dir);
    try {
      const saved = readAcked(dir);
      const segments = readdirSync(dir)
        .map((f) => SEGMENT_RE.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ start: Number(m[1]), file: path.join(dir, m[0]) }))
        .sort((a, b) => a.start - b.start);
      const last = segments.pop();
      let entries: QueueEntry<T>[] = [];
      let start: number;
      let file: string;
      if (last) {
        entries = repairTail<T>(last.file, last.start);
        start = last.start;
        file = last.file;
      } else {
        start = saved.low;
        file = path.join(dir, segmentName(start));
      }
      const next = start + entries.length;
      const low = Math.min(Math.max(saved.low, segments[0]?.start ?? start), next);
      const window = new PendingWindow(low, next, saved.dropped);
      const fh = await open(file, 'a');
      if (!last) syncDir(dir);
      const journal = new Journal<T>(opts, window, { start, file, fh, entries }, segments);
      journal.#window.trim(journal.#max);
      await journal.#saveProgress();
      return journal;
    } catch (err) {
      releaseLock(dir);
      throw err instanceof QueueError ? err : new QueueError(`queue folder ${dir} cannot be opened: ${(err as Error).message}`, { cause: err });
    }
  }

  get stats(): QueueStats {
    return { queued: this.#window.pending, dropped: this.#window.dropped, appended: this.#appended };
  }

  /** seq of the oldest pending record (or the next to be appended) */
  get low(): number {
    return this.#window.low;
  }

  append(record: T): Promise<number> {
    if (this.#closed) return Promise.reject(new QueueError('the queue is closed'));
    const seq = this.#window.next++;
    this.#appended++;
    const line = JSON.stringify({ seq, r: record }) + '\n';
    if (this.#window.trim(this.#max) > 0) this.#markAcked();
    const p = new Promise<number>((resolve, reject) => this.#writes.push({ seq, record, line, resolve, reject }));
    // the same tick's appends go to disk in one write and one fdatasync
    this.#flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.#flush());
    return p;
  }

  async #flush(): Promise<void> {
    while (this.#writes.length > 0) {
      const batch = this.#writes;
      this.#writes = [];
      try {
        let i = 0;
        while (i < batch.length) {
          if (this.#active.entries.length >= this.#segmentRecords) await this.#rotate();
          const room = this.#segmentRecords - this.#active.entries.length;
          const part = batch.slice(i, i + room);
          await this.#active.fh.write(part.map((w) => w.line).join(''));
          if (this.#fsync) await this.#active.fh.datasync();
          for (const w of part) this.#active.entries.push({ seq: w.seq, record: w.record });
          this.#durable = part[part.length - 1]!.seq + 1;
          i += part.length;
        }
        for (const w of batch) w.resolve(w.seq);
      } catch (err) {
        const e = new QueueError(`cannot write to the queue in ${this.dir}: ${(err as Error).message}`, { cause: err });
        for (const w of batch) w.reject(e);
      }
    }
    this.#flushing = undefined;
  }

  async #rotate(): Promise<void> {
    await this.#active.fh.close();
    this.#sealed.push({ start: this.#active.start, file: this.#active.file });
    const start = this.#active.start + this.#active.entries.length;
    const file = path.join(this.dir, segmentName(start));
    const fh = await open(file, 'a');
    syncDir(this.dir); // the new file's name must survive a power cut too
    this.#active = { start, file, fh, entries: [] };
    void this.#saveProgress(); // a sealed segment may now be wholly acknowledged
  }

  async read(fromSeq: number, limit: number): Promise<QueueEntry<T>[]> {
    const out: QueueEntry<T>[] = [];
    let seq = Math.max(fromSeq, this.#window.low);
    while (out.length < limit && seq < this.#durable) {
      const entries = await this.#entriesAt(seq);
      if (!entries) break;
      let progressed = false;
      for (const e of entries) {
        if (e.seq < seq) continue;
        progressed = true;
        seq = e.seq + 1;
        if (e.seq >= this.#durable) return out;
        if (this.#window.isPending(e.seq)) out.push(e);
        if (out.length >= limit) return out;
      }
      if (!progressed) {
        // a gap (corrupt lines skipped): go on at the next segment
        const nextSeg = this.#sealed.find((s) => s.start > seq) ?? this.#active;
        if (nextSeg.start <= seq) break;
        seq = nextSeg.start;
      }
    }
    return out;
  }

  /** The entries of the segment holding `seq`. */
  async #entriesAt(seq: number): Promise<QueueEntry<T>[] | undefined> {
    if (seq >= this.#active.start) return this.#active.entries;
    let seg: Segment | undefined;
    for (const s of this.#sealed) if (s.start <= seq) seg = s;
    if (!seg) return undefined;
    if (this.#cache?.start === seg.start) return this.#cache.entries;
    let text: string;
    try {
      text = await readFile(seg.file, 'utf8');
    } catch {
      return undefined; // compacted meanwhile
    }
    const entries: QueueEntry<T>[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const { seq: s, r } = JSON.parse(line) as { seq: number; r: T };
        entries.push({ seq: s, record: r });
      } catch {
        this.corrupt++;
      }
    }
    this.#cache = { start: seg.start, entries };
    return entries;
  }

  ack(seq: number): void {
    if (this.#closed) return;
    const wasPending = this.#window.isPending(seq);
    this.#window.done(seq);
    if (wasPending) this.#markAcked();
  }

  isPending(seq: number): boolean {
    return this.#window.isPending(seq);
  }

  #markAcked(): void {
    this.#ackDirty = true;
    this.#scheduleProgress(this.#ackFlushMs);
  }

  #scheduleProgress(ms: number): void {
    if (this.#closed) return;
    this.#ackTimer ??= setTimeout(() => {
      this.#ackTimer = undefined;
      void this.#saveProgress();
    }, ms);
  }

  /** Writes acked.json, then deletes the segments wholly below it; never rejects. */
  #saveProgress(): Promise<void> {
    this.#progress = this.#progress.then(async () => {
      try {
        await this.#persistAcked();
        await this.#compact();
      } catch (err) {
        this.#ackDirty = true;
        this.progressErrors++;
        this.#onProgressError?.(new QueueError(`cannot save the queue's progress in ${this.dir}: ${(err as Error).message}`, { cause: err }));
        this.#scheduleProgress(Math.max(this.#ackFlushMs, PROGRESS_RETRY_MS));
      }
    });
    return this.#progress;
  }

  async #persistAcked(): Promise<void> {
    if (!this.#ackDirty) return;
    this.#ackDirty = false;
    const file = path.join(this.dir, 'acked.json');
    const tmp = file + '.tmp';
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify({ low: this.#window.low, dropped: this.#window.dropped }));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  }

  /** Deletes sealed segments that hold nothing pending; acked.json is written first. */
  async #compact(): Promise<void> {
    const low = this.#window.low;
    let n = 0;
    while (n < this.#sealed.length && (this.#sealed[n + 1]?.start ?? this.#active.start) <= low) n++;
    if (n === 0) return;
    await this.#persistAcked();
    for (const s of this.#sealed.splice(0, n)) {
      if (this.#cache?.start === s.start) this.#cache = undefined;
      await unlink(s.file).catch(() => {}); // already gone
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#flushing;
      this.#closed = true;
      clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
      try {
        await this.#saveProgress();
      } finally {
        await this.#active.fh.close().catch(() => {});
        releaseLock(this.dir);
      }
    })();
    return this.#closing;
  }

  /** Deletes a journal folder (tests, or an operator resetting a unit). */
  static async destroy(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }
}

function readAcked(dir: string): { low: number; dropped: number } {
  try {
    const v = JSON.parse(readFileSync(path.join(dir, 'acked.json'), 'utf8')) as { low?: unknown; dropped?: unknown };
    const low = Number.isSafeInteger(v.low) && (v.low as number) >= 0 ? (v.low as number) : 0;
    const dropped = Number.isSafeInteger(v.dropped) && (v.dropped as number) >= 0 ? (v.dropped as number) : 0;
    return { low, dropped };
  } catch {
    return { low: 0, dropped: 0 };
  }
}

/** Reads the last segment and cuts a torn or garbled tail off it. */
function repairTail<T>(file: string, start: number): QueueEntry<T>[] {
  const buf = readFileSync(file);
  const entries: QueueEntry<T>[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(0x0a, offset);
    if (nl < 0) break; // torn: no line end
    try {
      const { seq, r } = JSON.parse(buf.subarray(offset, nl).toString('utf8')) as { seq: number; r: T };
      if (seq !== start + entries.length) break;
      entries.push({ seq, record: r });
    } catch {
      break;
    }
    offset = nl + 1;
  }
  if (offset < buf.length) {
    const fd = openSync(file, 'r+');
    try {
      ftruncateSync(fd, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return entries;
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported on every filesystem; the file's own fsync still holds its data */
  }
}

/** One agent per folder: two writers would interleave segments. A lock left by a dead process is taken over. */
const heldHere = new Set<string>();

function takeLock(dir: string): void {
  const file = path.join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      heldHere.add(path.resolve(dir));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new QueueError(`queue folder ${dir} is not writable: ${(err as Error).message}`);
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid === process.pid && heldHere.has(path.resolve(dir))) throw new QueueError(`queue folder ${dir} is already open in this process`);
      if (pid !== process.pid && pidAlive(pid)) throw new QueueError(`queue folder ${dir} is in use by process ${pid}`);
      unlinkSync(file); // stale
    }
  }
  throw new QueueError(`queue folder ${dir} cannot be locked`);
}

function releaseLock(dir: string): void {
  heldHere.delete(path.resolve(dir));
  try {
    const file = path.join(dir, 'lock');
    if (statSync(file).isFile() && Number(readFileSync(file, 'utf8')) === process.pid) unlinkSync(file);
  } catch {
    /* gone */
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
