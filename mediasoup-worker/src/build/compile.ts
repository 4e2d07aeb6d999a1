// The build recipe (issue 13): mediasoup's worker sources from its npm package, our patches,
// then meson and ninja called directly, offline (no invoke, no pip, no meson subprojects).
// This file is hashed into the stamp: changing the recipe rebuilds the worker.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, openSync, readdirSync, rmSync, closeSync } from 'node:fs';
import path from 'node:path';
import { WORKSPACE_DIR } from '../paths';

/** `ms_use_builtin_bwe` leaves deps/libwebrtc and abseil out; `nodownload` keeps meson offline */
export const MESON_SETUP = ['setup', '--buildtype=release', '-Dms_use_builtin_bwe=true', '--wrap-mode=nodownload'];

/**
 * Builds the worker in `workDir` (emptied first) and returns the stripped binary's path there.
 * Every command's output goes to `logFile`; a failing command throws.
 */
export function compileWorker(mediasoupDir: string, workDir: string, logFile: string): string {
  rmSync(workDir, { recursive: true, force: true });
  const tree = path.join(workDir, 'worker');
  const build = path.join(workDir, 'build');
  // deps/ is libwebrtc (left out by the builtin BWE); scripts/ are mediasoup's JS and Python tasks
  cpSync(path.join(mediasoupDir, 'worker'), tree, { recursive: true, filter: (src) => !/\/worker\/(deps|scripts)$/.test(src) });
  cpSync(path.join(WORKSPACE_DIR, 'shim'), path.join(tree, 'include'), { recursive: true });
  mkdirSync(build, { recursive: true });
  const log = openSync(logFile, 'a');
  try {
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', log, log] });
    const patches = path.join(WORKSPACE_DIR, 'patches');
    for (const patch of readdirSync(patches).sort()) run('patch', ['-p1', '--batch', '--forward', '-d', tree, '-i', path.join(patches, patch)]);
    run('meson', [...MESON_SETUP, build, tree]);
    run('ninja', ['-C', build, 'mediasoup-worker']);
    run('strip', [path.join(build, 'mediasoup-worker')]);
  } finally {
    closeSync(log);
  }
  return path.join(build, 'mediasoup-worker');
}
