// One ffmpeg run of a recording (a "part"): RTP in over loopback UDP, described by an SDP
// file, HLS segments out. A recording has a new part each time its publisher returns (or
// ffmpeg stopped by itself), so a new SSRC, sequence and clock never confuse ffmpeg.
//
// H.264 is copied as it came (`-c:v copy` into MPEG-TS segments). VP8 cannot go into HLS
// as it is, so for the recording only it is re-encoded to H.264 (libx264, ultrafast, one
// thread); the live path (SFU → viewers) never transcodes. Recording VP8 as WebM would
// keep it untouched, but hls.js and most players could not play it, and a replay must.
//
// Frame timing is the publisher's: each frame's time is its RTP timestamp (90 kHz, RFC 7741
// §6.1, RFC 6184 §8.1), passed through as it is (`-fps_mode passthrough`). Left to guess a
// constant rate, ffmpeg took the RTP clock (90,000 fps) or a rate near the sent one, and
// duplicated frames to fill it: segments of 20 MB a second, or none for minutes on a busy host.
// Audio (Opus, RFC 7587) comes on a second port of the same SDP and is re-encoded to AAC in
// the same segments; both streams' first packets are from the same moment (the session sends
// the audio received since the video's keyframe), so their timestamps start together.
import dgram from 'node:dgram';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ffmpegPath, spawnTied } from '@hub/config/node';
import type { RecordedCodec } from './rtp';
import type { RecorderLog } from './types';

/** The system ffmpeg when on PATH (Debian's is newer), else the static one from npm. */
export const findFfmpeg = ffmpegPath;

export interface ClosedSegment {
  /** file name in the recording's folder */
  file: string;
  durationMs: number;
  /** start, from the part's first keyframe plus the durations before it */
  startedAt: Date;
}

/** The publisher's audio, when it sends some: Opus at 48 kHz (RFC 7587 §4.1), two channels in the SDP. */
export interface PartAudio {
  payloadType: number;
}

export interface PartOptions {
  ffmpegPath: string;
  /** the recording's folder */
  dir: string;
  part: number;
  codec: RecordedCodec;
  payloadType: number;
  /** the audio to record with the video; default none (video only) */
  audio?: PartAudio;
  segmentSeconds: number;
  /** called for each closed segment, in order; the part's `done` waits for these */
  onSegment: (segment: ClosedSegment) => Promise<void>;
  log: RecorderLog;
  /** how often ffmpeg's playlist is read for closed segments, ms; default 500 */
  pollMs?: number;
}

/** packets sent per turn of the event loop when a backlog (the cached keyframe's GOP) is fed */
const BURST = 16;

export class RecordingPart {
  readonly #opts: PartOptions;
  readonly #ffmpeg: ChildProcess;
  readonly #socket: dgram.Socket;
  readonly #port: number;
  readonly #playlist: string;
  /** packets waiting to be sent, each with the port it goes to (video, or audio) */
  #queue: [Buffer, number][] = [];
  #draining = false;
  #seen = 0;
  #elapsedMs = 0;
  #scanning: Promise<void> = Promise.resolve();
  #poll: NodeJS.Timeout;
  #exited = false;
  #stderr: string[] = [];
  #stopping = false;
  #last: Buffer | undefined;
  #anchor = Date.now();
  #firstAnchor = this.#anchor;
  #stopAt: number | undefined;
  /** resolves when ffmpeg has exited and every segment it wrote is indexed */
  readonly done: Promise<void>;

  private constructor(opts: PartOptions, ffmpeg: ChildProcess, socket: dgram.Socket, port: number, playlist: string) {
    this.#opts = opts;
    this.#ffmpeg = ffmpeg;
    this.#socket = socket;
    this.#port = port;
    this.#playlist = playlist;
    ffmpeg.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr.push(...chunk.split('\n').filter(Boolean));
      if (this.#stderr.length > 20) this.#stderr.splice(0, this.#stderr.length - 20);
    });
    this.#poll = setInterval(() => this.#scan(), opts.pollMs ?? 500);
    this.done = new Promise<void>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#exited) return;
        this.#exited = true;
        clearInterval(this.#poll);
        this.#socket.close();
        if (!this.#stopping || (code !== 0 && code !== 255)) {
          opts.log.warn({ part: opts.part, code, signal, stderr: this.#stderr.slice(-5) }, 'recording: ffmpeg ended by itself');
        }
        this.#scan();
        void this.#scanning.then(() => {
          const flushMs = this.#stopAt ? Date.now() - this.#stopAt : undefined;
          // movedMs: how much earlier the part's start proved to be than its first packets told
          opts.log.info({ part: opts.part, segments: this.#seen, flushMs, movedMs: this.#firstAnchor - this.#anchor }, 'recording: ffmpeg part ended');
          resolve();
        });
      };
      ffmpeg.once('exit', finish);
      ffmpeg.once('error', (err) => {
        opts.log.error({ err, part: opts.part }, 'recording: ffmpeg could not run');
        finish(null, null);
      });
    });
  }

  /** Spawns ffmpeg on a free even UDP port (RTCP takes the next one) and waits until it listens. */
  static async start(opts: PartOptions): Promise<RecordingPart> {
    // video RTP on port, its RTCP on port+1; audio on port+2 and +3 (RFC 3550 §11)
    const port = await freeRtpPorts(opts.audio ? 4 : 2);
    const base = `p${opts.part}`;
    const sdpPath = path.join(opts.dir, `${base}.sdp`);
    await writeFile(sdpPath, sdp(opts, port));
    const playlist = path.join(opts.dir, `${base}.m3u8`);
    const args = [
      ...['-hide_banner', '-nostats', '-loglevel', 'warning'],
      ...['-protocol_whitelist', 'file,udp,rtp', '-i', sdpPath],
      ...ffmpegOutputArgs(opts),
      // temp_file: a segment appears under its name (and in the playlist) only once complete
      ...['-hls_flags', 'temp_file', '-hls_segment_type', 'mpegts', '-hls_segment_filename', path.join(opts.dir, `${base}_%05d.ts`), playlist],
    ];
    const ffmpeg = spawnTied(opts.ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    ffmpeg.stdin?.on('error', () => {}); // ffmpeg gone: nothing to tell it
    const socket = dgram.createSocket('udp4');
    socket.on('error', (err) => opts.log.debug({ err }, 'recording: RTP socket error'));
    socket.on('message', () => {}); // ffmpeg's receiver reports: not needed
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const part = new RecordingPart(opts, ffmpeg, socket, port, playlist);
    await Promise.race([waitUdpBound(port), part.done]);
    return part;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Feeds one video RTP packet; a backlog is sent in bursts so ffmpeg's socket buffer keeps up. */
  send(packet: Buffer): void {
    this.#enqueue(packet, this.#port);
  }

  /** Feeds one audio RTP packet (ignored by a part without audio). */
  sendAudio(packet: Buffer): void {
    if (this.#opts.audio) this.#enqueue(packet, this.#port + 2);
  }

  #enqueue(packet: Buffer, port: number): void {
    if (this.#exited || this.#stopping) return;
    if (!this.#draining && this.#queue.length === 0) this.#write(packet, port);
    else this.#queue.push([packet, port]);
  }

  get payloadType(): number {
    return this.#opts.payloadType;
  }

  /** true when this part records audio too */
  get hasAudio(): boolean {
    return this.#opts.audio !== undefined;
  }

  /** ffmpeg's process id (for the logs, and for tests that make it hang) */
  get pid(): number | undefined {
    return this.#ffmpeg.pid;
  }

  /**
   * Sends `packets` (the cached GOP, from a keyframe) and `audio` (what was heard since that
   * keyframe) ahead of anything sent after; `anchor` (epoch ms) is when its keyframe was sent:
   * the time of the part's first segment.
   */
  sendBacklog(packets: Buffer[], anchor: number, audio: Buffer[] = []): void {
    this.#anchor = anchor;
    this.#firstAnchor = anchor;
    this.#queue.push(...packets.map((p): [Buffer, number] => [p, this.#port]));
    if (this.#opts.audio) this.#queue.push(...audio.map((p): [Buffer, number] => [p, this.#port + 2]));
    if (this.#draining) return;
    this.#draining = true;
    const drain = () => {
      if (this.#exited || this.#stopping) return;
      for (const [p, port] of this.#queue.splice(0, BURST)) this.#write(p, port);
      if (this.#queue.length > 0) setTimeout(drain, 1);
      else this.#draining = false;
    };
    drain();
  }

  /**
   * A better (earlier) estimate of when the first keyframe was sent, from a later packet.
   * Fixed once the first segment is indexed, so that segment times never move.
   */
  anchor(time: number): void {
    if (this.#seen === 0 && time < this.#anchor) this.#anchor = time;
  }

  #write(packet: Buffer, port: number): void {
    if (port === this.#port) this.#last = packet;
    this.#socket.send(packet, port, '127.0.0.1');
  }

  /**
   * Ends the part cleanly: ffmpeg closes the last segment and ends its playlist. Resolves with `done`.
   * One SIGINT makes ffmpeg finish after the packet it is waiting for, so a packet follows it:
   * a second signal would also abort its writes and cut the last segment short.
   */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.#exited && !this.#stopping) {
      this.#stopping = true;
      this.#stopAt = Date.now();
      this.#ffmpeg.kill('SIGINT');
      const nudge = setInterval(() => this.#nudge(), 500);
      setTimeout(() => this.#nudge(), 50);
      const kill = setTimeout(() => {
        this.#opts.log.warn({ part: this.#opts.part }, 'recording: ffmpeg did not finish in time; killed');
        this.#ffmpeg.kill('SIGKILL');
      }, timeoutMs);
      await this.done;
      clearInterval(nudge);
      clearTimeout(kill);
    }
    return this.done;
  }

  /**
   * A packet after the last one (same SSRC, next sequence number, a later timestamp) whose
   * payload carries no picture: an H.264 access unit delimiter (RFC 6184, NAL type 9), or a
   * VP8 descriptor with an empty inter frame. It completes ffmpeg's read of the real last frame.
   */
  #nudge(): void {
    if (this.#exited || !this.#last || this.#last.length < 12) return;
    const last = this.#last;
    const header = Buffer.from(last.subarray(0, 12));
    header[0] = 0x80; // version 2, no padding, extension or CSRCs
    header[1] = 0x80 | (last[1]! & 0x7f); // marker
    header.writeUInt16BE((last.readUInt16BE(2) + 1) & 0xffff, 2);
    header.writeUInt32BE((last.readUInt32BE(4) + 1) >>> 0, 4);
    const payload = this.#opts.codec === 'h264' ? Buffer.from([0x09, 0xf0]) : Buffer.from([0x10, 0x01, 0x00, 0x00]);
    const packet = Buffer.concat([header, payload]);
    this.#last = packet;
    this.#socket.send(packet, this.#port, '127.0.0.1');
  }

  /** Reads ffmpeg's playlist and hands on the segments closed since the last read, in order. */
  #scan(): void {
    this.#scanning = this.#scanning.then(async () => {
      let text: string;
      try {
        text = await readFile(this.#playlist, 'utf8');
      } catch {
        return; // not written yet
      }
      const entries = parsePlaylist(text);
      for (const entry of entries.slice(this.#seen)) {
        this.#seen++;
        const startedAt = new Date(this.#anchor + this.#elapsedMs);
        this.#elapsedMs += entry.durationMs;
        try {
          await this.#opts.onSegment({ file: entry.uri, durationMs: entry.durationMs, startedAt });
        } catch (err) {
          this.#opts.log.error({ err, file: entry.uri }, 'recording: a segment could not be indexed');
        }
      }
    });
  }
}

/** The session description ffmpeg reads: video first (stream 0), then the audio when there is some. */
function sdp({ codec, payloadType: pt, audio }: PartOptions, port: number): string {
  const rtpmap = codec === 'h264' ? [`a=rtpmap:${pt} H264/90000`, `a=fmtp:${pt} packetization-mode=1`] : [`a=rtpmap:${pt} VP8/90000`];
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=recording', 'c=IN IP4 127.0.0.1', 't=0 0', `m=video ${port} RTP/AVP ${pt}`, ...rtpmap, 'a=recvonly'];
  // RFC 7587 §7: Opus is always opus/48000/2 in SDP, whatever the channels sent
  if (audio) lines.push(`m=audio ${port + 2} RTP/AVP ${audio.payloadType}`, `a=rtpmap:${audio.payloadType} opus/48000/2`, 'a=recvonly');
  return [...lines, ''].join('\n');
}

/** What ffmpeg writes: H.264 video with the publisher's frame timing, AAC audio beside it, HLS segments. */
export function ffmpegOutputArgs(opts: Pick<PartOptions, 'codec' | 'segmentSeconds' | 'audio'>): string[] {
  const seconds = String(opts.segmentSeconds);
  const video =
    opts.codec === 'h264'
      ? ['-c:v', 'copy']
      : [
          ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-threads', '1'],
          // every frame at its RTP time, none duplicated or dropped to fit a guessed constant rate
          ...['-fps_mode', 'passthrough'],
          // a keyframe at each segment boundary, so that the HLS muxer can cut there (it cuts only at keyframes)
          ...['-force_key_frames', `expr:gte(t,n_forced*${seconds})`],
        ];
  const audio = opts.audio
    ? [
        ...['-map', '0:a:0', '-c:a', 'aac', '-b:a', '64k'],
        // packets lost or left out (DTX) become silence, so the sound stays on its timestamps;
        // first_pts=0: sound that starts a moment after the picture is padded, not moved
        ...['-af', 'aresample=async=1000:first_pts=0'],
        // a microphone that falls silent holds the video back at most a second, not the muxer's 10 s
        ...['-max_interleave_delta', '1000000'],
      ]
    : [];
  return ['-map', '0:v:0', ...video, ...audio, ...['-f', 'hls', '-hls_time', seconds, '-hls_list_size', '0', '-hls_playlist_type', 'event']];
}

export interface PlaylistEntry {
  uri: string;
  durationMs: number;
}

/** The media segments of an HLS playlist (RFC 8216 §4.3.2.1), in order. */
export function parsePlaylist(text: string): PlaylistEntry[] {
  const entries: PlaylistEntry[] = [];
  let duration: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const inf = /^#EXTINF:([\d.]+)/.exec(line);
    if (inf) duration = Number(inf[1]);
    else if (line && !line.startsWith('#') && duration !== undefined) {
      entries.push({ uri: line, durationMs: Math.round(duration * 1000) });
      duration = undefined;
    }
  }
  return entries;
}

async function bindUdp(port: number): Promise<dgram.Socket | undefined> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/** An even port whose next `count - 1` ports are free too (ffmpeg takes RTP on even ports, RTCP on the odd ones). */
async function freeRtpPorts(count: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const a = await bindUdp(0);
    if (!a) continue;
    const p = a.address().port;
    a.close();
    if (p % 2 !== 0 || p + count > 65536) continue;
    const sockets = await Promise.all(Array.from({ length: count }, (_, k) => bindUdp(p + k)));
    for (const s of sockets) s?.close();
    if (sockets.every(Boolean)) return p;
  }
  throw new Error('no free UDP ports for the recording');
}

/** Resolves once a UDP socket is bound to `port` (Linux: /proc/net/udp); else after a short wait. */
async function waitUdpBound(port: number, timeoutMs = 5000): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const table = await readFile('/proc/net/udp', 'utf8');
      if (table.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex))) return;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
