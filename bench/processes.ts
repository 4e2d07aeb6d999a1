// What the benchmarks need of their child processes: wait for a line of output, and read
// how much CPU a process (and its children, e.g. the hub's PostgreSQL) has used.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/** Resolves once `child` has written `text` (stdout or stderr); fails after `ms` or if it exits first. */
export async function waitForOutput(child: ChildProcess, text: string, ms: number): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in ${ms} ms:\n${out}`)), ms);
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${out}`));
    });
  });
}
