// N simulated JT/T 808 terminals in one process (jt808-terminal-sim.ts), each with its own TCP
// connection to the hub's gateway, and the state file that keeps their authentication codes
// across restarts. The simulator's CLI (`--protocol jt808`), the end-to-end test and the
// JT/T 808 benchmark run on this.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { TextMessage } from '@hub/jt808';
import { silentLogger, type Logger } from '../log';
import { cityLoop } from '../gps/routes';
import { SimulatedTerminal, type AuthCodeStore, type SimulatedTerminalStats } from './jt808-terminal-sim';

/** A terminal of the fleet: its unit and its phone number. */
export interface FleetTerminal {
  unitId: string;
  phone: string;
}

export interface StartJt808FleetOptions {
  terminals: FleetTerminal[];
  /** the gateway's address (jt808.port) */
  host: string;
  port: number;
  /** authentication codes by phone: a JSON file (kept across restarts) or in memory; default in memory */
  codes?: AuthCodeStore;
  /** resets a unit's registration when a terminal lost its code (the admin API); default none */
  forgetCode?: (unitId: string) => Promise<void>;
  /** ms between reports; default 1000 */
  intervalMs?: number;
  /** city centre; default Shenzhen Futian */
  centre?: { lat: number; lon: number };
  /** connections spread over this many ms; default 1000 */
  staggerMs?: number;
  onText?: (unitId: string, text: TextMessage) => void;
  /** each terminal keeps its reports' times (tests); default false */
  keepReportTimes?: boolean;
  logger?: Logger;
}

export interface Jt808FleetStats extends Omit<SimulatedTerminalStats, 'connected' | 'refused'> {
  units: number;
  connected: number;
  refused: number;
}

export interface Jt808Fleet {
  readonly terminals: readonly SimulatedTerminal[];
  terminal(unitId: string): SimulatedTerminal | undefined;
  stats(): Jt808FleetStats;
  /** Safe to call twice. */
  close(): Promise<void>;
}

/** Authentication codes in a JSON file ({phone: code}), written (atomically) a moment after each change. */
export function fileCodeStore(file: string): AuthCodeStore & { flush(): void } {
  let codes: Record<string, string> = {};
  try {
    codes = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`state file ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    writeFileSync(`${file}.tmp`, JSON.stringify(codes, null, 1));
    renameSync(`${file}.tmp`, file);
  };
  const changed = () => (timer ??= setTimeout(flush, 200));
  return {
    get: (phone) => codes[phone],
    set: (phone, code) => ((codes[phone] = code), changed()),
    delete: (phone) => (delete codes[phone], changed()),
    flush: () => timer && flush(),
  };
}

export function memoryCodeStore(): AuthCodeStore {
  const codes = new Map<string, string>();
  return { get: (p) => codes.get(p), set: (p, c) => void codes.set(p, c), delete: (p) => void codes.delete(p) };
}

export function startJt808Fleet(opts: StartJt808FleetOptions): Jt808Fleet {
  const centre = opts.centre ?? { lat: 22.54, lon: 114.05 };
  const log = (opts.logger ?? silentLogger).child({ module: 'jt808-fleet' });
  const codes = opts.codes ?? memoryCodeStore();
  const staggerMs = opts.staggerMs ?? 1000;
  const terminals = opts.terminals.map(
    ({ unitId, phone }, i) =>
      new SimulatedTerminal({
        unitId,
        phone,
        host: opts.host,
        port: opts.port,
        route: cityLoop(centre, i),
        codes,
        forgetCode: opts.forgetCode,
        intervalMs: opts.intervalMs,
        onText: opts.onText,
        keepReportTimes: opts.keepReportTimes,
        log,
      }),
  );
  const byUnit = new Map(terminals.map((t) => [t.unitId, t]));
  const timers = terminals.map((t, i) => setTimeout(() => t.start(), terminals.length > 1 ? Math.floor((i * staggerMs) / terminals.length) : 0));
  let closing: Promise<void> | undefined;
  return {
    terminals,
    terminal: (unitId) => byUnit.get(unitId),
    stats() {
      const s: Jt808FleetStats = { units: terminals.length, connected: 0, refused: 0, sent: 0, acked: 0, blind: 0, blindSent: 0, errors: 0 };
      for (const { stats: t } of terminals) {
        s.connected += t.connected ? 1 : 0;
        s.refused += t.refused ? 1 : 0;
        s.sent += t.sent;
        s.acked += t.acked;
        s.blind += t.blind;
        s.blindSent += t.blindSent;
        s.errors += t.errors;
      }
      return s;
    },
    close() {
      closing ??= (async () => {
        timers.forEach(clearTimeout);
        await Promise.all(terminals.map((t) => t.close()));
        (codes as Partial<ReturnType<typeof fileCodeStore>>).flush?.();
      })();
      return closing;
    },
  };
}
