// The hub's choice of SFU engine (config `media.engine`): both stand behind engine/types.ts.
import type { Router, TransportOptions } from './types';
import { WeriftRouter } from './werift/router';
import { MediasoupRouter, type MediasoupRouterOptions } from './mediasoup/router';

export type EngineName = 'werift' | 'mediasoup';

/** A router of `engine`; mediasoup's starts its worker first (HUB_ERR_MEDIASOUP_WORKER_MISSING when the install built none). */
export async function createRouter(engine: EngineName, opts: TransportOptions & Pick<MediasoupRouterOptions, 'onWorkerDied'> = {}): Promise<Router> {
  if (engine === 'mediasoup') return MediasoupRouter.create(opts);
  const { onWorkerDied: _, ...weriftOpts } = opts;
  return new WeriftRouter(weriftOpts);
}
