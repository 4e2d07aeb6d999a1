// A publisher for a stream that already has one. A publisher that crashed (a killed app, a
// phone that lost power) sends no goodbye: its producer lives on until the liveness check
// calls it gone (media.publisherSilenceSeconds), and a quick restart used to be refused as
// STREAM_BUSY until then. Now the stream's current producer is watched for a moment: if no
// packet arrives, it is taken as the dead one and closed, and the new publisher takes the
// stream (its viewers show "reconnecting" and resume on the new one). A producer that is
// still sending keeps the stream, so two devices with one credential cannot take it from
// each other in turn.
import type { Router } from './engine/types';
import { StreamBusyError } from './errors';

/** how long the current producer must stay silent to be replaced, ms */
export const CLAIM_PROBE_MS = 1000;

export async function claimStream(router: Router, streamId: string, probeMs = CLAIM_PROBE_MS): Promise<void> {
  const current = router.producers.get(streamId);
  if (!current) return;
  const before = await current.packetsIn();
  await new Promise((r) => setTimeout(r, probeMs));
  const now = router.producers.get(streamId);
  if (!now) return; // it went meanwhile
  if (now !== current || (await current.packetsIn()) !== before) throw new StreamBusyError(streamId);
  current.close();
}
