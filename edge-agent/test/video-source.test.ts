// The agent's video sources as ffmpeg arguments, the --video flags, and the test pattern's
// overlay run through the real ffmpeg. V4L2 cannot be run here (no camera device on this
// machine): its arguments are checked as built, not against a device.
import dgram from 'node:dgram';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { VideoSourceSpecSchema } from '@hub/config';
import { ffmpegSourceArgs, findFont, overlayFilter, sourceCodec } from '../src/video/source';
import { ffmpegPath } from '../src/video/ffmpeg-path';
import { parseAgentArgs } from '../src/cli';
import { waitFor } from './support/test-broker';

const RTP = 'rtp://127.0.0.1:5004';
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('--video specs', () => {
  it('parses testsrc, v4l2:DEVICE and rtsp:// URLs, and names what is wrong', () => {
    expect(VideoSourceSpecSchema.parse('testsrc')).toEqual({ kind: 'testsrc' });
    expect(VideoSourceSpecSchema.parse('v4l2:/dev/video2')).toEqual({ kind: 'v4l2', device: '/dev/video2' });
    expect(VideoSourceSpecSchema.parse('rtsp://admin:pw@10.0.0.9:554/Streaming/101')).toEqual({ kind: 'rtsp', url: 'rtsp://admin:pw@10.0.0.9:554/Streaming/101' });
    const why = (s: string) => VideoSourceSpecSchema.safeParse(s).error?.issues[0]?.message;
    expect(why('v4l2:video0')).toMatch(/v4l2 needs a device path/);
    expect(why('http://cam/stream')).toMatch(/unknown video source "http:\/\/cam\/stream"; video must be testsrc, v4l2/);
  });
});

describe('ffmpeg arguments', () => {
  it('V4L2: reads the device at the asked size and rate and encodes, paced by the device', () => {
    const args = ffmpegSourceArgs({ kind: 'v4l2', device: '/dev/video0' }, { codec: 'h264', size: '1280x720', fps: 25, bitrateKbps: 1500 }, RTP);
    expect(after(args, '-f')).toBe('v4l2');
    expect(after(args, '-video_size')).toBe('1280x720');
    expect(after(args, '-framerate')).toBe('25');
    expect(after(args, '-i')).toBe('/dev/video0');
    expect(args).not.toContain('-re');
    expect(after(args, '-c:v')).toBe('libx264');
    expect(after(args, '-profile:v')).toBe('baseline');
    expect(after(args, '-b:v')).toBe('1500k');
    expect(after(args, '-g')).toBe('25'); // a keyframe a second
    expect(args.slice(-5)).toEqual(['-f', 'rtp', '-pkt_size', '1200', RTP]);
    const vp8 = ffmpegSourceArgs({ kind: 'v4l2', device: '/dev/video1' }, { codec: 'vp8' }, RTP);
    expect(after(vp8, '-c:v')).toBe('libvpx');
    expect(after(vp8, '-deadline')).toBe('realtime');
  });

  it('RTSP: H.264 copied over TCP, SPS/PPS in-band, no encoder, whatever codec was asked', () => {
    const spec = { kind: 'rtsp', url: 'rtsp://cam.local/live' } as const;
    expect(sourceCodec(spec, 'vp8')).toBe('h264');
    const args = ffmpegSourceArgs(spec, { codec: 'h264', bitrateKbps: 300 }, RTP);
    expect(after(args, '-rtsp_transport')).toBe('tcp');
    expect(after(args, '-i')).toBe('rtsp://cam.local/live');
    expect(after(args, '-c:v')).toBe('copy');
    expect(after(args, '-bsf:v')).toBe('dump_extra=freq=keyframe');
    expect(args).not.toContain('libx264');
    expect(args).not.toContain('-b:v');
    expect(args).toContain('-an');
  });

  it('test pattern: paced, with the unit id and a clock drawn on it', () => {
    const args = ffmpegSourceArgs({ kind: 'testsrc' }, { codec: 'vp8', size: '320x240', fps: 10, label: 'car-7' }, RTP);
    expect(args).toContain('-re');
    expect(after(args, '-i')).toBe('testsrc=size=320x240:rate=10');
    if (findFont()) expect(after(args, '-vf')).toMatch(/^drawtext=fontfile=.*:text='car-7 %\{localtime/);
  });

  it.skipIf(!findFont())('the overlay runs in the real ffmpeg and changes the picture', () => {
    const frame = (vf?: string) =>
      spawnSync(
        ffmpegPath(),
        ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', ...(vf ? ['-vf', vf] : []), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
        { maxBuffer: 1 << 20 },
      );
    const plain = frame();
    const labelled = frame(overlayFilter('car-7', 240));
    expect(labelled.status, String(labelled.stderr)).toBe(0);
    expect(labelled.stdout.length).toBe(320 * 240);
    // the top-left corner, where the label and clock are, differs; the bottom rows do not
    expect(labelled.stdout.subarray(0, 320 * 40).equals(plain.stdout.subarray(0, 320 * 40))).toBe(false);
    expect(labelled.stdout.subarray(320 * 200).equals(plain.stdout.subarray(320 * 200))).toBe(true);
  });

  it('the test pattern arguments run in the real ffmpeg and produce RTP', async () => {
    const socket = dgram.createSocket('udp4');
    let packets = 0;
    socket.on('message', () => packets++);
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const args = ffmpegSourceArgs({ kind: 'testsrc' }, { codec: 'h264', size: '320x240', fps: 15, label: 'bodycam-2' }, `rtp://127.0.0.1:${socket.address().port}`);
    const ffmpeg = spawn(ffmpegPath(), args, { stdio: 'ignore' });
    try {
      await waitFor(() => packets > 10, 15_000, 'RTP from ffmpeg');
    } finally {
      ffmpeg.kill('SIGKILL');
      socket.close();
    }
  });
});

describe('agent --video flags', () => {
  const env = { UNIT_ID: 'car-7', UNIT_SECRET: 's' };
  it('enables video with --hub, with defaults, and takes the camera settings', () => {
    expect(parseAgentArgs([], env)).not.toHaveProperty('video');
    expect(parseAgentArgs(['--hub', 'http://hub:8080'], env)).toMatchObject({ video: { hubUrl: 'http://hub:8080', source: { kind: 'testsrc' }, bitrateKbps: 800, size: '640x480', fps: 15 } });
    expect(
      parseAgentArgs(['--video', 'v4l2:/dev/video0', '--video-codec', 'h264', '--video-bitrate', '1200', '--video-size', '1280x720', '--video-fps', '25'], { ...env, HUB_URL: 'https://hub.example' }),
    ).toMatchObject({ video: { source: { kind: 'v4l2', device: '/dev/video0' }, codec: 'h264', bitrateKbps: 1200, size: '1280x720', fps: 25 } });
    expect(parseAgentArgs(['--hub', 'http://hub', '--video', 'rtsp://cam/live'], env)).toMatchObject({ video: { source: { kind: 'rtsp', url: 'rtsp://cam/live' } } });
  });

  it('names the bad video flag', () => {
    expect(() => parseAgentArgs(['--video', 'testsrc'], env)).toThrow(/--video: needs --hub/);
    expect(() => parseAgentArgs(['--hub', 'http://h', '--video', 'usb'], env)).toThrow(/--video: unknown video source "usb"/);
    expect(() => parseAgentArgs(['--hub', 'http://h', '--video-size', 'big'], env)).toThrow(/--video-size: size must be WIDTHxHEIGHT/);
    expect(() => parseAgentArgs(['--hub', 'http://h', '--video-codec', 'av1'], env)).toThrow(/--video-codec/);
    expect(() => parseAgentArgs(['--hub', 'http://h', '--video', 'rtsp://cam/x', '--video-codec', 'vp8'], env)).toThrow(/passed through as H.264, without transcoding/);
  });
});
