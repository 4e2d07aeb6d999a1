// Bounds-checked reading and writing of the standard's data types (JT/T 808-2019 Table 1 'data types':
// BYTE, WORD, DWORD big-endian ('transmission rules'), BCD[n] 8421 code, STRING in GBK). A read past the end
// is a typed refusal, never a RangeError: a body is bytes from a terminal nobody here wrote.
import iconv from 'iconv-lite';
import { Jt808Error } from './errors';

export class BodyReader {
  #offset = 0;
  constructor(
    readonly buf: Buffer,
    /** what is being read, for the refusal's sentence (e.g. "0x0200 location") */
    readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.#offset;
  }

  #take(n: number, field: string): number {
    if (n > this.remaining) throw new Jt808Error('bad_length', `${this.what}: ${field} needs ${n} byte(s) but ${this.remaining} remain`);
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(field: string): number {
    return this.buf[this.#take(1, field)]!;
  }
  u16(field: string): number {
    return this.buf.readUInt16BE(this.#take(2, field));
  }
  i16(field: string): number {
    return this.buf.readInt16BE(this.#take(2, field));
  }
  u32(field: string): number {
    return this.buf.readUInt32BE(this.#take(4, field));
  }
  bytes(n: number, field: string): Buffer {
    const at = this.#take(n, field);
    return this.buf.subarray(at, at + n);
  }
  /** Everything not yet read. */
  rest(): Buffer {
    return this.bytes(this.remaining, 'rest');
  }
  bcd(n: number, field: string): string {
    return bcdToDigits(this.bytes(n, field), `${this.what}: ${field}`);
  }
  /** n bytes of GBK text, as sent. */
  text(n: number, field: string): string {
    return gbk(this.bytes(n, field));
  }
  /** BYTE[n] text, right-padded with 0x00 (Table 1): the padding is dropped. */
  fixedText(n: number, field: string): string {
    return gbk(trimNul(this.bytes(n, field)));
  }
}

export class BodyWriter {
  readonly #parts: Buffer[] = [];

  u8(v: number): this {
    return this.bytes(Buffer.of(v & 0xff));
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v & 0xffff);
    return this.bytes(b);
  }
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.bytes(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.bytes(b);
  }
  bytes(b: Buffer): this {
    this.#parts.push(b);
    return this;
  }
  bcd(digits: string, n: number, field: string): this {
    return this.bytes(digitsToBcd(digits, n, field));
  }
  /** BYTE[n] text, right-padded with 0x00; longer text is refused, not cut. */
  fixedText(text: string, n: number, field: string): this {
    const raw = toGbk(text);
    if (raw.length > n) throw new Jt808Error('too_long', `${field} is ${raw.length} bytes in GBK; the field holds ${n}`);
    return this.bytes(Buffer.concat([raw, Buffer.alloc(n - raw.length)]));
  }
  /** Text as GBK bytes, refused when longer than `max` (a length prefix's range). */
  gbkLength(text: string, max: number, field: string): Buffer {
    const raw = toGbk(text);
    if (raw.length > max) throw new Jt808Error('too_long', `${field} is ${raw.length} bytes in GBK; at most ${max} fit`);
    return raw;
  }
  text(text: string): this {
    return this.bytes(toGbk(text));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

/** GBK text (Table 1 STRING) as JavaScript text; iconv-lite never throws on bad bytes. */
export function gbk(raw: Buffer): string {
  return iconv.decode(raw, 'gbk');
}

export function toGbk(text: string): Buffer {
  return iconv.encode(text, 'gbk');
}

function trimNul(raw: Buffer): Buffer {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  return raw.subarray(0, end);
}

/** BCD[n] (8421 code) as its decimal digits, leading zeros kept; a nibble over 9 is refused. */
export function bcdToDigits(raw: Buffer, what: string): string {
  let digits = '';
  for (const byte of raw) {
    const hi = byte >> 4;
    const lo = byte & 0x0f;
    if (hi > 9 || lo > 9) throw new Jt808Error('bad_field', `${what}: ${byte.toString(16).padStart(2, '0')} is not a BCD digit pair`);
    digits += `${hi}${lo}`;
  }
  return digits;
}

/** Decimal digits as BCD[n], left-padded with zeros (a phone number's leading 0s, Table 2 'message header'). */
export function digitsToBcd(digits: string, n: number, field: string): Buffer {
  if (!/^[0-9]*$/.test(digits) || digits.length > n * 2) throw new Jt808Error('bad_field', `${field} must be at most ${n * 2} decimal digits, got ${JSON.stringify(digits)}`);
  return Buffer.from(digits.padStart(n * 2, '0'), 'hex');
}
