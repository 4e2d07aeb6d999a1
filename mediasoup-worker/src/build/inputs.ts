// What the built worker depends on, hashed into the stamp: the same hash means the binary
// there is the one these inputs build, so the install keeps it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILD_PACKAGES } from '../build-packages';
import { WORKSPACE_DIR } from '../paths';

export interface BuildInputs {
  /** mediasoup's version, whose npm tarball carries the worker's sources */
  mediasoup: string;
  /** sha-256 of each patch, of the shim and of the build recipe (compile.ts) */
  files: Record<string, string>;
  /** Debian's versions of the build packages, where dpkg is */
  debian: Record<string, string>;
  arch: string;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(WORKSPACE_DIR, path.join(e.parentPath, e.name)))
    .sort();
}

/** `dpkg-query` is cheap (a few ms); a machine without dpkg stamps no versions. */
function debianVersions(): Record<string, string> {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', ...BUILD_PACKAGES, 'libuv1', 'libssl3', 'libsrtp2-1'], { encoding: 'utf8' });
  if (r.error) return {};
  return Object.fromEntries(r.stdout.split('\n').flatMap((line) => (line.includes(' ') ? [line.split(' ') as [string, string]] : [])));
}

export function buildInputs(mediasoupDir: string): { inputs: BuildInputs; hash: string } {
  const mediasoup = (JSON.parse(readFileSync(path.join(mediasoupDir, 'package.json'), 'utf8')) as { version: string }).version;
  const tracked = [...filesUnder(path.join(WORKSPACE_DIR, 'patches')), ...filesUnder(path.join(WORKSPACE_DIR, 'shim')), 'src/build/compile.ts'];
  const files = Object.fromEntries(tracked.map((f) => [f, sha256(readFileSync(path.join(WORKSPACE_DIR, f)))]));
  const inputs: BuildInputs = { mediasoup, files, debian: debianVersions(), arch: process.arch };
  return { inputs, hash: sha256(JSON.stringify(inputs)).slice(0, 16) };
}
