// What the benchmarks need of their child processes: the hub on free ports, wait for a line of
// output (both from test-support/hub-process.ts), and read how much CPU a process (and its children, e.g. the hub's PostgreSQL) has used.
import { readFileSync } from 'node:fs';
import { spawnHubProcess, waitForOutput, type HubProcess } from '../test-support/hub-process';

/** CPU seconds (user + system) a process has used, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}

/** CPU seconds of a process and all its descendants (the hub and its embedded PostgreSQL). */
export function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const c of children) total += treeCpuSeconds(Number(c));
  } catch {
    /* gone */
  }
  return total;
}

/**
 * The hub on free ports, its data under `dataDir`; `imports` are extra `--import` modules (a
 * loop-delay probe); BENCH_PROFILE=dir writes a V8 CPU profile there.
 */
export function spawnBenchHub(opts: { dataDir: string; token: string; env?: Record<string, string>; imports?: string[] }): Promise<HubProcess> {
  const execArgv = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return spawnHubProcess({ ...opts, execArgv });
}

export { waitForOutput };
export type BenchHub = HubProcess;
