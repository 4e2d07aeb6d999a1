// Prints the functions with the most self time in a V8 .cpuprofile:
//   tsx bench/profile-top.ts FILE [N] [--busiest S | --window A-B]
// --busiest S: only the S seconds with the least idle time (under fan-out, the measured window
// rather than the hub's start-up), shares of that window's busy (non-idle) time; --window A-B:
// from second A to second B of the profile (also without idle).
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const args = process.argv.slice(2);
const busiestAt = args.indexOf('--busiest');
const busiest = busiestAt >= 0 ? Number(args.splice(busiestAt, 2)[1]) : 0;
const windowAt = args.indexOf('--window');
const windowArg = windowAt >= 0 ? args.splice(windowAt, 2)[1]!.split('-').map(Number) : undefined;
const prof = JSON.parse(readFileSync(args[0]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const idleIds = new Set(prof.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));

// sample times (µs from the start) and the range to count
const at: number[] = [];
let t = 0;
for (const d of prof.timeDeltas) at.push((t += d));
let from = 0;
let to = Infinity;
if (busiest > 0) {
  const span = busiest * 1e6;
  let best = -1;
  // slide a window over 1 s steps, keep the one with the most busy time
  for (let start = 0; start + span <= t; start += 1e6) {
    let busy = 0;
    prof.samples.forEach((id, i) => {
      if (at[i]! >= start && at[i]! < start + span && !idleIds.has(id)) busy += prof.timeDeltas[i] ?? 0;
    });
    if (busy > best) {
      best = busy;
      from = start;
    }
  }
  to = from + span;
  console.log(`window ${(from / 1e6).toFixed(0)}–${(to / 1e6).toFixed(0)} s of ${(t / 1e6).toFixed(0)} s: busy ${((best / span) * 100).toFixed(0)} % of one core`);
} else if (windowArg) {
  from = windowArg[0]! * 1e6;
  to = windowArg[1]! * 1e6;
}
const noIdle = busiest > 0 || !!windowArg;

const self = new Map<number, number>();
prof.samples.forEach((id, i) => {
  if (at[i]! < from || at[i]! >= to) return;
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const byFn = new Map<string, number>();
let total = 0;
for (const n of prof.nodes) {
  const s = self.get(n.id) ?? 0;
  if (noIdle && idleIds.has(n.id)) continue;
  total += s;
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(media-server|hub|telemetry|config)\//, '$1/')}:${n.callFrame.lineNumber}`;
  byFn.set(key, (byFn.get(key) ?? 0) + s);
}
const top = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(args[1] ?? 30));
for (const [k, s] of top) console.log(`${((s / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
