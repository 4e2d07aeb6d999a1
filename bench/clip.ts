// The benches' video: a clip made once, replayed as it is by the publishers.
import path from 'node:path';

/**
 * The publishers' video: ffmpeg's test pattern with noise, encoded once to VP8 at the asked
 * bitrate (a keyframe a second) and replayed as it is. Encoding live in each publisher would
 * compete for the CPU being measured, and on this loaded 2-core machine libvpx did not keep
 * up with 15 frames/s (3.6 fps, 90 kbit/s in a probe).
 */
export async function makeClip(dir: string, kbps: number): Promise<string> {
  const clip = path.join(dir, 'clip.webm');
  const { spawnSync } = await import('node:child_process');
  const { ffmpegPath } = await import('@hub/edge-agent');
  const r = spawnSync(ffmpegPath(), [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x480:rate=15',
    '-vf',
    'noise=alls=10:allf=t',
    '-t',
    '12',
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    `${kbps}k`,
    '-minrate',
    `${kbps}k`,
    '-maxrate',
    `${kbps}k`,
    '-bufsize',
    `${kbps}k`,
    '-g',
    '15',
    '-an',
    clip,
  ]);
  if (r.status !== 0) throw new Error(`could not make the clip: ${r.stderr}`);
  return clip;
}
