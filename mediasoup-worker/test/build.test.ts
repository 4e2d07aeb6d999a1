// The install's build step (the workspace's postinstall, src/build/main.ts), run as npm runs
// it: reuse when nothing changed, the shared cache for a fresh checkout, one clear message
// when a build package is missing, and the skip switch. The full build is not run here: CI's
// `npm ci` does it, and these tests use the binary it left.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { APT_BUILD_LINE, builtBinPath, workerBin } from '@hub/mediasoup-worker';

const workspace = fileURLToPath(new URL('..', import.meta.url));
const temp = mkdtempSync(path.join(os.tmpdir(), 'hub-mediasoup-build-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** the postinstall, as `npm ci` runs it in the workspace */
function postinstall(env: NodeJS.ProcessEnv) {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/build/main.ts'], { cwd: workspace, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr, seconds: (performance.now() - started) / 1000 };
}

function requireBuilt(): string {
  const bin = builtBinPath();
  if (!existsSync(bin)) throw new Error(`the mediasoup worker is not built (${bin}): install the build packages (${APT_BUILD_LINE}) and run npm ci`);
  return bin;
}

describe('the worker build (postinstall)', () => {
  it('keeps the built worker when its inputs are unchanged', () => {
    const bin = requireBuilt();
    const before = statSync(bin);
    const run = postinstall({});
    console.log(`second postinstall with the same inputs: ${run.seconds.toFixed(1)} s`);
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain('inputs unchanged');
    const after = statSync(bin);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('gives a fresh checkout the binary from the machine’s cache', () => {
    const bin = requireBuilt();
    const { hash } = JSON.parse(readFileSync(path.join(path.dirname(bin), 'stamp.json'), 'utf8')) as { hash: string };
    const cache = path.join(temp, 'cache');
    mkdirSync(path.join(cache, hash), { recursive: true });
    copyFileSync(bin, path.join(cache, hash, 'mediasoup-worker'));
    const checkout = path.join(temp, 'checkout');
    const run = postinstall({ HUB_MEDIASOUP_BUILD_DIR: checkout, HUB_MEDIASOUP_CACHE_DIR: cache });
    console.log(`postinstall of a fresh checkout from the cache: ${run.seconds.toFixed(1)} s`);
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain('from the cache');
    expect(readFileSync(path.join(checkout, 'mediasoup-worker')).equals(readFileSync(bin))).toBe(true);
    expect(workerBin({ HUB_MEDIASOUP_BUILD_DIR: checkout })).toBe(path.join(checkout, 'mediasoup-worker'));
  });

  it('names the apt-get line when a build package is missing, and fails the install', () => {
    // a machine with none of the build tools: an empty PATH (node runs by its full path)
    const run = postinstall({ HUB_MEDIASOUP_BUILD_DIR: path.join(temp, 'bare'), HUB_MEDIASOUP_CACHE_DIR: '', PATH: path.join(temp, 'empty-path') });
    expect(run.status).toBe(1);
    expect(run.out).toContain('HUB_ERR_MEDIASOUP_BUILD_PACKAGES');
    expect(run.out).toContain(
      'apt-get install -y --no-install-recommends build-essential pkg-config meson ninja-build python3 flatbuffers-compiler libuv1-dev libssl-dev libsrtp2-dev libflatbuffers-dev',
    );
    expect(run.out).toContain('HUB_SKIP_MEDIASOUP_BUILD=1');
    expect(run.out.trim().split('\n')).toHaveLength(3);
  });

  it('installs without the worker under HUB_SKIP_MEDIASOUP_BUILD=1; only asking for it fails', () => {
    const skipped = path.join(temp, 'skipped');
    const run = postinstall({ HUB_SKIP_MEDIASOUP_BUILD: '1', HUB_MEDIASOUP_BUILD_DIR: skipped, PATH: path.join(temp, 'empty-path') });
    expect(run.status, run.out).toBe(0);
    expect(existsSync(skipped)).toBe(false);
    expect(() => workerBin({ HUB_MEDIASOUP_BUILD_DIR: skipped })).toThrow(expect.objectContaining({ code: 'HUB_ERR_MEDIASOUP_WORKER_MISSING', message: expect.stringContaining(APT_BUILD_LINE) }));
  });
});
