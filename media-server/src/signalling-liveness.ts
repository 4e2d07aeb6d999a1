// A publisher that stops sending is gone, whatever its peer connection says: a killed
// process or a dead link sends no DTLS close, and ICE takes long to notice. Video never
// pauses for seconds (every encoder sends frames, static picture or not), so a producer
// whose packet count has not moved for `silenceMs` is closed: its viewers show
// "reconnecting" at once, and the stream id is free for the publisher's return. A publisher
// that has sent nothing yet is still connecting (ICE, DTLS, its encoder starting on a busy
// vehicle gateway): it gets `firstPacketMs` before it is taken as gone.
import type { Producer, Router } from './engine/types';

export interface LivenessOptions {
  router: Router;
  /** silence after which a producer is closed, ms; default 5000 */
  silenceMs?: number;
  /** the wait for a new publisher's first packet, ms; default three times silenceMs */
  firstPacketMs?: number;
  /** how often producers are checked, ms; default 1000 */
  intervalMs?: number;
  onSilent?: (producer: Producer) => void;
}

export function watchPublisherLiveness(opts: LivenessOptions): { close(): void } {
  const silenceMs = opts.silenceMs ?? 5000;
  const firstPacketMs = opts.firstPacketMs ?? 3 * silenceMs;
  const seen = new WeakMap<Producer, { packets: number; since: number }>();
  let checking = false;
  const check = async () => {
    const now = Date.now();
    for (const producer of [...opts.router.producers.values()]) {
      const packets = await producer.packetsIn();
      if (producer.closed) continue;
      const last = seen.get(producer);
      if (!last || last.packets !== packets) {
        seen.set(producer, { packets, since: now });
        continue;
      }
      if (now - last.since >= (packets === 0 ? firstPacketMs : silenceMs)) {
        opts.onSilent?.(producer);
        producer.close();
      }
    }
  };
  // figures come asynchronously (a worker in another process): one check at a time
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void check()
      .catch(() => {})
      .finally(() => (checking = false));
  }, opts.intervalMs ?? 1000);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
