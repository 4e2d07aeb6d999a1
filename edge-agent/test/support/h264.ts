// H.264 in RTP (RFC 6184) for tests: find the SPS, and read the picture size from it
// (ITU-T H.264 §7.3.2.1.1).

/** The SPS NAL unit in an RTP payload: alone, or in a STAP-A. */
export function spsFromRtp(payload: Buffer): Buffer | undefined {
  const type = payload[0]! & 0x1f;
  if (type === 7) return Buffer.from(payload);
  if (type === 24) {
    for (let i = 1; i + 2 < payload.length;) {
      const size = payload.readUInt16BE(i);
      const nal = payload.subarray(i + 2, i + 2 + size);
      if ((nal[0]! & 0x1f) === 7) return Buffer.from(nal);
      i += 2 + size;
    }
  }
  return undefined;
}

class Bits {
  #pos = 0;
  constructor(private readonly b: Buffer) {}
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.b[this.#pos >> 3] ?? 0;
      v = (v << 1) | ((byte >> (7 - (this.#pos & 7))) & 1);
      this.#pos++;
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0 && zeros < 32) zeros++;
    return (1 << zeros) - 1 + (zeros ? this.u(zeros) : 0);
  }
  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -k / 2;
  }
}

/** Width and height coded in an SPS NAL unit (with its header byte). */
export function spsPictureSize(nal: Buffer): { width: number; height: number; profile: number } {
  // drop emulation prevention bytes (00 00 03)
  const rbsp: number[] = [];
  for (let i = 1; i < nal.length; i++) {
    if (i >= 3 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    rbsp.push(nal[i]!);
  }
  const r = new Bits(Buffer.from(rbsp));
  const profile = r.u(8);
  r.u(16); // constraint flags, level
  r.ue(); // seq_parameter_set_id
  let chroma = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    chroma = r.ue();
    if (chroma === 3) r.u(1);
    r.ue();
    r.ue();
    r.u(1);
    if (r.u(1)) throw new Error('SPS with scaling matrices: not needed by these tests');
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.u(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.u(1);
  const wMbs = r.ue() + 1;
  const hMaps = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (!frameMbsOnly) r.u(1);
  r.u(1);
  let [cl, cr, ct, cb] = [0, 0, 0, 0];
  if (r.u(1)) [cl, cr, ct, cb] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const cropX = chroma === 0 ? 1 : 2;
  const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return { width: wMbs * 16 - (cl + cr) * cropX, height: (2 - frameMbsOnly) * hMaps * 16 - (ct + cb) * cropY, profile };
}
