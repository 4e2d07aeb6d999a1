// A TCP byte stream → frames. TCP gives bytes, not frames: a frame may arrive in pieces and a
// piece may hold several frames, so the part after the last 0x7E is kept for the next chunk.
// A broken frame is refused with its reason and the frames after it decode as usual.
import { Jt808Error } from './errors';
import { FRAME_DELIMITER, unwrapFrame } from './framing';
import { decodeHeader, MAX_BODY_LENGTH, type Jt808Message } from './header';

/** The most escaped bytes a well-formed frame carries: every byte of the longest header (2019, sub-packaged: 21) + body + check code escaped. */
export const DEFAULT_MAX_FRAME_BYTES = 2 * (21 + MAX_BODY_LENGTH + 1);

export interface FrameStreamOptions {
  /** escaped bytes between two 0x7E past which a frame is refused (`too_long`) and skipped to its end; default DEFAULT_MAX_FRAME_BYTES (2090) */
  maxFrameBytes?: number;
}

export type FrameResult = { ok: true; message: Jt808Message } | { ok: false; error: Jt808Error };

export class FrameStreamDecoder {
  readonly #maxFrameBytes: number;
  #pending: Buffer = Buffer.alloc(0);
  /** bytes before the first 0x7E belong to no frame we saw begin */
  #started = false;
  /** inside a frame already refused as too long: drop bytes up to its closing 0x7E */
  #skipping = false;

  constructor(options: FrameStreamOptions = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Feeds a chunk; returns the frames it completed, good ones decoded and broken ones refused, in order. */
  push(chunk: Buffer): FrameResult[] {
    const results: FrameResult[] = [];
    let start = 0;
    for (let i = chunk.indexOf(FRAME_DELIMITER); i !== -1; i = chunk.indexOf(FRAME_DELIMITER, start)) {
      const piece = chunk.subarray(start, i);
      if (this.#started && !this.#skipping) {
        const frame = this.#pending.length > 0 ? Buffer.concat([this.#pending, piece]) : piece;
        // 0x7E 0x7E: the end of one frame and the start of the next (an empty frame is no frame)
        if (frame.length > 0) results.push(this.#decode(frame));
      }
      this.#pending = Buffer.alloc(0);
      this.#started = true;
      this.#skipping = false;
      start = i + 1;
    }
    if (!this.#started || this.#skipping) return results;
    const rest = chunk.subarray(start);
    if (this.#pending.length + rest.length > this.#maxFrameBytes) {
      this.#pending = Buffer.alloc(0);
      this.#skipping = true;
      results.push({ ok: false, error: new Jt808Error('too_long', `a frame runs past ${this.#maxFrameBytes} bytes without its closing 0x7E`) });
    } else if (rest.length > 0) {
      // a copy: the caller may reuse its chunk's memory
      this.#pending = Buffer.concat([this.#pending, rest]);
    }
    return results;
  }

  /** Bytes held for a frame not yet closed. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  #decode(escaped: Buffer): FrameResult {
    if (escaped.length > this.#maxFrameBytes) return { ok: false, error: new Jt808Error('too_long', `a frame of ${escaped.length} bytes, over the ${this.#maxFrameBytes} allowed`) };
    try {
      return { ok: true, message: decodeFrame(escaped) };
    } catch (err) {
      if (err instanceof Jt808Error) return { ok: false, error: err };
      throw err;
    }
  }
}

/** One frame (escaped, with or without its two 0x7E) → header and body. */
export function decodeFrame(frame: Buffer): Jt808Message {
  const delimited = frame.length >= 2 && frame[0] === FRAME_DELIMITER && frame[frame.length - 1] === FRAME_DELIMITER;
  return decodeHeader(unwrapFrame(delimited ? frame.subarray(1, -1) : frame));
}
