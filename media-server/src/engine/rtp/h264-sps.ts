// H.264's picture size, read from the sequence parameter set a keyframe carries (ITU-T H.264
// §7.3.2.1.1), as RTP brings it (RFC 6184 §5.6 single NAL unit, §5.7.1 STAP-A): an operator
// reads the size of every stream in /api/streams, VP8's from its keyframes (keyframe.ts).

/** The SPS NAL unit (with its header byte) in an RTP payload: alone, or in a STAP-A. */
export function h264SpsFromRtp(payload: Buffer): Buffer | undefined {
  if (payload.length < 1) return undefined;
  const type = payload[0]! & 0x1f;
  if (type === 7) return payload;
  if (type === 24) {
    // STAP-A: a 16-bit size before each NAL unit
    for (let i = 1; i + 2 < payload.length;) {
      const size = payload.readUInt16BE(i);
      const nal = payload.subarray(i + 2, i + 2 + size);
      if (nal.length > 0 && (nal[0]! & 0x1f) === 7) return nal;
      i += 2 + size;
    }
  }
  return undefined;
}

/** Reads an RBSP bit by bit: fixed-width fields u(n) and Exp-Golomb codes ue(v), se(v) (§9.1). */
class Bits {
  #pos = 0;
  constructor(private readonly b: Uint8Array) {}
  get exhausted(): boolean {
    return this.#pos > this.b.length * 8;
  }
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.b[this.#pos >> 3] ?? 0;
      v = v * 2 + ((byte >> (7 - (this.#pos & 7))) & 1);
      this.#pos++;
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31 || this.exhausted) throw new RangeError('not an Exp-Golomb code');
    return 2 ** zeros - 1 + (zeros ? this.u(zeros) : 0);
  }
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

/** the profiles whose SPS carries chroma format, bit depths and scaling matrices (§7.3.2.1.1) */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** skips a scaling_list() of `size` entries (§7.3.2.1.1.1) */
function skipScalingList(r: Bits, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * The picture an SPS NAL unit (with its header byte) codes: width and height after cropping,
 * and the profile (66 baseline, 77 main, 100 high…); undefined if it is cut short or malformed.
 */
export function h264SpsPictureSize(nal: Buffer): { width: number; height: number; profile: number } | undefined {
  // the RBSP: emulation prevention bytes (00 00 03) dropped
  const rbsp: number[] = [];
  for (let i = 1; i < nal.length; i++) {
    if (i >= 3 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    rbsp.push(nal[i]!);
  }
  try {
    const r = new Bits(Uint8Array.from(rbsp));
    const profile = r.u(8);
    r.u(16); // constraint flags, level_idc
    r.ue(); // seq_parameter_set_id
    let chroma = 1;
    let separateColourPlanes = 0;
    if (HIGH_PROFILES.has(profile)) {
      chroma = r.ue();
      if (chroma === 3) separateColourPlanes = r.u(1);
      r.ue(); // bit_depth_luma_minus8
      r.ue(); // bit_depth_chroma_minus8
      r.u(1); // qpprime_y_zero_transform_bypass_flag
      if (r.u(1)) for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) if (r.u(1)) skipScalingList(r, i < 6 ? 16 : 64);
    }
    r.ue(); // log2_max_frame_num_minus4
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.u(1);
      r.se();
      r.se();
      const cycle = r.ue();
      for (let i = 0; i < cycle; i++) r.se();
    }
    r.ue(); // max_num_ref_frames
    r.u(1); // gaps_in_frame_num_value_allowed_flag
    const widthMbs = r.ue() + 1;
    const heightMapUnits = r.ue() + 1;
    const frameMbsOnly = r.u(1);
    if (!frameMbsOnly) r.u(1); // mb_adaptive_frame_field_flag
    r.u(1); // direct_8x8_inference_flag
    let [left, right, top, bottom] = [0, 0, 0, 0];
    if (r.u(1)) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    if (r.exhausted) return undefined;
    // crop units (Table 6-1, equations 7-19 to 7-22)
    const arrayType = separateColourPlanes ? 0 : chroma;
    const cropX = arrayType === 0 ? 1 : chroma === 3 ? 1 : 2;
    const cropY = (arrayType === 0 ? 1 : chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
    const width = widthMbs * 16 - (left + right) * cropX;
    const height = (2 - frameMbsOnly) * heightMapUnits * 16 - (top + bottom) * cropY;
    return width > 0 && height > 0 ? { width, height, profile } : undefined;
  } catch {
    return undefined;
  }
}
