// An H.264 access unit (Annex B, as JT/T 1078 carries it) → RTP packets (RFC 6184), without
// touching the coded picture: each NAL unit that fits goes in one packet (single NAL unit
// packet, §5.6), a larger one is cut into fragmentation units FU-A (§5.8); the marker bit is
// set on the access unit's last packet (§5.1) and every packet of it has one timestamp.
/** RFC 6184 §5.8: FU-A NAL unit type. */
const FU_A = 28;
/** H.264 NAL unit type 9: access unit delimiter; it says nothing a packetised stream needs (§5.1 leaves it optional) */
const NAL_AUD = 9;

/** The NAL units of an Annex B byte stream (start codes 00 00 01 or 00 00 00 01 removed). */
export function splitAnnexB(data: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) units.push(trimZeros(data.subarray(start, i)));
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0 && start < data.length) units.push(data.subarray(start));
  return units.filter((u) => u.length > 0);
}

/** trailing zero bytes before a start code belong to the 4-byte start code (or are trailing_zero_8bits) */
function trimZeros(unit: Buffer): Buffer {
  let end = unit.length;
  while (end > 0 && unit[end - 1] === 0) end--;
  return unit.subarray(0, end);
}

/** The NAL unit types of an access unit: 5 (IDR slice) makes it a keyframe. */
export const nalTypes = (data: Buffer): number[] => splitAnnexB(data).map((u) => u[0]! & 0x1f);

export interface H264PacketizerOptions {
  /** largest RTP payload, bytes; default 1200 (fits a 1280-byte path MTU after SRTP and the IP/UDP headers) */
  maxPayload?: number;
  /** default 96; a sender that negotiated another rewrites it */
  payloadType?: number;
  ssrc?: number;
}

export class H264Packetizer {
  readonly #maxPayload: number;
  readonly #payloadType: number;
  readonly #ssrc: number;
  #sequence = Math.floor(Math.random() * 0x10000);

  constructor(opts: H264PacketizerOptions = {}) {
    this.#maxPayload = opts.maxPayload ?? 1200;
    this.#payloadType = opts.payloadType ?? 96;
    this.#ssrc = opts.ssrc ?? Math.floor(Math.random() * 0xffffffff);
  }

  /** One access unit at `timestamp` (90 kHz, RFC 6184 §5.1) → its RTP packets, serialized. */
  packetize(accessUnit: Buffer, timestamp: number): Buffer[] {
    const payloads: Buffer[] = [];
    for (const nal of splitAnnexB(accessUnit)) {
      if ((nal[0]! & 0x1f) === NAL_AUD) continue;
      if (nal.length <= this.#maxPayload) payloads.push(nal);
      else payloads.push(...this.#fragment(nal));
    }
    return payloads.map((payload, i) => Buffer.concat([this.#header(i === payloads.length - 1, timestamp), payload]));
  }

  /** §5.8: FU indicator (F, NRI of the NAL unit, type 28), FU header (S, E, the NAL unit's type), then its bytes after its header. */
  #fragment(nal: Buffer): Buffer[] {
    const indicator = (nal[0]! & 0xe0) | FU_A;
    const type = nal[0]! & 0x1f;
    const room = this.#maxPayload - 2;
    const parts: Buffer[] = [];
    for (let at = 1; at < nal.length; at += room) {
      const end = Math.min(at + room, nal.length);
      const fuHeader = (at === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
      parts.push(Buffer.concat([Buffer.of(indicator, fuHeader), nal.subarray(at, end)]));
    }
    return parts;
  }

  /** RFC 3550 §5.1 fixed header: V 2, no padding, extension or CSRC. */
  #header(marker: boolean, timestamp: number): Buffer {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | this.#payloadType;
    h.writeUInt16BE(this.#sequence, 2);
    this.#sequence = (this.#sequence + 1) & 0xffff;
    h.writeUInt32BE(timestamp >>> 0, 4);
    h.writeUInt32BE(this.#ssrc >>> 0, 8);
    return h;
  }
}

/** A JT/T 1078 timestamp (ms) on the 90 kHz RTP clock of video (RFC 6184 §5.1), wrapping at 2^32. */
export function rtpTimestamp90k(ms: bigint): number {
  return Number((ms * 90n) & 0xffffffffn);
}
