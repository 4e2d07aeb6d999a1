// How many viewers the SFU carries at once, all streams together. Past what its one thread can
// forward, werift falls behind, misses the publishers' ICE consent checks and drops their
// streams for every viewer (bench/RESULTS.md, "1 × 300"): one viewer too many is refused
// instead, with a reason the wall shows, and its player tries again later. mediasoup's workers
// (a core each) carry more: their limit is per worker (engine/mediasoup/worker-pool.ts).
import type { Router } from './engine/types';
import { ViewerLimitError } from './errors';

export function viewerCount(router: Router): number {
  let n = 0;
  for (const p of router.producers.values()) n += p.consumers.size;
  return n;
}

/**
 * Throws ViewerLimitError when `limit` viewers are already served (no limit when 0 or unset);
 * an engine that limits viewers itself (mediasoup: per worker, as each is a core) decides instead.
 */
export function checkViewerLimit(router: Router, limit: number | undefined): void {
  if (router.checkViewerRoom) return router.checkViewerRoom();
  if (limit && viewerCount(router) >= limit) throw new ViewerLimitError(limit);
}
