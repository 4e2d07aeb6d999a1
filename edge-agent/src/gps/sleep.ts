import { setTimeout as delay } from 'node:timers/promises';

/** Waits ms; resolves false (instead of throwing) when the signal aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
