// A bounded ring buffer of a producer's RTP packets by sequence number, so that viewers'
// NACKs (RFC 4585 §6.2.1) are answered from the SFU instead of asking the publisher.

/** What a retransmission needs: the packet as the publisher sent it, minus header extensions. */
export interface CachedRtp {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
  paddingSize: number;
}

export class RtpPacketCache {
  readonly #slots: (CachedRtp | undefined)[];
  readonly #mask: number;

  /** `size` is rounded up to a power of two; default 1024 (about 10 s of a 1 Mbps stream) */
  constructor(size = 1024) {
    let n = 1;
    while (n < size) n <<= 1;
    this.#slots = new Array(Math.min(n, 65536));
    this.#mask = this.#slots.length - 1;
  }

  get capacity(): number {
    return this.#slots.length;
  }

  put(packet: CachedRtp): void {
    this.#slots[packet.sequenceNumber & this.#mask] = packet;
  }

  /** the packet with this sequence number, if it is still held */
  get(sequenceNumber: number): CachedRtp | undefined {
    const p = this.#slots[sequenceNumber & this.#mask];
    return p && p.sequenceNumber === sequenceNumber ? p : undefined;
  }

  clear(): void {
    this.#slots.fill(undefined);
  }
}
