// Where the worker is built and kept. Shared by the build (postinstall) and workerBin(), and
// free of imports beyond Node's so that the build runs before anything else is needed.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** this workspace's folder (patches/, shim/, build/) */
export const WORKSPACE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** HUB_MEDIASOUP_BUILD_DIR: where the binary and its stamp go (default `mediasoup-worker/build`). */
export function buildDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HUB_MEDIASOUP_BUILD_DIR || path.join(WORKSPACE_DIR, 'build');
}

/** the worker binary the build leaves (stripped) */
export function builtBinPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(buildDir(env), 'mediasoup-worker');
}

/**
 * HUB_MEDIASOUP_CACHE_DIR: binaries kept by their inputs' hash, shared by every checkout of the
 * user (a fresh clone, CI's new-user check) so the same inputs build once per machine.
 * Default `$XDG_CACHE_HOME/hub-mediasoup-worker` (`~/.cache/…`); set it empty to turn it off.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HUB_MEDIASOUP_CACHE_DIR !== undefined) return env.HUB_MEDIASOUP_CACHE_DIR || undefined;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'hub-mediasoup-worker');
}
