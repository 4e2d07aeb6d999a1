// Helper processes die with the process that started them: a hub or agent killed outright
// (SIGKILL, as a crash or a test timeout does) leaves no ffmpeg behind encoding a camera.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffmpegPath, onPath } from '@hub/config/node';

/** running = exists and is not a zombie waiting to be reaped */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

describe.skipIf(process.platform !== 'linux' || !onPath('setpriv'))('spawnFfmpeg', () => {
  it('an ffmpeg started by a process that is SIGKILLed stops by itself', async () => {
    // a parent that starts an endless ffmpeg test pattern and prints its pid
    const script = `
      import { spawnFfmpeg } from ${JSON.stringify(path.resolve(__dirname, '../src/ffmpeg.ts'))};
      const ff = spawnFfmpeg(['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5', '-f', 'null', '-'], { stdio: 'ignore' });
      console.log(ff.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
      parent.once('exit', (code) => reject(new Error(`parent exited (${code}) before starting ffmpeg`)));
    });
    expect(pid).toBeGreaterThan(0);
    // it is ffmpeg itself (setpriv execs it), and it runs
    expect(await until(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === ffmpegPath(), 5_000)).toBe(true);
    expect(running(pid)).toBe(true);

    parent.kill('SIGKILL');
    const stopped = await until(() => !running(pid), 10_000);
    if (!stopped) process.kill(pid, 'SIGKILL'); // leave nothing behind even when the check fails
    expect(stopped).toBe(true);
  }, 30_000);
});
