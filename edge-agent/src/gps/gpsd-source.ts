// gpsd's JSON protocol over TCP (gpsd_json(5)): send ?WATCH, read TPV reports; reconnect when gpsd drops.
import net from 'node:net';
import { GpsdTpvSchema, type GpsdTpv } from '@hub/config';
import { sleep } from './sleep';
import type { GpsFix, GpsSource, GpsSourceStats } from './source';
import { silentLogger, type Logger } from '../log';

const WATCH = '?WATCH={"enable":true,"json":true};\n';
/** SKY reports with many satellites run to a few KB; anything this long without a newline is noise. */
const MAX_LINE = 64 * 1024;

export interface GpsdSourceOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 2947 */
  port?: number;
  /** first reconnect delay, ms, doubling up to maxReconnectMs; default 1000 */
  reconnectMs?: number;
  /** default 30000 */
  maxReconnectMs?: number;
  logger?: Logger;
}

/** A TPV with a 2D/3D fix → a fix; undefined without one. */
export function fixFromTpv(tpv: GpsdTpv): GpsFix | undefined {
  if (tpv.mode < 2 || tpv.lat === undefined || tpv.lon === undefined || !tpv.time) return undefined;
  const ts = Date.parse(tpv.time);
  if (!Number.isFinite(ts)) return undefined;
  const fix: GpsFix = { ts, lat: tpv.lat, lon: tpv.lon };
  if (tpv.speed !== undefined && tpv.speed >= 0) fix.speed = tpv.speed;
  if (tpv.track !== undefined && tpv.track >= 0 && tpv.track <= 360) fix.heading = tpv.track % 360;
  const alt = tpv.altMSL ?? tpv.alt;
  if (tpv.mode === 3 && alt !== undefined) fix.alt = alt;
  const accuracy = tpv.eph ?? (tpv.epx !== undefined && tpv.epy !== undefined ? Math.max(tpv.epx, tpv.epy) : undefined);
  if (accuracy !== undefined && accuracy >= 0) fix.accuracy = accuracy;
  return fix;
}

/**
 * gpsd may report one epoch in several TPVs (one as each sentence of the receiver's cycle comes
 * in, the first without the course of the RMC that follows). A unit sends one position per
 * instant, so the TPVs of one time join into one fix, later fields over earlier ones. The number
 * of TPVs an epoch takes is learned: a gpsd that sends one per epoch is passed through at once.
 */
export class TpvEpochs {
  /** the most TPVs seen for one epoch */
  #parts = 1;
  #held?: { fix: GpsFix; parts: number };
  #sent?: { ts: number; parts: number };

  /** Adds one TPV's fix; returns the fixes whose epoch is complete. */
  add(fix: GpsFix): GpsFix[] {
    const held = this.#held;
    if (held && held.fix.ts === fix.ts) {
      Object.assign(held.fix, fix);
      held.parts++;
      this.#parts = Math.max(this.#parts, held.parts);
      return held.parts >= this.#parts ? this.flush() : [];
    }
    const sent = this.#sent;
    if (sent && sent.ts === fix.ts) {
      // a part of an epoch that already went out: from now on wait for it
      this.#parts = Math.max(this.#parts, ++sent.parts);
      return [];
    }
    const out = this.flush();
    this.#held = { fix: { ...fix }, parts: 1 };
    if (this.#parts === 1) out.push(...this.flush());
    return out;
  }

  /** The fix still waiting for the rest of its epoch. */
  flush(): GpsFix[] {
    const held = this.#held;
    if (!held) return [];
    this.#held = undefined;
    this.#sent = { ts: held.fix.ts, parts: held.parts };
    return [held.fix];
  }
}

export class GpsdSource implements GpsSource {
  readonly name: string;
  readonly stats: GpsSourceStats = { fixes: 0, bad: 0, opens: 0 };
  readonly #host: string;
  readonly #port: number;
  readonly #reconnectMs: number;
  readonly #maxReconnectMs: number;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #socket?: net.Socket;
  #iterated = false;
  readonly #epochs = new TpvEpochs();

  constructor(opts: GpsdSourceOptions = {}) {
    this.#host = opts.host ?? '127.0.0.1';
    this.#port = opts.port ?? 2947;
    this.#reconnectMs = opts.reconnectMs ?? 1000;
    this.#maxReconnectMs = opts.maxReconnectMs ?? 30_000;
    this.name = `gpsd:${this.#host}:${this.#port}`;
    this.#log = (opts.logger ?? silentLogger).child({ module: 'gps-gpsd', gpsd: this.name });
  }

  [Symbol.asyncIterator](): AsyncIterator<GpsFix> {
    if (this.#iterated) throw new Error('a GPS source can be iterated only once');
    this.#iterated = true;
    return this.#read();
  }

  async *#read(): AsyncGenerator<GpsFix> {
    const signal = this.#abort.signal;
    let backoff = this.#reconnectMs;
    try {
      while (!signal.aborted) {
        let gotData = false;
        try {
          const socket = await this.#connect();
          this.#log.info('connected to gpsd');
          socket.write(WATCH);
          let partial = '';
          for await (const chunk of socket) {
            gotData = true;
            const lines = (partial + (chunk as Buffer).toString('utf8')).split('\n');
            partial = lines.pop() ?? '';
            if (partial.length > MAX_LINE) {
              this.stats.bad++;
              partial = '';
            }
            for (const line of lines) {
              const fix = this.#parseLine(line);
              if (fix) yield* this.#count(this.#epochs.add(fix));
            }
          }
          yield* this.#count(this.#epochs.flush());
          if (!signal.aborted) this.#log.warn('gpsd closed the connection; reconnecting');
        } catch (err) {
          if (signal.aborted) break;
          this.#log.warn({ err: (err as Error).message }, 'gpsd connection failed; reconnecting');
        }
        if (gotData) backoff = this.#reconnectMs;
        if (!(await sleep(backoff, signal))) break;
        backoff = Math.min(backoff * 2, this.#maxReconnectMs);
      }
    } finally {
      this.#socket?.destroy();
    }
  }

  #parseLine(line: string): GpsFix | undefined {
    if (line.trim() === '') return undefined;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      this.stats.bad++;
      return undefined;
    }
    if ((obj as { class?: unknown } | null)?.class !== 'TPV') return undefined; // VERSION, DEVICES, WATCH, SKY…
    const tpv = GpsdTpvSchema.safeParse(obj);
    if (!tpv.success) {
      this.stats.bad++;
      return undefined;
    }
    return fixFromTpv(tpv.data);
  }

  *#count(fixes: GpsFix[]): Generator<GpsFix> {
    for (const fix of fixes) {
      this.stats.fixes++;
      yield fix;
    }
  }

  #connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      this.stats.opens++;
      const socket = net.connect({ host: this.#host, port: this.#port });
      this.#socket = socket;
      socket.setKeepAlive(true, 10_000);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  async close(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    this.#socket?.destroy();
  }
}
