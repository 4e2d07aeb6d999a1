// The mediasoup worker built from mediasoup's npm sources against Debian's libraries (README:
// "Media engine (mediasoup worker)"). The npm install builds it (src/build/main.ts); this entry
// tells the engine where it is: `createWorker({ workerBin: workerBin() })`.
import { existsSync } from 'node:fs';
import { MediasoupWorkerMissingError } from './errors';
import { builtBinPath } from './paths';

export { MediasoupWorkerMissingError } from './errors';
export { BUILD_PACKAGES, RUNTIME_PACKAGES, APT_BUILD_LINE } from './build-packages';
export { builtBinPath } from './paths';

/**
 * The worker binary to run: MEDIASOUP_WORKER_BIN when set (mediasoup's own switch), else the one
 * the install built. Throws HUB_ERR_MEDIASOUP_WORKER_MISSING when there is none, so that only
 * the engine that needs it fails, and says what to install.
 */
export function workerBin(env: NodeJS.ProcessEnv = process.env): string {
  const bin = env.MEDIASOUP_WORKER_BIN || builtBinPath(env);
  if (!existsSync(bin)) throw new MediasoupWorkerMissingError(bin);
  return bin;
}
