// An H.264 Annex B byte stream (ffmpeg's `-f h264` on stdout) → access units, one per picture.
// A NAL unit ends where the next start code begins; an access unit ends before an access unit
// delimiter, SPS, PPS or SEI that follows a slice, or before a slice whose first_mb_in_slice
// is 0 (ITU-T H.264 §7.4.1.2.3: the first slice of the next primary picture).
/** NAL unit types: 1 non-IDR slice, 5 IDR slice, 6 SEI, 7 SPS, 8 PPS, 9 access unit delimiter */
const VCL = new Set([1, 5]);
const STARTS_AU = new Set([6, 7, 8, 9]);
const START_CODE = Buffer.of(0, 0, 1);

export class AnnexBReader {
  #buffer: Buffer = Buffer.alloc(0);
  /** NAL units of the access unit being read, with their start codes */
  #unit: Buffer[] = [];
  #unitHasSlice = false;

  /** Feeds bytes; returns the access units they completed (Annex B, start codes kept). */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const units: Buffer[] = [];
    let start = this.#buffer.indexOf(START_CODE);
    if (start === -1) return units;
    for (;;) {
      const next = this.#buffer.indexOf(START_CODE, start + 3);
      if (next === -1) break;
      // a 4-byte start code's leading zero belongs to the next NAL unit
      const end = next > 0 && this.#buffer[next - 1] === 0 ? next - 1 : next;
      const nal = this.#buffer.subarray(start, end);
      const done = this.#add(nal);
      if (done) units.push(done);
      start = end;
    }
    this.#buffer = this.#buffer.subarray(start);
    return units;
  }

  #add(nal: Buffer): Buffer | undefined {
    const headerAt = nal.indexOf(START_CODE) + 3;
    const type = nal[headerAt]! & 0x1f;
    // first_mb_in_slice is ue(v): its first bit is 1 exactly when it is 0
    const firstSlice = VCL.has(type) && (nal[headerAt + 1]! & 0x80) !== 0;
    let done: Buffer | undefined;
    if (this.#unitHasSlice && (STARTS_AU.has(type) || firstSlice)) {
      done = Buffer.concat(this.#unit);
      this.#unit = [];
      this.#unitHasSlice = false;
    }
    this.#unit.push(Buffer.from(nal));
    if (VCL.has(type)) this.#unitHasSlice = true;
    return done;
  }
}
