// Viewers joining and leaving one live producer, for the leak test and bench/viewer-churn.ts.
// Half the viewers leave by closing their peer connection (the SFU must notice), half are
// closed by the SFU (as a WHEP DELETE does).
import type { Router } from '../../src';
import { viewFromRouter } from './rtp-peers';
import { waitFor } from '../../../test-support/wait';

export interface ChurnOptions {
  router: Router;
  streamId: string;
  cycles: number;
  /** viewers in flight at once; default 4 */
  parallel?: number;
  /** called after each finished cycle */
  onCycle?: (done: number) => void;
}

/** One viewer: joins, waits for media, leaves; resolves when the SFU has let go of it. */
export async function viewerCycle(router: Router, streamId: string, k: number): Promise<void> {
  const viewer = await viewFromRouter(router, streamId);
  try {
    await waitFor(() => viewer.counts.packets > 0, 20_000, `media at viewer ${k}`);
  } finally {
    if (k % 2 === 0) {
      await viewer.pc.close(); // the viewer goes away: the SFU must notice
    } else {
      viewer.transport.close(); // the SFU ends the session (WHEP DELETE)
      await viewer.pc.close();
    }
  }
  await waitFor(() => viewer.transport.closed, 20_000, `the SFU closing viewer ${k}`);
}

export async function churnViewers(opts: ChurnOptions): Promise<void> {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < opts.cycles) {
      const k = next++;
      await viewerCycle(opts.router, opts.streamId, k);
      opts.onCycle?.(++done);
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 4 }, lane));
}

/** Open UDP sockets of this process. */
export function udpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

/** Node's gc(), made reachable without --expose-gc. */
export async function collectGarbage(): Promise<void> {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
}
