// Is this RTP payload the start of a keyframe? Used for stats and by benchmark viewers to
// time their first decodable frame. A keyframe also tells the picture's size.
import { h264SpsFromRtp, h264SpsPictureSize } from './h264-sps';

/** Where the VP8 payload header starts after the payload descriptor (RFC 7741 §4.2), or -1. */
function vp8HeaderOffset(payload: Buffer): number {
  if (payload.length < 1) return -1;
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0;
  const partitionId = b0 & 0x07;
  if (!start || partitionId !== 0) return -1;
  let i = 1;
  if (b0 & 0x80) {
    const x = payload[i++] ?? 0;
    if (x & 0x80) i += (payload[i] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) i++; // TL0PICIDX
    if (x & 0x20 || x & 0x10) i++; // TID/KEYIDX
  }
  return i < payload.length ? i : -1;
}

/** VP8: RFC 7741 §4.2 payload descriptor, then §4.3 payload header (P bit 0 = key frame). */
export function isVp8KeyFrame(payload: Buffer): boolean {
  const i = vp8HeaderOffset(payload);
  return i >= 0 && (payload[i]! & 0x01) === 0;
}

/**
 * The frame size a VP8 keyframe carries (RFC 6386 §9.1: 3-byte frame tag, start code
 * 9d 01 2a, then 14-bit width and height, little-endian), or undefined.
 */
export function vp8KeyFrameSize(payload: Buffer): { width: number; height: number } | undefined {
  const i = vp8HeaderOffset(payload);
  if (i < 0 || (payload[i]! & 0x01) !== 0 || payload.length < i + 10) return undefined;
  if (payload[i + 3] !== 0x9d || payload[i + 4] !== 0x01 || payload[i + 5] !== 0x2a) return undefined;
  return { width: payload.readUInt16LE(i + 6) & 0x3fff, height: payload.readUInt16LE(i + 8) & 0x3fff };
}

/** H.264: RFC 6184 §5.4: an IDR slice or SPS, alone, in a STAP-A, or starting an FU-A. */
export function isH264KeyFrame(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const type = payload[0]! & 0x1f;
  const isKey = (t: number) => t === 5 || t === 7;
  if (type === 24) {
    // STAP-A: 16-bit sizes, then NAL units
    for (let i = 1; i + 2 < payload.length;) {
      const size = payload.readUInt16BE(i);
      if (isKey(payload[i + 2]! & 0x1f)) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === 28) return payload.length > 1 && (payload[1]! & 0x80) !== 0 && isKey(payload[1]! & 0x1f);
  return isKey(type);
}

/** The picture size a keyframe's packet tells: VP8's frame header, or an H.264 SPS; else undefined. */
export function keyFrameSize(mimeType: string | undefined, payload: Buffer): { width: number; height: number } | undefined {
  const m = mimeType?.toLowerCase();
  if (m === 'video/vp8') return vp8KeyFrameSize(payload);
  if (m === 'video/h264') {
    const sps = h264SpsFromRtp(payload);
    const size = sps && h264SpsPictureSize(sps);
    return size && { width: size.width, height: size.height };
  }
  return undefined;
}

export function isKeyFrame(mimeType: string | undefined, payload: Buffer): boolean {
  const m = mimeType?.toLowerCase();
  if (m === 'video/vp8') return isVp8KeyFrame(payload);
  if (m === 'video/h264') return isH264KeyFrame(payload);
  return false;
}
