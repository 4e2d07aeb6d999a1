// The agent's video sources as ffmpeg arguments: the test pattern (with the unit id and a
// clock drawn on it), a V4L2 camera (encoded to VP8 or H.264), and an RTSP camera whose H.264
// is passed through as it is (`-c:v copy`: the unit never transcodes a camera's stream).
// ffmpeg writes RTP to a loopback UDP port; the WHIP publisher's track carries it.
import { accessSync, constants } from 'node:fs';
import type { VideoSourceSpec } from '@hub/config';

export type VideoCodec = 'vp8' | 'h264';

/**
 * What the publisher can send: a `--video` source, or a recorded clip replayed in a loop as it
 * is (`-c:v copy`; VP8 in WebM or H.264 in MP4/MKV), e.g. for benchmarks and demos.
 */
export type PublisherSource = VideoSourceSpec | { kind: 'file'; path: string };

export interface SourceEncoding {
  /** codec sent; an RTSP source is always h264 */
  codec: VideoCodec;
  /** encoder target, kbit/s; default 800 */
  bitrateKbps?: number;
  /** WxH; default 640x480 */
  size?: string;
  /** default 15 */
  fps?: number;
  /** drawn on the test pattern with the clock */
  label?: string;
  /** frames between the encoder's own keyframes; default fps (one a second) */
  gopFrames?: number;
}

/** Fonts ffmpeg's drawtext can use without fontconfig (the static npm ffmpeg has none). */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
];

export function findFont(candidates = FONT_CANDIDATES): string | undefined {
  for (const f of candidates) {
    try {
      accessSync(f, constants.R_OK);
      return f;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Escapes text for a quoted drawtext value (ffmpeg-filters §"Notes on filtergraph escaping"). */
function drawtextEscape(text: string): string {
  return text.replace(/[\\':%]/g, (c) => `\\${c}`);
}

/** The drawtext filter with the unit's label and the local clock, or undefined without a font. */
export function overlayFilter(label: string, height = 480, font = findFont()): string | undefined {
  if (!font) return undefined;
  // %{localtime:%H:%M:%S}: the colons are escaped once for drawtext's expansion and once more
  // for the filter option parser
  const clock = '%{localtime\\:%H\\\\\\:%M\\\\\\:%S}';
  return `drawtext=fontfile=${font}:text='${drawtextEscape(label)} ${clock}':fontcolor=white:fontsize=${Math.max(12, Math.round(height / 16))}:box=1:boxcolor=black@0.6:boxborderw=6:x=10:y=10`;
}

/** The codec a source sends: RTSP is passed through, so H.264 whatever was asked. */
export function sourceCodec(spec: PublisherSource, asked: VideoCodec | undefined): VideoCodec {
  return spec.kind === 'rtsp' ? 'h264' : (asked ?? 'vp8');
}

function encoderArgs(enc: SourceEncoding): string[] {
  const kbps = enc.bitrateKbps ?? 800;
  const fps = enc.fps ?? 15;
  // a keyframe every second by default: a new viewer waits at most that long even when its
  // keyframe request cannot reach the encoder (a passed-through camera, a lost PLI)
  const gop = String(enc.gopFrames ?? fps);
  const rate = ['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`];
  return enc.codec === 'h264'
    ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', gop, ...rate, '-bsf:v', 'h264_mp4toannexb']
    : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', gop, ...rate];
}

/** ffmpeg's arguments from the source to RTP on `rtpUrl` (rtp://127.0.0.1:PORT). */
export function ffmpegSourceArgs(spec: PublisherSource, enc: SourceEncoding, rtpUrl: string): string[] {
  const size = enc.size ?? '640x480';
  const fps = enc.fps ?? 15;
  const head = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  const rtp = ['-payload_type', '96', '-f', 'rtp', '-pkt_size', '1200', rtpUrl];
  switch (spec.kind) {
    case 'testsrc': {
      const overlay = enc.label ? overlayFilter(enc.label, Number(size.split('x')[1]) || 480) : undefined;
      return [...head, '-re', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${fps}`, ...(overlay ? ['-vf', overlay] : []), ...encoderArgs(enc), ...rtp];
    }
    case 'v4l2':
      // a live device paces itself: no -re
      return [...head, '-f', 'v4l2', '-framerate', String(fps), '-video_size', size, '-i', spec.device, '-an', ...encoderArgs(enc), ...rtp];
    case 'rtsp':
      // TCP-interleaved RTSP survives NAT and lossy 4G better than UDP; SPS/PPS go in-band
      // before every keyframe (dump_extra), since a camera may send them only in its SDP
      return [...head, '-rtsp_transport', 'tcp', '-i', spec.url, '-map', '0:v:0', '-an', '-c:v', 'copy', '-bsf:v', 'dump_extra=freq=keyframe', ...rtp];
    case 'file':
      return [
        ...head,
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        spec.path,
        '-map',
        '0:v:0',
        '-an',
        '-c:v',
        'copy',
        ...(enc.codec === 'h264' ? ['-bsf:v', 'h264_mp4toannexb,dump_extra=freq=keyframe'] : []),
        ...rtp,
      ];
  }
}

/** The sources the agent encodes itself, whose keyframes it can make on request (./live-encoder.ts). */
export function isEncodedSource(spec: PublisherSource): spec is Extract<PublisherSource, { kind: 'testsrc' | 'v4l2' }> {
  return spec.kind === 'testsrc' || spec.kind === 'v4l2';
}

/** Width and height of a `WxH` size. */
export function pictureSize(size = '640x480'): { width: number; height: number } {
  const [w, h] = size.split('x').map(Number);
  return { width: w || 640, height: h || 480 };
}

/**
 * ffmpeg's arguments from an encoded source to raw yuv420p frames on stdout, at exactly the
 * asked size, for the live encoder to feed its encoders frame by frame.
 */
export function ffmpegCaptureArgs(spec: Extract<PublisherSource, { kind: 'testsrc' | 'v4l2' }>, enc: SourceEncoding): string[] {
  const size = enc.size ?? '640x480';
  const fps = enc.fps ?? 15;
  const head = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  const raw = ['-an', '-s', size, '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'];
  if (spec.kind === 'v4l2') return [...head, '-f', 'v4l2', '-framerate', String(fps), '-video_size', size, '-i', spec.device, ...raw];
  const overlay = enc.label ? overlayFilter(enc.label, pictureSize(size).height) : undefined;
  return [...head, '-re', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${fps}`, ...(overlay ? ['-vf', overlay] : []), ...raw];
}

/**
 * ffmpeg's arguments from raw yuv420p frames on stdin to RTP on `rtpUrl`, with the given SSRC.
 * A spare encoder is warmed with one frame (its encoder set up, its output dropped), so its
 * second frame, the first a viewer gets, is forced to be a keyframe too.
 */
export function ffmpegEncoderArgs(enc: SourceEncoding, rtpUrl: string, ssrc: number, spare = false): string[] {
  const head = ['-hide_banner', '-loglevel', 'error'];
  const input = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', enc.size ?? '640x480', '-framerate', String(enc.fps ?? 15), '-i', 'pipe:0'];
  const warm = spare ? ['-force_key_frames', 'expr:lte(n,1)'] : [];
  return [...head, ...input, ...encoderArgs(enc), ...warm, '-ssrc', String(ssrc), '-payload_type', '96', '-f', 'rtp', '-pkt_size', '1200', rtpUrl];
}
