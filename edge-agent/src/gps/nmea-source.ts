// NMEA 0183 from a serial device (read as a stream, reopened after errors) or from a recorded file (replayed).
import { createReadStream, type ReadStream } from 'node:fs';
import { NmeaDecoder, type NmeaStats } from './nmea-parser';
import { sleep } from './sleep';
import type { GpsFix, GpsSource, GpsSourceStats } from './source';
import { silentLogger, type Logger } from '../log';

export interface NmeaSourceOptions {
  /** serial device (e.g. /dev/ttyUSB0, already set to the receiver's baud rate with `stty`) or file */
  path: string;
  /** 'device': read until closed, reopening after errors or EOF; 'file': replay once. Default 'device'. */
  mode?: 'device' | 'file';
  /** file replay: fixes per second; 0 = as fast as the reader takes them. Default 1. */
  rate?: number;
  /**
   * file replay: move the log's timestamps to now, so the hub takes it as a live unit's. At a rate
   * above 0 each fix is stamped with the moment it is replayed, as a live receiver's would be; at
   * rate 0 the whole log is shifted to end now, keeping its spacing, so every fix lies in the past
   * and none is refused as ahead of the hub's clock. Default false.
   */
  retime?: boolean;
  /** device: wait before reopening, ms. Default 2000. */
  reopenMs?: number;
  logger?: Logger;
}

export class NmeaSource implements GpsSource {
  readonly name: string;
  readonly #opts: Required<Omit<NmeaSourceOptions, 'logger'>>;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #decoder = new NmeaDecoder();
  #stream?: ReadStream;
  #opens = 0;
  #iterated = false;

  constructor(opts: NmeaSourceOptions) {
    this.#opts = { mode: 'device', rate: 1, retime: false, reopenMs: 2000, ...opts };
    this.name = `${this.#opts.mode === 'file' ? 'nmea-file' : 'nmea'}:${opts.path}`;
    this.#log = (opts.logger ?? silentLogger).child({ module: 'gps-nmea', path: opts.path });
  }

  get stats(): GpsSourceStats & NmeaStats {
    return { ...this.#decoder.stats, opens: this.#opens };
  }

  [Symbol.asyncIterator](): AsyncIterator<GpsFix> {
    if (this.#iterated) throw new Error('a GPS source can be iterated only once');
    this.#iterated = true;
    return this.#opts.mode === 'file' ? this.#replay() : this.#readDevice();
  }

  async *#readDevice(): AsyncGenerator<GpsFix> {
    const signal = this.#abort.signal;
    let warned = false;
    try {
      yield* this.#readDeviceLoop(
        signal,
        () => warned,
        (w) => (warned = w),
      );
    } finally {
      this.#stream?.destroy();
    }
  }

  async *#readDeviceLoop(signal: AbortSignal, warned: () => boolean, setWarned: (w: boolean) => void): AsyncGenerator<GpsFix> {
    while (!signal.aborted) {
      try {
        for await (const chunk of this.#open()) {
          setWarned(false);
          for (const fix of this.#decoder.push(chunk as Buffer)) yield fix;
        }
        for (const fix of this.#decoder.flush()) yield fix;
        if (!signal.aborted) this.#log.warn('device ended; reopening');
      } catch (err) {
        if (signal.aborted) break;
        // a receiver may be unplugged and plugged again: keep trying, but say it once
        if (!warned()) this.#log.warn({ err: (err as Error).message }, 'cannot read the GPS device; retrying');
        setWarned(true);
      }
      await sleep(this.#opts.reopenMs, signal);
    }
  }

  async *#replay(): AsyncGenerator<GpsFix> {
    const signal = this.#abort.signal;
    const interval = this.#opts.rate > 0 ? 1000 / this.#opts.rate : 0;
    const retime = this.#opts.retime ? await this.#retimer() : (fix: GpsFix) => fix;
    let first = true;
    try {
      for await (const chunk of this.#open()) {
        for (const fix of this.#decoder.push(chunk as Buffer)) {
          if (!first && interval > 0 && !(await sleep(interval, signal))) return;
          first = false;
          yield retime(fix);
        }
      }
      // a last line without line end, and an RMC still waiting for its GGA
      for (const fix of [...this.#decoder.push('\n'), ...this.#decoder.flush()]) yield retime(fix);
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      this.#stream?.destroy();
    }
  }

  /** How `retime` moves each fix: see the option. */
  async #retimer(): Promise<(fix: GpsFix) => GpsFix> {
    if (this.#opts.rate > 0) {
      let last = 0;
      return (fix) => ({ ...fix, ts: (last = Math.max(Date.now(), last + 1)) });
    }
    const shift = Date.now() - (await latestFixTs(this.#opts.path));
    return (fix) => ({ ...fix, ts: fix.ts + shift });
  }

  #open(): ReadStream {
    this.#stream?.destroy();
    this.#opens++;
    this.#stream = createReadStream(this.#opts.path, { highWaterMark: 4096 });
    return this.#stream;
  }

  async close(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    this.#stream?.destroy();
  }
}

/** The latest fix time in a log (a first pass over the file), or now for a log without fixes. */
async function latestFixTs(path: string): Promise<number> {
  const decoder = new NmeaDecoder();
  let latest = -Infinity;
  for await (const chunk of createReadStream(path, { highWaterMark: 65_536 })) {
    for (const fix of decoder.push(chunk as Buffer)) latest = Math.max(latest, fix.ts);
  }
  for (const fix of [...decoder.push('\n'), ...decoder.flush()]) latest = Math.max(latest, fix.ts);
  return Number.isFinite(latest) ? latest : Date.now();
}
