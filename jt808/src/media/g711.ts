// A terminal's audio (JT/T 1078 data type 3): G.711 A-law (payload type 6) or µ-law (7), 8 kHz
// mono. Many terminals' encoders (HiSilicon chips) put a 4-byte header before each frame:
// 00 01, the length in 16-bit words, 00. It is not audio, and is taken off here.
import { MediaPayloadType } from './packet';

export type G711Law = 'alaw' | 'mulaw';

/** The law of a Table 12 payload type, or undefined for one the hub does not take (G.726, ADPCM, AAC…). */
export function g711LawOf(payloadType: number): G711Law | undefined {
  if (payloadType === MediaPayloadType.g711a) return 'alaw';
  if (payloadType === MediaPayloadType.g711u) return 'mulaw';
  return undefined;
}

/** The samples of an audio frame's body, without a HiSilicon header where there is one. */
export function g711Samples(body: Buffer): Buffer {
  const hisilicon = body.length > 4 && body[0] === 0x00 && body[1] === 0x01 && body[3] === 0x00 && body[2]! * 2 === body.length - 4;
  return hisilicon ? body.subarray(4) : body;
}

/** One 16-bit PCM sample as A-law (ITU-T G.711 §A: 13-bit magnitude, segment + 4 mantissa bits, even bits inverted). */
export function alawOf(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3; // 13 bits
  let sign = 0x80;
  if (pcm < 0) {
    sign = 0x00;
    pcm = -pcm - 1;
  }
  let segment = 0;
  for (let limit = 0x1f; pcm > limit && segment < 7; limit = (limit << 1) | 1) segment++;
  const mantissa = segment === 0 ? pcm >> 1 : (pcm >> segment) & 0x0f;
  return (sign | (segment << 4) | mantissa) ^ 0x55;
}

/** A sine tone as A-law, 8 kHz: `ms` of it from sample `offset` (so that frames join without a click). */
export function alawTone(frequencyHz: number, ms: number, offset: number, amplitude = 8000): Buffer {
  const count = (8000 * ms) / 1000;
  const out = Buffer.alloc(count);
  for (let i = 0; i < count; i++) out[i] = alawOf(amplitude * Math.sin((2 * Math.PI * frequencyHz * (offset + i)) / 8000));
  return out;
}
