// The message header (JT/T 808-2019 Table 2 'message header'; 2011/2013 Table 2 without the
// protocol version and with BCD[6]) and the body attributes (Figure 2 'body attributes'):
// bits 0-9 body length, 10-12 encryption (bit 10 RSA), 13 sub-packaged, 14 the 2019 version
// flag, 15 reserved. A sub-packaged message adds WORD total and WORD index (Table 3, from 1).
import { BodyReader, BodyWriter } from './bytes';
import { Jt808Error } from './errors';

/** The largest body one frame carries: 10 bits of length. */
export const MAX_BODY_LENGTH = 0x3ff;

export interface Jt808Header {
  messageId: number;
  /** JT/T 808-2019 only (body attribute bit 14): the protocol version byte, 1 for the 2019 edition's first */
  protocolVersion?: number;
  /** body attribute bits 10-12: 0 plain, 1 RSA (bit 10); other values reserved */
  encryption: number;
  /** the terminal's phone number, its decimal digits as sent: 12 (BCD[6], 2011/2013) or 20 (BCD[10], 2019), leading zeros kept */
  phone: string;
  /** the sender's serial number, WORD, wrapping at 0xFFFF */
  serial: number;
  /** present when sub-packaged (bit 13): this part's index (1-based) of total */
  packet?: { total: number; index: number };
}

/** A decoded frame: its header and its (undecoded) body. */
export interface Jt808Message {
  header: Jt808Header;
  body: Buffer;
}

const ENCRYPTION_SHIFT = 10;
const SUBPACKAGE_BIT = 1 << 13;
const VERSION_BIT = 1 << 14;

/** Header + body (unescaped, check code removed) → the message; the body length must be what bits 0-9 say. */
export function decodeHeader(content: Buffer): Jt808Message {
  const r = new BodyReader(content, 'header');
  const messageId = r.u16('message id');
  const attributes = r.u16('body attributes');
  const is2019 = (attributes & VERSION_BIT) !== 0;
  const protocolVersion = is2019 ? r.u8('protocol version') : undefined;
  const phone = r.bcd(is2019 ? 10 : 6, 'terminal phone number');
  const serial = r.u16('serial number');
  let packet: Jt808Header['packet'];
  if (attributes & SUBPACKAGE_BIT) {
    packet = { total: r.u16('sub-package total'), index: r.u16('sub-package index') };
    if (packet.total < 1 || packet.index < 1 || packet.index > packet.total)
      throw new Jt808Error('bad_subpackage', `sub-package ${packet.index} of ${packet.total}: the index runs from 1 to the total`);
  }
  const length = attributes & MAX_BODY_LENGTH;
  if (r.remaining !== length) throw new Jt808Error('bad_length', `message 0x${hex4(messageId)}: the body attributes say ${length} byte(s), the frame carries ${r.remaining}`);
  const header: Jt808Header = { messageId, encryption: (attributes >> ENCRYPTION_SHIFT) & 0b111, phone, serial };
  if (protocolVersion !== undefined) header.protocolVersion = protocolVersion;
  if (packet) header.packet = packet;
  return { header, body: r.rest() };
}

/** Header fields + body → header + body bytes (no check code, not escaped). */
export function encodeHeader(header: Jt808Header, body: Buffer): Buffer {
  if (body.length > MAX_BODY_LENGTH) throw new Jt808Error('too_long', `a body of ${body.length} bytes: one frame carries at most ${MAX_BODY_LENGTH}; send it sub-packaged`);
  const is2019 = header.protocolVersion !== undefined;
  const attributes = body.length | ((header.encryption & 0b111) << ENCRYPTION_SHIFT) | (header.packet ? SUBPACKAGE_BIT : 0) | (is2019 ? VERSION_BIT : 0);
  const w = new BodyWriter().u16(header.messageId).u16(attributes);
  if (is2019) w.u8(header.protocolVersion!);
  w.bcd(header.phone, is2019 ? 10 : 6, 'terminal phone number').u16(header.serial);
  if (header.packet) w.u16(header.packet.total).u16(header.packet.index);
  return w.bytes(body).toBuffer();
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
