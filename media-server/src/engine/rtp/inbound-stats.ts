// Figures of one incoming RTP stream, from the packets alone: loss from sequence gaps
// (RFC 3550 §A.3), frames from RTP timestamps changing, rates over a sliding window. The frame
// rate is frames over media time (RTP timestamps, 90 kHz), so a late or bursty network does not
// read as a camera changing its rate; a stream that stops sending reads 0.

/** How far back the rates look, ms. */
const WINDOW_MS = 2000;
/** How often a sample is kept for the window, ms. */
const SAMPLE_MS = 250;

interface Sample {
  at: number;
  frames: number;
  /** RTP timestamp of the newest frame */
  timestamp: number;
  bytes: number;
  expected: number;
  received: number;
}

export interface InboundFigures {
  packets: number;
  bytes: number;
  frames: number;
  keyFrames: number;
  /** packets the sequence numbers say were sent but never arrived (a late retransmission fills its gap) */
  packetsLost: number;
  /** frames per second of media time over the last ~2 s */
  fps: number;
  /** payload bits per second over the last ~2 s */
  bitrate: number;
  /** share of packets lost over the last ~2 s, 0..1 */
  fractionLost: number;
  /** epoch ms of the first packet */
  since: number | null;
}

export class InboundRtpStats {
  #packets = 0;
  #bytes = 0;
  #frames = 0;
  #keyFrames = 0;
  #since: number | null = null;
  /** extended (32-bit, with wrap count) highest sequence number and the first one */
  #baseSeq = -1;
  #maxSeq = -1;
  #lastTimestamp: number | undefined;
  #samples: Sample[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    /** RTP clock rate; 90 kHz for video (RFC 3551 §5) */
    private readonly clockRate = 90_000,
  ) {}

  /** Counts one packet; `keyFrame` when it starts a keyframe. */
  onPacket(sequenceNumber: number, timestamp: number, payloadBytes: number, keyFrame = false): void {
    const now = this.now();
    this.#since ??= now;
    this.#packets++;
    this.#bytes += payloadBytes;
    if (keyFrame) this.#keyFrames++;
    if (this.#maxSeq < 0) {
      this.#baseSeq = this.#maxSeq = sequenceNumber;
      this.#lastTimestamp = timestamp;
      this.#frames = 1;
    } else {
      // place the 16-bit number nearest to the highest one seen
      const cycle = this.#maxSeq - (this.#maxSeq & 0xffff);
      let ext = cycle + sequenceNumber;
      if (ext - this.#maxSeq > 0x8000) ext -= 0x10000;
      else if (this.#maxSeq - ext > 0x8000) ext += 0x10000;
      if (ext > this.#maxSeq) {
        this.#maxSeq = ext;
        if (timestamp !== this.#lastTimestamp) this.#frames++;
        this.#lastTimestamp = timestamp;
      }
    }
    const last = this.#samples.at(-1);
    if (!last || now - last.at >= SAMPLE_MS) {
      this.#samples.push(this.#sample(now));
      while (this.#samples.length > 2 && now - this.#samples[1]!.at >= WINDOW_MS) this.#samples.shift();
    }
  }

  #expected(): number {
    return this.#maxSeq < 0 ? 0 : this.#maxSeq - this.#baseSeq + 1;
  }

  #sample(at: number): Sample {
    return { at, frames: this.#frames, timestamp: this.#lastTimestamp ?? 0, bytes: this.#bytes, expected: this.#expected(), received: this.#packets };
  }

  figures(): InboundFigures {
    const now = this.now();
    const expected = this.#expected();
    const first = this.#samples[0];
    const current = this.#sample(now);
    // rates need a span; a stream that stopped sending reads 0
    const lastPacketAt = this.#samples.at(-1)?.at ?? 0;
    let fps = 0;
    let bitrate = 0;
    let fractionLost = 0;
    if (first && now - lastPacketAt < WINDOW_MS) {
      const span = (now - first.at) / 1000;
      if (span > 0.2) {
        const mediaSeconds = ((current.timestamp - first.timestamp) >>> 0) / this.clockRate;
        if (mediaSeconds > 0 && mediaSeconds < 3600) fps = (current.frames - first.frames) / mediaSeconds;
        bitrate = ((current.bytes - first.bytes) * 8) / span;
        const exp = current.expected - first.expected;
        const rec = current.received - first.received;
        fractionLost = exp > 0 ? Math.max(0, exp - rec) / exp : 0;
      }
    }
    return {
      packets: this.#packets,
      bytes: this.#bytes,
      frames: this.#frames,
      keyFrames: this.#keyFrames,
      packetsLost: Math.max(0, expected - this.#packets),
      fps: Math.round(fps * 10) / 10,
      bitrate: Math.round(bitrate),
      fractionLost: Math.round(fractionLost * 10000) / 10000,
      since: this.#since,
    };
  }
}
