// Event-loop delay of a process, for the fan-out bench: a stalled loop delays every packet,
// ICE check and DTLS retransmission the process handles. `--import ./bench/loop-delay.ts`
// with BENCH_LOOP_DELAY_FILE=path also records it for a process the bench does not own (the
// hub): once a second, that second's figures are appended to the file as a JSON line.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export const RESOLUTION_MS = 10;
/** The histogram's figures in ms beyond its sampling interval (it counts whole intervals, in ns). */
export function loopDelay(h: IntervalHistogram): LoopDelay {
  const ms = (ns: number) => Math.max(0, Math.round(ns / 1e5) / 10 - RESOLUTION_MS);
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

const file = process.env.BENCH_LOOP_DELAY_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  const cpu0 = { at: Date.now(), usage: process.cpuUsage() };
  setInterval(() => {
    const u = process.cpuUsage(cpu0.usage);
    const now = Date.now();
    appendFileSync(file, JSON.stringify({ at: now, ...loopDelay(h), cpu: (u.user + u.system) / 1e3 / (now - cpu0.at) }) + '\n');
    cpu0.at = now;
    cpu0.usage = process.cpuUsage();
    h.reset();
  }, 1000).unref();
}
