import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { MediaStreamTrack, type RtpPacket } from 'werift';
import type { Consumer, ConsumerEvents } from '../types';

/** A viewer's copy of a producer: the track its transport sends. */
export class WeriftConsumer extends EventEmitter<ConsumerEvents> implements Consumer {
  readonly id = randomUUID();
  readonly track = new MediaStreamTrack({ kind: 'video' });
  #closed = false;
  #paused = false;
  #packets = 0;

  constructor(
    readonly streamId: string,
    readonly mimeType: string | undefined,
  ) {
    super();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The publisher dropped (true) or is back (false). */
  setPaused(paused: boolean): void {
    if (this.#closed || paused === this.#paused) return;
    this.#paused = paused;
    this.emit(paused ? 'producerpause' : 'producerresume');
  }

  get closed(): boolean {
    return this.#closed;
  }
  get packets(): number {
    return this.#packets;
  }

  send(rtp: RtpPacket): void {
    if (this.#closed) return;
    this.#packets++;
    // werift rewrites SSRC and payload type to this sender's negotiated values
    this.track.writeRtp(rtp);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close');
  }
}
