// What the benchmarks need of their child processes: the hub on free ports, wait for a line of
// output, and read how much CPU a process (and its children, e.g. the hub's PostgreSQL) has used.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnTied } from '@hub/config/node';
import { freePort } from '../test-support/ports';

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

export interface BenchHub {
  hub: ChildProcess;
  httpPort: number;
  mqttPort: number;
  pgPort: number;
}

/**
 * The hub as its own process (`hub/src/main.ts`, embedded PostgreSQL) on free ports, its data
 * under `dataDir`, logging warnings only; it dies with the bench. `imports` are extra
 * `--import` modules (a loop-delay probe); BENCH_PROFILE=dir writes a V8 CPU profile there.
 */
export async function spawnBenchHub(opts: { root: string; dataDir: string; token: string; env?: Record<string, string>; imports?: string[] }): Promise<BenchHub> {
  const [httpPort, mqttPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const imports = ['tsx', ...(opts.imports ?? [])].flatMap((m) => ['--import', m]);
  const hub = spawnTied(process.execPath, [...profile, ...imports, 'hub/src/main.ts'], {
    cwd: opts.root,
    env: {
      ...process.env,
      HUB_DATA_DIR: path.join(opts.dataDir, 'data'),
      HUB_HTTP__PORT: String(httpPort),
      HUB_MQTT__PORT: String(mqttPort),
      HUB_DATABASE__EMBEDDED_PORT: String(pgPort),
      HUB_AUTH__ADMIN_TOKEN: opts.token,
      HUB_LOG__LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { hub, httpPort, mqttPort, pgPort };
}
