import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import type { Consumer, Producer, ProducerEvents, ProducerStats } from '../types';
import type { WeriftConsumer } from './consumer';

const KEYFRAME_INTERVAL_MS = 1000;

/** A publisher's video inside the SFU: every RTP packet goes to each consumer's track. */
export class WeriftProducer extends EventEmitter<ProducerEvents> implements Producer {
  readonly id = randomUUID();
  readonly #consumers = new Map<string, WeriftConsumer>();
  #track: MediaStreamTrack | undefined;
  #receiver: RTCRtpReceiver | undefined;
  #closed = false;
  #lastKeyFrameRequest = 0;
  #stats: ProducerStats = { packets: 0, bytes: 0, keyFrameRequests: 0, since: null };
  #unsubscribe: (() => void) | undefined;
  readonly #rtpListeners = new Set<(packet: Buffer) => void>();

  constructor(readonly streamId: string) {
    super();
  }

  get mimeType(): string | undefined {
    return this.#track?.codec?.mimeType;
  }
  get consumers(): ReadonlyMap<string, Consumer> {
    return this.#consumers;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** The publisher's track has arrived. */
  attach(track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    this.#track = track;
    this.#receiver = receiver;
    const sub = track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
      this.#stats.packets++;
      this.#stats.bytes += rtp.payload.length;
      this.#stats.since ??= Date.now();
      for (const c of this.#consumers.values()) c.send(rtp);
      if (this.#rtpListeners.size > 0) this.#tapRtp(rtp);
    });
    this.#unsubscribe = () => sub.unSubscribe();
    // viewers that came first need a keyframe now
    if (this.#consumers.size > 0) this.requestKeyFrame();
  }

  addConsumer(consumer: WeriftConsumer): void {
    if (this.#closed) return;
    this.#consumers.set(consumer.id, consumer);
    consumer.setPaused(false);
    consumer.once('close', () => this.#consumers.delete(consumer.id));
    this.requestKeyFrame(); // a new viewer decodes from a keyframe
  }

  onRtp(listener: (packet: Buffer) => void): () => void {
    this.#rtpListeners.add(listener);
    return () => this.#rtpListeners.delete(listener);
  }

  #tapRtp(rtp: RtpPacket): void {
    const packet = rtp.serialize();
    for (const listener of this.#rtpListeners) listener(packet);
  }

  stats(): ProducerStats {
    return { ...this.#stats };
  }

  requestKeyFrame(): void {
    const ssrc = this.#track?.ssrc;
    const now = Date.now();
    if (!this.#receiver || ssrc === undefined || now - this.#lastKeyFrameRequest < KEYFRAME_INTERVAL_MS) return;
    this.#lastKeyFrameRequest = now;
    this.#stats.keyFrameRequests++;
    this.#receiver.sendRtcpPLI(ssrc).catch(() => {});
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    // the viewers stay: the router keeps them for a publisher under the same stream id
    this.#consumers.clear();
    this.#rtpListeners.clear();
    this.emit('close');
  }
}
