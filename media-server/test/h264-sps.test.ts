// The picture size in an H.264 SPS (ITU-T H.264 §7.3.2.1.1), on SPS NAL units x264 wrote
// (ffmpeg -c:v libx264 at each size and profile, the SPS cut from its Annex B output).
import { describe, expect, it } from 'vitest';
import { h264SpsFromRtp, h264SpsPictureSize } from '../src/engine/rtp/h264-sps';
import { keyFrameSize } from '../src/engine/rtp/keyframe';

const X264: [string, number, number, number][] = [
  ['6742c00bd90141fb0110000003001000000300a0f142a480', 320, 240, 66], // baseline
  ['674d4016eca05017fcb808800000030080000005078b16cb', 640, 360, 77], // main, cropped from 368
  ['6764001facd9405005bb0110000003001000000300a0f1831960', 1280, 720, 100], // high
  ['67640028acd940780227e5c044000003000400000300283c60c658', 1920, 1080, 100], // high, cropped from 1088
  ['67640016acd940d43db0110000030001000003000a0f162d96', 848, 480, 100], // high, x264 cqm=jvt
  ['67f4000a919b28589d80880000030008000003005078912cb0', 176, 144, 244], // high 4:4:4 (chroma_format_idc 3)
];

describe('H.264 SPS picture size', () => {
  it('reads width, height and profile from x264’s SPS at each size and profile', () => {
    for (const [hex, width, height, profile] of X264) expect(h264SpsPictureSize(Buffer.from(hex, 'hex'))).toEqual({ width, height, profile });
  });

  it('finds the SPS alone or in a STAP-A (RFC 6184 §5.7.1), and gives the size of the keyframe packet', () => {
    const sps = Buffer.from(X264[3]![0], 'hex');
    const pps = Buffer.from('68ebe3cb22c0', 'hex');
    const stapA = Buffer.concat([Buffer.from([0x18]), Buffer.from([0, sps.length]), sps, Buffer.from([0, pps.length]), pps]);
    expect(h264SpsFromRtp(stapA)).toEqual(sps);
    expect(h264SpsFromRtp(sps)).toEqual(sps);
    expect(h264SpsFromRtp(pps)).toBeUndefined();
    expect(keyFrameSize('video/H264', stapA)).toEqual({ width: 1920, height: 1080 });
    expect(keyFrameSize('video/h264', pps)).toBeUndefined();
  });

  it('gives no size for an SPS cut short or of garbage, and does not throw', () => {
    const sps = Buffer.from(X264[2]![0], 'hex');
    expect(h264SpsPictureSize(sps.subarray(0, 6))).toBeUndefined();
    expect(h264SpsPictureSize(Buffer.from([0x67]))).toBeUndefined();
    expect(h264SpsPictureSize(Buffer.from('6700000000000000', 'hex'))).toBeUndefined();
  });
});
