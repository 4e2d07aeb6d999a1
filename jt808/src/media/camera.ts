// A terminal's camera for the simulator and the tests: answers 0x9101 by dialling the media port
// and sending an H.264 test pattern (ffmpeg testsrc → libx264 → Annex B) as JT/T 1078 packets
// (Table 19), each frame cut into sub-packages of at most 950 bytes, timestamps in ms; 0x9102
// stops it; when 0x9101 asks for sound too, a tone in G.711 A-law beside it. Baseline profile at a short GOP, so that a viewer who joins waits little for an I
// frame (a terminal cannot be asked for one: JT/T 1078 has no keyframe request).
import { existsSync } from 'node:fs';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { lavfiInput, spawnFfmpeg } from '@hub/config/node';
import { AnnexBReader } from './annexb-reader';
import { packetsOfFrame } from './frames';
import { encodeMediaPacket, MediaDataType, MediaPayloadType } from './packet';
import { nalTypes } from './rtp-h264';
import { alawTone } from './g711';

/** a font for drawtext without fontconfig, if the machine has it */
const FONT = ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'].find((f) => existsSync(f));

export interface TerminalCameraOptions {
  host: string;
  port: number;
  /** the terminal's phone number (the packets' SIM: its last 12 digits) */
  sim: string;
  channel: number;
  /** default 320x240 */
  size?: string;
  /** default 15 */
  fps?: number;
  /** drawn on the picture; default "CH{channel}" */
  label?: string;
  /** also send sound, as 0x9101 data type 0 asks: a tone in G.711 A-law (payload type 6) with a HiSilicon header, 40 ms a frame; default false */
  audio?: boolean;
  /** the tone's pitch, Hz; default 440 */
  toneHz?: number;
}

/** a terminal's usual audio frame: 40 ms of 8 kHz G.711, 320 bytes */
const AUDIO_FRAME_MS = 40;

export class TerminalCamera {
  readonly #socket: net.Socket;
  #ffmpeg: ChildProcess | undefined;
  #audioTimer: NodeJS.Timeout | undefined;
  #serial = 0;
  /** frames sent */
  frames = 0;
  readonly closed: Promise<void>;

  private constructor(
    socket: net.Socket,
    readonly opts: TerminalCameraOptions,
  ) {
    this.#socket = socket;
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    // the platform hung up (0x9102, a refusal): the camera stops
    socket.once('close', () => {
      this.#ffmpeg?.kill('SIGKILL');
      clearInterval(this.#audioTimer);
    });
  }

  static async start(opts: TerminalCameraOptions): Promise<TerminalCamera> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: opts.host, port: opts.port }, () => (s.off('error', reject), resolve(s)));
      s.once('error', reject);
    });
    const camera = new TerminalCamera(socket, opts);
    camera.#run();
    if (opts.audio) camera.#sound();
    return camera;
  }

  #run(): void {
    const { size = '320x240', fps = 15, channel, label = `CH${channel}` } = this.opts;
    const args = [
      ...lavfiInput(`testsrc=size=${size}:rate=${fps}`),
      '-vf',
      // the channel drawn big where a font is (the screenshots tell the cameras apart); 4:2:0 for the baseline profile
      [FONT && `drawtext=fontfile=${FONT}:text='${label}':fontcolor=white:fontsize=32:box=1:boxcolor=black@0.6:x=10:y=(h-th)/2`, 'format=yuv420p'].filter(Boolean).join(','),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'baseline',
      '-g',
      String(fps),
      '-bsf:v',
      'h264_mp4toannexb',
      '-f',
      'h264',
      '-',
    ];
    const ffmpeg = spawnFfmpeg(args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.#ffmpeg = ffmpeg;
    const reader = new AnnexBReader();
    ffmpeg.stdout!.on('data', (chunk: Buffer) => {
      for (const unit of reader.push(chunk)) this.#send(unit);
    });
    ffmpeg.once('exit', () => this.#socket.end());
  }

  #send(accessUnit: Buffer): void {
    if (this.#socket.destroyed) return;
    const dataType = nalTypes(accessUnit).includes(5) ? MediaDataType.iFrame : MediaDataType.pFrame;
    const frame = { sim: this.opts.sim, channel: this.opts.channel, dataType, payloadType: MediaPayloadType.h264, timestamp: BigInt(Date.now()), data: accessUnit };
    for (const packet of packetsOfFrame(frame, () => this.#serial++ & 0xffff)) this.#socket.write(encodeMediaPacket(packet));
    this.frames++;
  }

  /** audio frames sent */
  audioFrames = 0;

  /** A tone, one A-law frame every 40 ms, as a terminal's microphone sends it (HiSilicon framing included). */
  #sound(): void {
    const { toneHz = 440, sim, channel } = this.opts;
    let offset = 0;
    this.#audioTimer = setInterval(() => {
      if (this.#socket.destroyed) return;
      const samples = alawTone(toneHz, AUDIO_FRAME_MS, offset);
      offset += samples.length;
      const hisilicon = Buffer.of(0x00, 0x01, samples.length / 2, 0x00);
      const frame = { sim, channel, dataType: MediaDataType.audio, payloadType: MediaPayloadType.g711a, timestamp: BigInt(Date.now()), data: Buffer.concat([hisilicon, samples]) };
      for (const packet of packetsOfFrame(frame, () => this.#serial++ & 0xffff)) this.#socket.write(encodeMediaPacket(packet));
      this.audioFrames++;
    }, AUDIO_FRAME_MS);
  }

  /** Raw bytes on the media connection (a test's garbage between packets). */
  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Stops the picture and hangs up; safe twice. */
  async stop(): Promise<void> {
    this.#ffmpeg?.kill('SIGKILL');
    clearInterval(this.#audioTimer);
    this.#socket.end();
    await this.closed;
  }
}
