// A terminal's sound for the wall: JT/T 1078 audio is G.711 at 8 kHz, which WebRTC browsers take
// (PCMA/PCMU) but the SFU's engines do not negotiate (they carry Opus, as the body cams send).
// So it is transcoded, once per stream, by an ffmpeg reading the raw G.711 samples on stdin and
// sending Opus RTP (48 kHz, 20 ms frames, speech mode) to a loopback socket; each packet goes
// on the publisher peer's audio track. Started at the stream's first audio frame: a terminal
// without a microphone costs no process. Not lip-synced with the picture: the picture keeps the
// terminal's timestamps, the sound gets ffmpeg's (README).
import dgram from 'node:dgram';
import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { spawnFfmpeg } from '@hub/config/node';
import type { G711Law } from '@hub/jt808';

/** samples held while ffmpeg starts (8 kHz: 2 s) */
const MAX_PENDING_BYTES = 16_000;

export class OpusFromG711 {
  #ffmpeg: ChildProcess | undefined;
  #socket: dgram.Socket | undefined;
  #pending: Buffer[] | undefined = [];
  #pendingBytes = 0;
  #closed = false;
  /** Opus packets handed on */
  packets = 0;

  constructor(
    private readonly law: G711Law,
    private readonly onRtp: (packet: Buffer) => void,
    private readonly log: Logger,
  ) {
    void this.#start().catch((err: unknown) => {
      this.log.warn({ err }, 'JT/T 1078 sound could not be transcoded to Opus; the picture goes on without it');
      this.close();
    });
  }

  async #start(): Promise<void> {
    const socket = dgram.createSocket('udp4');
    this.#socket = socket;
    socket.on('message', (packet) => {
      this.packets++;
      this.onRtp(packet);
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    if (this.#closed) return void socket.close();
    const args = [
      ...['-hide_banner', '-loglevel', 'error'],
      // read as the samples come: no probing, no input buffering
      ...['-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0'],
      ...['-f', this.law, '-ar', '8000', '-ac', '1', '-i', 'pipe:0'],
      ...['-c:a', 'libopus', '-application', 'voip', '-b:a', '24k', '-frame_duration', '20', '-ar', '48000'],
      ...['-f', 'rtp', `rtp://127.0.0.1:${(socket.address() as { port: number }).port}`],
    ];
    const ffmpeg = spawnFfmpeg(args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#ffmpeg = ffmpeg;
    let stderr = '';
    ffmpeg.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-1000)));
    ffmpeg.stdin!.on('error', () => {}); // EPIPE once it exits: said below
    ffmpeg.once('exit', (code, signal) => {
      if (!this.#closed) this.log.warn({ code, signal, stderr: stderr.trim() }, 'JT/T 1078 sound transcoder stopped; the picture goes on without sound');
    });
    for (const samples of this.#pending ?? []) ffmpeg.stdin!.write(samples);
    this.#pending = undefined;
  }

  /** G.711 samples as they arrive. */
  write(samples: Buffer): void {
    if (this.#closed) return;
    if (this.#pending) {
      if (this.#pendingBytes + samples.length > MAX_PENDING_BYTES) return; // ffmpeg slow to start: the oldest sound is kept, the rest dropped
      this.#pending.push(samples);
      this.#pendingBytes += samples.length;
      return;
    }
    this.#ffmpeg?.stdin?.write(samples);
  }

  /** Stops ffmpeg and the socket; safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ffmpeg?.kill('SIGKILL');
    try {
      this.#socket?.close();
    } catch {
      /* closed already, by #start */
    }
  }
}
