// An answer sends each codec under the payload type the viewer's offer gave it (RFC 3264 §6.1):
// Chrome reads a number it did not offer for that codec as whatever its offer gave it (VP8
// under the number of Chrome's VP9 plays nothing). A mediasoup consumer sends in its router's
// payload types, so a viewer whose numbers differ from the stream router's is served from a
// router with its numbers (one per set of numbers, on the same worker), to which the stream's
// relay producers are piped (pipeToRouter). Browsers of one version share one set.
import type { types } from 'mediasoup';
import type { MediaKind } from '../types';
import { sameCodec, type OfferedSection } from './sdp';

/** One kind of a stream, as a worker's router holds it: the relay's producer, or its pipe into another worker. */
export interface StreamLeg {
  kind: MediaKind;
  /** the router's codec the leg forwards */
  codec: types.RtpCodecCapability;
  producer: types.Producer;
}

/** Where a viewer consumes: a router, and the stream's producers in it. */
export interface ViewerRoute {
  router: types.Router;
  video: types.Producer;
  audio: types.Producer | undefined;
}

/**
 * `producer` of `from` piped into `to` (another router, on this worker or another). mediasoup
 * forwards the pipe consumer's pause and resume with a promise nobody awaits: one in flight when
 * a worker closes (it died, or the hub stops) is rejected unhandled and ends the process; here
 * they are forwarded with the rejection caught.
 */
export async function pipeProducer(from: types.Router, producer: types.Producer, to: types.Router): Promise<types.Producer> {
  const { pipeConsumer, pipeProducer: piped } = await from.pipeToRouter({ producerId: producer.id, router: to, keepId: false });
  const consumer = pipeConsumer!;
  const target = piped!;
  consumer.observer.removeAllListeners('pause').removeAllListeners('resume');
  consumer.observer.on('pause', () => void target.pause().catch(() => {}));
  consumer.observer.on('resume', () => void target.resume().catch(() => {}));
  return target;
}

const takes = (s: OfferedSection) => !s.rejected && (s.direction === 'recvonly' || s.direction === 'sendrecv');

/** The payload type a viewer's offer gives a leg's codec, when it takes it. */
function offeredPayloadType(leg: StreamLeg, sections: OfferedSection[]): number | undefined {
  const s = sections.find((x) => x.kind === leg.kind && takes(x));
  return s?.codecs.find((c) => sameCodec(c, leg.codec))?.payloadType;
}

export class PayloadTypeRouters {
  readonly #routers = new Map<string, Promise<types.Router>>();
  readonly #pipes = new Map<string, Promise<types.Producer>>();
  readonly #made = new Set<types.Router>();

  constructor(
    private readonly worker: types.Worker,
    private readonly base: types.Router,
  ) {}

  /** Where a viewer consumes `stream` (its video leg first, then its audio, as `base` holds them). */
  async routeFor(stream: StreamLeg[], sections: OfferedSection[]): Promise<ViewerRoute> {
    const [videoLeg, audioLeg] = stream as [StreamLeg, StreamLeg | undefined];
    const legs = [videoLeg, ...(audioLeg && offeredPayloadType(audioLeg, sections) !== undefined ? [audioLeg] : [])];
    const pts = legs.map((leg) => offeredPayloadType(leg, sections));
    const same = legs.every((leg, i) => pts[i] === undefined || pts[i] === leg.codec.preferredPayloadType);
    // the same numbers, or a codec the viewer does not take (refused where it consumes): the stream's router
    if (same || pts[0] === undefined) return { router: this.base, video: videoLeg.producer, audio: audioLeg?.producer };
    const codecs = legs.map((leg, i): types.RouterRtpCodecCapability => {
      const { rtcpFeedback: _, ...codec } = leg.codec;
      return { ...codec, preferredPayloadType: pts[i] };
    });
    const key = codecs.map((c) => `${c.mimeType};${JSON.stringify(c.parameters ?? {})};${c.preferredPayloadType}`).join('|');
    let router = this.#routers.get(key);
    if (!router) {
      router = this.worker.createRouter({ mediaCodecs: codecs });
      this.#routers.set(key, router);
      router.then(
        (r) => this.#made.add(r),
        () => this.#routers.delete(key),
      );
    }
    const target = await router;
    const [video, audio] = await Promise.all(legs.map((leg) => this.#piped(leg.producer, target, key)));
    return { router: target, video: video!, audio };
  }

  /** `producer` piped into `target`, once per pair; the pipe closes with the producer. */
  #piped(producer: types.Producer, target: types.Router, key: string): Promise<types.Producer> {
    const id = `${key}#${producer.id}`;
    let pipe = this.#pipes.get(id);
    if (!pipe) {
      pipe = pipeProducer(this.base, producer, target).then((piped) => {
        piped.observer.once('close', () => this.#pipes.delete(id));
        return piped;
      });
      this.#pipes.set(id, pipe);
      pipe.catch(() => this.#pipes.delete(id));
    }
    return pipe;
  }

  /** the routers made so far */
  get routers(): types.Router[] {
    return [...this.#made];
  }

  close(): void {
    this.#made.clear();
    for (const r of this.#routers.values()) void r.then((router) => router.close()).catch(() => {});
    this.#routers.clear();
  }
}
