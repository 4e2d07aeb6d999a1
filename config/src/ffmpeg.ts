// ffmpeg and other helper processes, for the edge agent (its camera publisher), the hub (its
// recorder) and the tests. Node only: exported as `@hub/config/node`, not from the index.
//
// The binary: the system one when it is on PATH (Debian's is newer), else the static build
// shipped in the @ffmpeg-installer/ffmpeg npm package (docs/decisions/0005-ffmpeg.md).
//
// A helper process must not outlive the process that started it: an agent or hub that is
// killed (SIGKILL, a crash, a test timeout) would otherwise leave an ffmpeg behind, still
// encoding a camera and sending to a port nobody reads. On Linux the child is started
// through util-linux's `setpriv --pdeathsig TERM`, so the kernel sends it SIGTERM when its
// parent dies (ffmpeg then closes its output cleanly). Where setpriv is missing the child is
// started as it is, and the parent's own close() remains the only stop.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import installer from '@ffmpeg-installer/ffmpeg';

/** The first executable `name` on PATH, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** The system ffmpeg when on PATH, else the static one from npm. */
export function ffmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  return onPath('ffmpeg', env) ?? installer.path;
}

let setpriv: string | null | undefined;
const setprivPath = (): string | null => {
  if (setpriv === undefined) setpriv = process.platform === 'linux' ? (onPath('setpriv') ?? null) : null;
  return setpriv;
};

/**
 * Starts `command` so that it gets SIGTERM when this process dies (Linux, with setpriv);
 * otherwise exactly as `spawn`. The child's pid is the command's own (setpriv execs it).
 */
export function spawnTied(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const wrapper = setprivPath();
  return wrapper ? spawn(wrapper, ['--pdeathsig', 'TERM', '--', command, ...args], options) : spawn(command, [...args], options);
}

/** ffmpeg with `args`, tied to this process's life. */
export function spawnFfmpeg(args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawnTied(ffmpegPath(), args, options);
}

/**
 * ffmpeg's arguments for a quiet run reading a lavfi test source (`testsrc=…`, `sine=…`), at
 * its own rate (`-re`, as a camera would) unless `realtime` is false.
 */
export function lavfiInput(source: string, opts: { realtime?: boolean } = {}): string[] {
  return ['-hide_banner', '-loglevel', 'error', ...(opts.realtime === false ? [] : ['-re']), '-f', 'lavfi', '-i', source];
}
