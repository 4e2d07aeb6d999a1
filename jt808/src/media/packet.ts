// The JT/T 1078-2016 audio/video stream packet (Table 19 'RTP payload packet format', an RTP
// header (RFC 3550 §5.1) grown with the terminal's SIM and channel). Offsets:
//   0 DWORD frame header 0x30316364 ("01cd")   4 BYTE V(2) P(1) X(1) CC(4), V = 2
//   5 BYTE M(1) PT(7) (Table 12 payload types)  6 WORD packet serial
//   8 BCD[6] SIM (the terminal's phone number)  14 BYTE logical channel (Table 2)
//  15 BYTE data type (high 4 bits: 0 I, 1 P, 2 B, 3 audio, 4 transparent) + sub-package
//     marker (low 4 bits: 0 atomic, 1 first, 2 last, 3 middle)
//  16 BYTE[8] timestamp, ms (absent for transparent data)
//  24 WORD last I frame interval, ms, and WORD last frame interval, ms (video only)
//  then WORD body length (at most 950) and the body.
import { bcdToDigits, digitsToBcd } from '../bytes';
import { Jt808Error } from '../errors';

/** Table 19 frame header: the bytes "01cd". */
export const MEDIA_FRAME_HEADER = 0x30316364;
export const MEDIA_FRAME_HEADER_BYTES = Buffer.from('30316364', 'hex');
/** Table 19 note: a packet's body holds at most 950 bytes. */
export const MAX_MEDIA_BODY = 950;

/** Table 19 data type (high 4 bits of byte 15). */
export const MediaDataType = { iFrame: 0, pFrame: 1, bFrame: 2, audio: 3, transparent: 4 } as const;
export type MediaDataTypeValue = (typeof MediaDataType)[keyof typeof MediaDataType];
/** Table 19 sub-package marker (low 4 bits of byte 15). */
export const Subpackage = { atomic: 0, first: 1, last: 2, middle: 3 } as const;
export type SubpackageValue = (typeof Subpackage)[keyof typeof Subpackage];
/** Table 12 payload types the hub meets (the rest are carried as numbers). */
export const MediaPayloadType = { g711a: 6, g711u: 7, g726: 8, adpcma: 26, h264: 98, h265: 99 } as const;

export interface MediaPacket {
  /** RTP marker bit: set on a frame's last packet */
  marker: boolean;
  /** Table 12 payload type (98 H.264) */
  payloadType: number;
  /** WORD, wrapping */
  serial: number;
  /** the SIM's 12 digits as sent, leading zeros kept */
  sim: string;
  channel: number;
  dataType: MediaDataTypeValue;
  subpackage: SubpackageValue;
  /** ms; 0 for transparent data, which carries none */
  timestamp: bigint;
  /** video only: ms since the last I frame and since the last frame */
  lastIFrameInterval?: number;
  lastFrameInterval?: number;
  body: Buffer;
}

export const isVideo = (dataType: number): boolean => dataType <= MediaDataType.bFrame;

/** Bytes before the body, by data type (video 30, audio 26, transparent 18). */
export function headerLength(dataType: number): number {
  return 16 + (dataType === MediaDataType.transparent ? 0 : 8) + (isVideo(dataType) ? 4 : 0) + 2;
}

/** The smallest header (transparent data): bytes needed before a packet's length is known. */
export const MIN_MEDIA_HEADER = 18;

/**
 * Reads the packet starting at `buf[0]`: the packet and its length in bytes, `undefined` when
 * `buf` does not yet hold all of it, or a Jt808Error for a header the standard does not allow.
 */
export function readMediaPacket(buf: Buffer, maxBody = MAX_MEDIA_BODY): { packet: MediaPacket; length: number } | undefined {
  if (buf.length < 16) return undefined;
  if (buf.readUInt32BE(0) !== MEDIA_FRAME_HEADER) throw new Jt808Error('bad_sync', 'a JT/T 1078 packet must start with the frame header 0x30316364');
  const vpxcc = buf[4]!;
  // Table 19: V = 2; P, X and CC are fixed by practice (0x81) but read as sent
  if (vpxcc >> 6 !== 2) throw new Jt808Error('bad_field', `JT/T 1078 RTP version ${vpxcc >> 6}, the standard says 2`);
  const typeByte = buf[15]!;
  const dataType = typeByte >> 4;
  const subpackage = typeByte & 0x0f;
  if (dataType > MediaDataType.transparent) throw new Jt808Error('bad_field', `JT/T 1078 data type ${dataType} (Table 19 knows 0-4)`);
  if (subpackage > Subpackage.middle) throw new Jt808Error('bad_field', `JT/T 1078 sub-package marker ${subpackage} (Table 19 knows 0-3)`);
  const headerBytes = headerLength(dataType);
  if (buf.length < headerBytes) return undefined;
  const bodyLength = buf.readUInt16BE(headerBytes - 2);
  if (bodyLength > maxBody) throw new Jt808Error('too_long', `JT/T 1078 body of ${bodyLength} bytes, over the ${maxBody} allowed (Table 19: 950)`);
  if (buf.length < headerBytes + bodyLength) return undefined;
  const hasTime = dataType !== MediaDataType.transparent;
  const packet: MediaPacket = {
    marker: (buf[5]! & 0x80) !== 0,
    payloadType: buf[5]! & 0x7f,
    serial: buf.readUInt16BE(6),
    sim: bcdToDigits(buf.subarray(8, 14), 'JT/T 1078 SIM'),
    channel: buf[14]!,
    dataType: dataType as MediaDataTypeValue,
    subpackage: subpackage as SubpackageValue,
    timestamp: hasTime ? buf.readBigUInt64BE(16) : 0n,
    body: buf.subarray(headerBytes, headerBytes + bodyLength),
  };
  if (isVideo(dataType)) {
    packet.lastIFrameInterval = buf.readUInt16BE(24);
    packet.lastFrameInterval = buf.readUInt16BE(26);
  }
  return { packet, length: headerBytes + bodyLength };
}

/** One packet as a terminal sends it (the simulator, tests). */
export function encodeMediaPacket(p: MediaPacket): Buffer {
  if (p.body.length > MAX_MEDIA_BODY) throw new Jt808Error('too_long', `a JT/T 1078 body holds at most ${MAX_MEDIA_BODY} bytes, got ${p.body.length}`);
  const head = Buffer.alloc(headerLength(p.dataType));
  head.writeUInt32BE(MEDIA_FRAME_HEADER, 0);
  head[4] = 0x81; // V 2, P 0, X 0, CC 1: what terminals send
  head[5] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  head.writeUInt16BE(p.serial & 0xffff, 6);
  digitsToBcd(p.sim.slice(-12), 6, 'JT/T 1078 SIM').copy(head, 8);
  head[14] = p.channel;
  head[15] = (p.dataType << 4) | p.subpackage;
  let at = 16;
  if (p.dataType !== MediaDataType.transparent) at = head.writeBigUInt64BE(p.timestamp, at);
  if (isVideo(p.dataType)) {
    at = head.writeUInt16BE(p.lastIFrameInterval ?? 0, at);
    at = head.writeUInt16BE(p.lastFrameInterval ?? 0, at);
  }
  head.writeUInt16BE(p.body.length, at);
  return Buffer.concat([head, p.body]);
}
