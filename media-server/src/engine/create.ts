// The hub's choice of SFU engine (config `media.engine`): both stand behind engine/types.ts.
import type { Router } from './types';
import { WeriftRouter } from './werift/router';
import { MediasoupRouter, type MediasoupRouterOptions } from './mediasoup/router';

export type EngineName = 'werift' | 'mediasoup';

/** A router of `engine`; mediasoup's starts its workers first (HUB_ERR_MEDIASOUP_WORKER_MISSING when the install built none). */
export async function createRouter(engine: EngineName, opts: MediasoupRouterOptions = {}): Promise<Router> {
  if (engine === 'mediasoup') return MediasoupRouter.create(opts);
  const { onWorkerDied: _, workers: _w, viewersPerWorker: _v, rtcPort: _p, ...weriftOpts } = opts;
  return new WeriftRouter(weriftOpts);
}
