// A publisher that stops sending is closed after `silenceMs`; one that has sent nothing yet is
// still connecting and gets `firstPacketMs`. The rule alone, on producers whose packet counts the
// test sets (the engines' counts are checked in engine-stats.test.ts). Only lower bounds on time
// are asserted: a loaded machine makes every check later, never earlier.
import { afterEach, describe, expect, it } from 'vitest';
import { watchPublisherLiveness } from '../src/signalling-liveness';
import type { Producer, Router } from '../src/engine/types';

/** A producer as the liveness check sees it: a stream id, a packet count, close(). */
function producer(streamId: string) {
  const p = {
    streamId,
    packets: 0,
    closed: false,
    closedAt: 0,
    async packetsIn() {
      return p.packets;
    },
    close() {
      p.closed = true;
      p.closedAt = Date.now();
    },
  };
  return p;
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('publisher liveness', () => {
  it('closes a publisher silent for silenceMs, and gives one that has sent nothing yet firstPacketMs', async () => {
    const sending = producer('sending');
    const stopped = producer('stopped');
    const connecting = producer('connecting');
    const producers = new Map([sending, stopped, connecting].map((p) => [p.streamId, p as unknown as Producer]));
    const silent: string[] = [];
    const started = Date.now();
    stopped.packets = 10;
    const keepSending = setInterval(() => (sending.packets += 5), 20);
    const watch = watchPublisherLiveness({
      router: { producers } as unknown as Router,
      silenceMs: 200,
      firstPacketMs: 4000,
      intervalMs: 50,
      onSilent: (p) => silent.push(p.streamId),
    });
    stop = () => {
      clearInterval(keepSending);
      watch.close();
    };
    await until(() => stopped.closed, 10_000, 'the stopped publisher closed');
    expect(stopped.closedAt - started).toBeGreaterThanOrEqual(200);
    // the one still connecting waits for its first packet longer
    expect(connecting.closed).toBe(false);
    await until(() => connecting.closed, 20_000, 'the publisher that never sent closed');
    expect(connecting.closedAt - started).toBeGreaterThanOrEqual(4000);
    expect(sending.closed).toBe(false);
    expect(silent.sort()).toEqual(['connecting', 'stopped']);
  });
});
