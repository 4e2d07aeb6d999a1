// The agent's encoder that answers keyframe requests. ffmpeg cannot be told at run time to
// make the next frame a keyframe (5.1's -force_key_frames takes times or an expression fixed
// at start), and starting an ffmpeg costs about half a second on a busy unit. So one ffmpeg
// captures raw frames (test pattern or V4L2, the device opened once), and the agent feeds them
// to an encoder ffmpeg while a second one waits, started and warmed with one frame, on its
// stdin. A keyframe request (RTCP PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1) hands the next
// frame to the waiting encoder, which makes it a keyframe, ends the old one and starts a new
// spare. The RTP
// of each encoder is renumbered here (sequence numbers and timestamps carry on) so the SFU sees
// one continuous stream (RFC 3550 §5.1).
import dgram from 'node:dgram';
import type { ChildProcess } from 'node:child_process';
import { spawnFfmpeg } from './ffmpeg-path';
import { ffmpegCaptureArgs, ffmpegEncoderArgs, pictureSize, type PublisherSource, type SourceEncoding } from './source';

export interface LiveEncoderOptions extends SourceEncoding {
  source: Extract<PublisherSource, { kind: 'testsrc' | 'v4l2' }>;
  /** each RTP packet, renumbered into one stream */
  onRtp(packet: Buffer): void;
  /** the source or the encoder stopped by itself, with why */
  onEnd(why: string): void;
  /** the least time between two keyframes made on request, ms; default 250 (requests in between are merged into one) */
  minKeyframeIntervalMs?: number;
}

interface Encoder {
  process: ChildProcess;
  ssrc: number;
  /** a spare has been given its warm-up frame (its output is dropped: not the active SSRC) */
  warmed: boolean;
}

/** Keeps ffmpeg's last words on stderr (device busy, RTSP 401, not H.264) and says why it stopped. */
export function exitReason(proc: ChildProcess, what: string): (code: number | null, signal: NodeJS.Signals | null) => string {
  let tail = '';
  proc.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-2000);
  });
  return (code, signal) => {
    const last = tail.trim().split('\n').at(-1);
    return `${what} stopped (ffmpeg ${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`;
  };
}

/** What the WHIP publisher drives: RTP comes out through the options' onRtp. */
export interface VideoPipeline {
  /** a viewer needs a keyframe (a no-op where the agent does not encode) */
  requestKeyframe(): void;
  close(): void;
}

export class LiveEncoder implements VideoPipeline {
  readonly #opts: LiveEncoderOptions;
  readonly #socket = dgram.createSocket('udp4');
  readonly #frameBytes: number;
  readonly #ticksPerFrame: number;
  #capture: ChildProcess | undefined;
  #active: Encoder | undefined;
  #spare: Encoder | undefined;
  /** the SSRC whose packets are forwarded now (the old encoder's until the new one's first packet) */
  #forwarding = 0;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq = -1;
  #lastTs = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #lastSwitch = 0;
  #deferred: NodeJS.Timeout | undefined;
  #closed = false;
  /** keyframe requests received, encoders that took over for them (each began with a keyframe), frames dropped by a slow encoder */
  readonly counters = { keyframeRequests: 0, keyframesOnRequest: 0, framesDropped: 0 };
  /** called just before the first packet of an encoder that took over on request goes out (it starts its first frame, a keyframe) */
  onTakeover: (() => void) | undefined;

  private constructor(opts: LiveEncoderOptions) {
    this.#opts = opts;
    const { width, height } = pictureSize(opts.size);
    this.#frameBytes = (width * height * 3) / 2;
    this.#ticksPerFrame = Math.round(90_000 / (opts.fps ?? 15)); // RFC 7741 §4.1, RFC 6184 §5.1: 90 kHz
  }

  static async start(opts: LiveEncoderOptions): Promise<LiveEncoder> {
    const enc = new LiveEncoder(opts);
    enc.#socket.on('message', (buf) => enc.#onRtp(buf));
    await new Promise<void>((r) => enc.#socket.bind(0, '127.0.0.1', () => r()));
    enc.#active = enc.#spawnEncoder(false);
    enc.#forwarding = enc.#active.ssrc;
    enc.#spare = enc.#spawnEncoder(true);
    const capture = spawnFfmpeg(ffmpegCaptureArgs(opts.source, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
    enc.#capture = capture;
    const why = exitReason(capture, 'the video source');
    capture.stdout!.on('data', (chunk: Buffer) => enc.#onRaw(chunk));
    capture.once('exit', (code, signal) => enc.#ended(why(code, signal)));
    return enc;
  }

  /** A viewer needs a keyframe: the next frame goes to the spare encoder (at most one per minKeyframeIntervalMs). */
  requestKeyframe(): void {
    this.counters.keyframeRequests++;
    if (this.#closed || this.#deferred) return;
    const wait = this.#lastSwitch + (this.#opts.minKeyframeIntervalMs ?? 250) - Date.now();
    if (wait > 0) {
      this.#deferred = setTimeout(() => {
        this.#deferred = undefined;
        this.#switchEncoder();
      }, wait);
      return;
    }
    this.#switchEncoder();
  }

  #switchEncoder(): void {
    if (this.#closed || !this.#spare) return;
    const old = this.#active;
    this.#active = this.#spare;
    this.#spare = this.#spawnEncoder(true);
    this.#lastSwitch = Date.now();
    // the old encoder finishes the frames it has and exits at the end of its input
    if (old) {
      old.process.stdin?.end();
      setTimeout(() => old.process.kill('SIGKILL'), 2000).unref();
    }
  }

  #spawnEncoder(spare: boolean): Encoder {
    const ssrc = 1 + Math.floor(Math.random() * 0x7ffffffe); // ffmpeg's -ssrc is a signed int
    const process = spawnFfmpeg(ffmpegEncoderArgs(this.#opts, `rtp://127.0.0.1:${this.#socket.address().port}`, ssrc, spare), { stdio: ['pipe', 'ignore', 'pipe'] });
    const why = exitReason(process, 'the video encoder');
    process.stdin!.on('error', () => {}); // EPIPE when it dies: its exit says why
    process.once('exit', (code, signal) => {
      if (this.#active?.process === process || this.#spare?.process === process) this.#ended(why(code, signal));
    });
    return { process, ssrc, warmed: !spare };
  }

  /** Cuts the capture's byte stream into whole frames for the active encoder. */
  #onRaw(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    while (this.#pendingBytes >= this.#frameBytes) {
      const all = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
      const frame = all.subarray(0, this.#frameBytes);
      const rest = all.subarray(this.#frameBytes);
      this.#pending = rest.length ? [rest] : [];
      this.#pendingBytes = rest.length;
      // libvpx/x264 set up on the warm-up frame, not when a viewer waits for the keyframe
      if (this.#spare && !this.#spare.warmed) {
        this.#spare.warmed = true;
        this.#spare.process.stdin?.write(frame);
      }
      const stdin = this.#active?.process.stdin;
      // an encoder two frames behind drops frames rather than letting latency grow
      if (!stdin || stdin.writableLength > 2 * this.#frameBytes) this.counters.framesDropped++;
      else stdin.write(frame);
    }
  }

  /** Renumbers an encoder's RTP into the one stream: the new encoder's packets follow the last forwarded one. */
  #onRtp(buf: Buffer): void {
    if (buf.length < 12) return;
    const ssrc = buf.readUInt32BE(8);
    if (ssrc !== this.#forwarding) {
      if (ssrc !== this.#active?.ssrc) return; // the old encoder's last frames, after the new one began
      this.#forwarding = ssrc;
      if (this.#lastSeq >= 0) {
        this.#seqOffset = (this.#lastSeq + 1 - buf.readUInt16BE(2)) & 0xffff;
        this.#tsOffset = (this.#lastTs + this.#ticksPerFrame - buf.readUInt32BE(4)) >>> 0;
        this.counters.keyframesOnRequest++;
        this.onTakeover?.();
      }
    }
    const seq = (buf.readUInt16BE(2) + this.#seqOffset) & 0xffff;
    const ts = (buf.readUInt32BE(4) + this.#tsOffset) >>> 0;
    buf.writeUInt16BE(seq, 2);
    buf.writeUInt32BE(ts, 4);
    this.#lastSeq = seq;
    this.#lastTs = ts;
    this.#opts.onRtp(buf);
  }

  #ended(why: string): void {
    if (this.#closed) return;
    this.close();
    this.#opts.onEnd(why);
  }

  /** Stops the capture and the encoders. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#deferred);
    for (const p of [this.#capture, this.#active?.process, this.#spare?.process]) p?.kill('SIGKILL');
    this.#socket.close();
  }
}
