// Errors of the mediasoup worker, on the hub's one base class (@hub/platform).
import { HubError } from '@hub/platform';
import { APT_BUILD_LINE } from './build-packages';

/** The worker binary is not there: the install skipped or failed its build. */
export class MediasoupWorkerMissingError extends HubError {
  constructor(bin: string) {
    super(
      'HUB_ERR_MEDIASOUP_WORKER_MISSING',
      503,
      `the mediasoup worker is not built (no ${bin}): install its build packages (${APT_BUILD_LINE}) and run \`npm run build -w @hub/mediasoup-worker\`, or point MEDIASOUP_WORKER_BIN at a built worker`,
    );
  }
}
