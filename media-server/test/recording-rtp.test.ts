// The recorder's RTP reading and playlists: keyframe starts found in the RTP that ffmpeg
// itself sends (H.264 per RFC 6184, VP8 per RFC 7741), and the HLS playlist it serves.
import dgram from 'node:dgram';
import { lavfiInput, spawnFfmpeg } from '@hub/config/node';
import { describe, expect, it } from 'vitest';
import { buildPlaylist, parsePlaylist } from '../src/recording/index';
import { isKeyFrameStart, parseRtpHeader, type RecordedCodec } from '../src/recording/rtp';

/** `frames` frames of ffmpeg's test pattern with a keyframe every `gop`, as RTP packets. */
async function rtpFromFfmpeg(codec: RecordedCodec, frames: number, gop: number): Promise<Buffer[]> {
  const socket = dgram.createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (m) => packets.push(m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const encoder =
    codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bsf:v', 'h264_mp4toannexb']
      : ['-c:v', 'libvpx', '-deadline', 'realtime', '-g', String(gop), '-keyint_min', String(gop), '-auto-alt-ref', '0'];
  const ffmpeg = spawnFfmpeg(
    [
      ...lavfiInput('testsrc=size=320x240:rate=20', { realtime: false }),
      '-frames:v',
      String(frames),
      ...encoder,
      '-payload_type',
      '96',
      '-f',
      'rtp',
      '-pkt_size',
      '1200',
      `rtp://127.0.0.1:${socket.address().port}`,
    ],
    { stdio: 'ignore' },
  );
  const code = await new Promise<number | null>((r) => ffmpeg.once('exit', r));
  await new Promise((r) => setTimeout(r, 200)); // the last datagrams
  socket.close();
  expect(code).toBe(0);
  return packets;
}

describe('recording RTP', () => {
  for (const codec of ['h264', 'vp8'] as const) {
    it(`finds one keyframe start per GOP in ffmpeg's ${codec} RTP`, async () => {
      const packets = await rtpFromFfmpeg(codec, 30, 10);
      const headers = packets.map((p) => parseRtpHeader(p)!);
      expect(headers.every((h) => h?.payloadType === 96)).toBe(true);
      // a keyframe's first packet, once per frame (a frame shares one timestamp)
      const starts = new Set(headers.filter((h, i) => isKeyFrameStart(codec, packets[i]!, h)).map((h) => h.timestamp));
      const frames = [...new Set(headers.map((h) => h.timestamp))];
      expect(frames).toHaveLength(30);
      expect([...starts]).toEqual([frames[0], frames[10], frames[20]]);
    }, 30_000);
  }

  it('refuses what is not RTP version 2', () => {
    expect(parseRtpHeader(Buffer.alloc(8))).toBeUndefined();
    expect(parseRtpHeader(Buffer.from([0x00, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x65]))).toBeUndefined();
  });
});

describe('recording playlist', () => {
  const seg = (seq: number, part: number, at: string, durationMs: number) => ({
    recordingId: 'r',
    seq,
    part,
    startedAt: new Date(at),
    durationMs,
    path: `r/${seq}.ts`,
    bytes: 1,
    sha256: '0'.repeat(64),
  });

  it('is VOD with an end once the recording ended, with a time per segment and a discontinuity between parts', () => {
    const text = buildPlaylist([seg(0, 1, '2026-11-28T08:00:00.000Z', 2000), seg(1, 1, '2026-11-28T08:00:02.000Z', 2400), seg(2, 2, '2026-11-28T08:00:30.000Z', 1000)], true);
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:3',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-28T08:00:00.000Z',
        '#EXTINF:2.000,',
        'segments/0.ts',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-28T08:00:02.000Z',
        '#EXTINF:2.400,',
        'segments/1.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-28T08:00:30.000Z',
        '#EXTINF:1.000,',
        'segments/2.ts',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    expect(parsePlaylist(text)).toEqual([
      { uri: 'segments/0.ts', durationMs: 2000 },
      { uri: 'segments/1.ts', durationMs: 2400 },
      { uri: 'segments/2.ts', durationMs: 1000 },
    ]);
  });

  it('keeps a one-frame segment that ffmpeg timed 0 s, with a duration a player accepts', () => {
    const text = buildPlaylist([seg(0, 1, '2026-11-28T08:00:00.000Z', 2000), seg(1, 1, '2026-11-28T08:00:02.000Z', 0)], true);
    expect(text).toContain('#EXTINF:0.001,\nsegments/1.ts');
    expect(text).not.toContain('#EXTINF:0.000');
  });

  it('is an open EVENT playlist while the recording runs', () => {
    const text = buildPlaylist([seg(0, 1, '2026-11-28T08:00:00.000Z', 2000)], false);
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });
});
