// A JT/T 1078 TCP byte stream → packets. Packets carry no delimiter that cannot occur in a body:
// the decoder finds each by its frame header 0x30316364 and its body length (Table 19). Bytes
// that are no packet (a terminal's garbage, a packet cut by a reconnect) are skipped up to the
// next frame header and refused once per run; a header the standard does not allow is refused
// and the search goes on after its first byte. Nothing after a bad stretch is lost.
import { Jt808Error } from '../errors';
import { MAX_MEDIA_BODY, MEDIA_FRAME_HEADER_BYTES, readMediaPacket, type MediaPacket } from './packet';

export type MediaPacketResult = { ok: true; packet: MediaPacket } | { ok: false; error: Jt808Error };

export interface MediaStreamOptions {
  /** a body longer than this is refused (`too_long`); default 950 (Table 19) */
  maxBody?: number;
}

export class MediaStreamDecoder {
  readonly #maxBody: number;
  #pending: Buffer = Buffer.alloc(0);
  /** inside a run of skipped bytes already refused: the rest of the run is not counted again */
  #skipping = false;

  constructor(opts: MediaStreamOptions = {}) {
    this.#maxBody = opts.maxBody ?? MAX_MEDIA_BODY;
  }

  /** Feeds a chunk; returns the packets it completed and the refusals, in order. */
  push(chunk: Buffer): MediaPacketResult[] {
    const results: MediaPacketResult[] = [];
    // a copy: the caller may reuse its chunk's memory, and bodies point into this buffer
    let buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : Buffer.from(chunk);
    for (;;) {
      const at = buf.indexOf(MEDIA_FRAME_HEADER_BYTES);
      if (at !== 0) {
        // no header here: skip to the next one, or keep the last 3 bytes (a header's start may be in them)
        const skip = at === -1 ? Math.max(0, buf.length - 3) : at;
        if (skip > 0) this.#skipped(results, skip);
        buf = buf.subarray(skip);
        if (at === -1) break;
      }
      let read;
      try {
        read = readMediaPacket(buf, this.#maxBody);
      } catch (err) {
        if (!(err instanceof Jt808Error)) throw err;
        results.push({ ok: false, error: err });
        this.#skipping = true;
        buf = buf.subarray(1);
        continue;
      }
      if (!read) break;
      results.push({ ok: true, packet: read.packet });
      this.#skipping = false;
      buf = buf.subarray(read.length);
    }
    this.#pending = buf;
    return results;
  }

  /** Bytes held for a packet not yet complete. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  #skipped(results: MediaPacketResult[], bytes: number): void {
    if (this.#skipping) return;
    this.#skipping = true;
    results.push({ ok: false, error: new Jt808Error('bad_sync', `${bytes} byte(s) that are no JT/T 1078 packet skipped up to the next frame header 0x30316364`) });
  }
}
