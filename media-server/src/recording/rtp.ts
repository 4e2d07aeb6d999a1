// Just enough RTP (RFC 3550) to record a stream: the header fields, and whether a packet
// begins a keyframe, so that ffmpeg is fed from a keyframe and its first segment decodes.

export type RecordedCodec = 'h264' | 'vp8';

export function codecOf(mimeType: string | undefined): RecordedCodec | undefined {
  switch (mimeType?.toLowerCase()) {
    case 'video/h264':
      return 'h264';
    case 'video/vp8':
      return 'vp8';
    default:
      return undefined;
  }
}

export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** offset of the payload in the packet */
  payloadOffset: number;
}

/** The fixed header, CSRCs and extension skipped (RFC 3550 §5.1, §5.3.1); undefined if malformed. */
export function parseRtpHeader(packet: Buffer): RtpHeader | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const csrcCount = packet[0]! & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!; // padding
  if (offset >= end) return undefined;
  return { payloadType: packet[1]! & 0x7f, sequenceNumber: packet.readUInt16BE(2), timestamp: packet.readUInt32BE(4), ssrc: packet.readUInt32BE(8), payloadOffset: offset };
}

/** True when `payload` starts a keyframe: an SPS or an IDR slice's first fragment (RFC 6184 §5). */
export function isH264KeyFrameStart(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const type = payload[0]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    // STAP-A: 16-bit size, then a NAL unit, repeated (§5.7.1)
    for (let i = 1; i + 2 < payload.length;) {
      const size = payload.readUInt16BE(i);
      const nalType = payload[i + 2]! & 0x1f;
      if (nalType === 5 || nalType === 7) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === 28) {
    // FU-A: the start bit and the fragmented NAL unit's type (§5.8)
    return (payload[1]! & 0x80) !== 0 && ((payload[1]! & 0x1f) === 5 || (payload[1]! & 0x1f) === 7);
  }
  return false;
}

/** True when `payload` starts a VP8 key frame (RFC 7741 §4.2 descriptor, §4.3 P bit). */
export function isVp8KeyFrameStart(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0;
  const partition = b0 & 0x07;
  if (!start || partition !== 0) return false;
  let i = 1;
  if (b0 & 0x80) {
    if (payload.length < 2) return false;
    const x = payload[1]!;
    i = 2;
    if (x & 0x80) i += payload.length > i && payload[i]! & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
    if (x & 0x40) i += 1; // TL0PICIDX
    if (x & 0x30) i += 1; // TID / KEYIDX
  }
  return payload.length > i && (payload[i]! & 0x01) === 0;
}

export function isKeyFrameStart(codec: RecordedCodec, packet: Buffer, header: RtpHeader): boolean {
  const payload = packet.subarray(header.payloadOffset);
  return codec === 'h264' ? isH264KeyFrameStart(payload) : isVp8KeyFrameStart(payload);
}
