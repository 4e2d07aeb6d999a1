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
  /** file replay: shift timestamps so that the first fix is "now", keeping their spacing. Default false. */
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
      yield* this.#readDeviceLoop(signal, () => warned, (w) => (warned = w));
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
    let shift: number | undefined;
    let first = true;
    try {
      for await (const chunk of this.#open()) {
        for (const fix of this.#decoder.push(chunk as Buffer)) {
          if (!first && interval > 0 && !(await sleep(interval, signal))) return;
          first = false;
          if (this.#opts.retime) {
            shift ??= Date.now() - fix.ts;
            fix.ts += shift;
          }
          yield fix;
        }
      }
      for (const fix of this.#decoder.push('\n')) yield fix; // a last line without line end
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      this.#stream?.destroy();
    }
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
