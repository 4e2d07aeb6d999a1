// Framing (JT/T 808-2019 'identifier' and 'check code' clauses, the same in 2011 and 2013):
// a frame is 0x7E, header + body + check code with 0x7E sent as 0x7D 0x02 and 0x7D as
// 0x7D 0x01, then 0x7E. The check code is the XOR of header and body, computed before escaping.
import { Jt808Error } from './errors';

export const FRAME_DELIMITER = 0x7e;
const ESCAPE = 0x7d;

/** 0x7D 0x02 → 0x7E, 0x7D 0x01 → 0x7D; any other byte after 0x7D (or 0x7D last) is refused. */
export function unescapeFrame(escaped: Buffer): Buffer {
  const out = Buffer.allocUnsafe(escaped.length);
  let n = 0;
  for (let i = 0; i < escaped.length; i++) {
    const b = escaped[i]!;
    if (b === FRAME_DELIMITER) throw new Jt808Error('bad_escape', `an unescaped 0x7E at byte ${i} inside a frame`);
    if (b !== ESCAPE) {
      out[n++] = b;
      continue;
    }
    const next = escaped[++i];
    if (next === 0x02) out[n++] = FRAME_DELIMITER;
    else if (next === 0x01) out[n++] = ESCAPE;
    else
      throw new Jt808Error(
        'bad_escape',
        next === undefined ? 'the frame ends in the escape byte 0x7D' : `0x7D followed by 0x${next.toString(16).padStart(2, '0')} at byte ${i - 1} (only 0x01 and 0x02 may follow it)`,
      );
  }
  return out.subarray(0, n);
}

export function escapeFrame(raw: Buffer): Buffer {
  let extra = 0;
  for (const b of raw) if (b === FRAME_DELIMITER || b === ESCAPE) extra++;
  const out = Buffer.allocUnsafe(raw.length + extra);
  let n = 0;
  for (const b of raw) {
    if (b === FRAME_DELIMITER || b === ESCAPE) {
      out[n++] = ESCAPE;
      out[n++] = b === FRAME_DELIMITER ? 0x02 : 0x01;
    } else out[n++] = b;
  }
  return out;
}

/** XOR of every byte, the check code of header + body. */
export function checkCode(raw: Buffer): number {
  let x = 0;
  for (const b of raw) x ^= b;
  return x;
}

/** Header + body → 0x7E, escaped(header + body + check code), 0x7E. */
export function wrapFrame(headerAndBody: Buffer): Buffer {
  const withCheck = Buffer.concat([headerAndBody, Buffer.of(checkCode(headerAndBody))]);
  return Buffer.concat([Buffer.of(FRAME_DELIMITER), escapeFrame(withCheck), Buffer.of(FRAME_DELIMITER)]);
}

/**
 * The bytes between two 0x7E (escaped, delimiters excluded) → header + body, its check code
 * verified. Refused: a bad escape, nothing but the check code, a check code that does not match.
 */
export function unwrapFrame(escaped: Buffer): Buffer {
  const raw = unescapeFrame(escaped);
  if (raw.length < 2) throw new Jt808Error('bad_length', `a frame of ${raw.length} byte(s) holds no header`);
  const content = raw.subarray(0, raw.length - 1);
  const expected = checkCode(content);
  const got = raw[raw.length - 1]!;
  if (got !== expected) throw new Jt808Error('bad_checksum', `check code 0x${got.toString(16).padStart(2, '0')} where the bytes give 0x${expected.toString(16).padStart(2, '0')}`);
  return content;
}
