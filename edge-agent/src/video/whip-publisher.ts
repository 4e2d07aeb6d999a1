// Publishes a video source to the hub over WHIP (RFC 9725): a werift peer connection
// whose track carries RTP from ffmpeg. Sources (./source.ts): ffmpeg's test pattern with the
// unit id and a clock, a V4L2 camera, or an RTSP camera's H.264 passed through.
import dgram from 'node:dgram';
import type { ChildProcess } from 'node:child_process';
import { MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, useH264, useVP8 } from 'werift';
import '@hub/werift-patches'; // werift's fixes: consent answers delayed by a stall (a busy vehicle gateway), duplicate HelloVerifyRequests
import { spawnFfmpeg } from './ffmpeg-path';
import { ffmpegSourceArgs, sourceCodec, type PublisherSource, type VideoCodec } from './source';

export type { VideoCodec };

export interface WhipPublisherOptions {
  /** e.g. http://hub:8080/whip/cam-1 */
  whipUrl: string;
  /** bearer token: `{unitId}:{secret}` for a unit, or an operator token */
  token: string;
  /** default the test pattern */
  source?: PublisherSource;
  /** default vp8; an RTSP source is H.264 as the camera sends it */
  codec?: VideoCodec;
  /** picture size and rate (test pattern, V4L2); default 640x480 at 15 fps */
  size?: string;
  fps?: number;
  /** encoder target, kbit/s (test pattern, V4L2); default 800 */
  bitrateKbps?: number;
  /** drawn on the test pattern with the clock, e.g. the unit id */
  label?: string;
  /** extra ICE host candidates, e.g. 127.0.0.1 */
  additionalHostAddresses?: string[];
}

export class WhipError extends Error {
  readonly code = 'HUB_ERR_WHIP';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class WhipPublisher {
  #closed = false;

  private constructor(
    readonly pc: RTCPeerConnection,
    private readonly ffmpeg: ChildProcess,
    private readonly socket: dgram.Socket,
    /** the session's URL (Location), DELETEd on close */
    readonly sessionUrl: string,
    private readonly token: string,
  ) {}

  static async start(opts: WhipPublisherOptions): Promise<WhipPublisher> {
    const source = opts.source ?? { kind: 'testsrc' };
    const codec = sourceCodec(source, opts.codec);
    const pc = new RTCPeerConnection({
      codecs: { video: [codec === 'h264' ? useH264() : useVP8()], audio: [] },
      iceAdditionalHostAddresses: opts.additionalHostAddresses,
      iceUseIpv6: false,
    });
    const track = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(opts.whipUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/sdp' },
      body: pc.localDescription!.sdp,
    });
    if (res.status !== 201) {
      await pc.close();
      const body = await res.text();
      throw new WhipError(res.status, `the hub refused to take the stream (HTTP ${res.status}): ${body}`);
    }
    await pc.setRemoteDescription(new RTCSessionDescription(await res.text(), 'answer'));
    const sessionUrl = new URL(res.headers.get('location') ?? '', opts.whipUrl).toString();

    const socket = dgram.createSocket('udp4');
    socket.on('message', (buf) => track.writeRtp(buf));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const args = ffmpegSourceArgs(source, { codec, size: opts.size, fps: opts.fps, bitrateKbps: opts.bitrateKbps, label: opts.label }, `rtp://127.0.0.1:${socket.address().port}`);
    const ffmpeg = spawnFfmpeg(args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // ffmpeg says why a camera cannot be read (device busy, RTSP 401, not H.264): keep the last words
    let stderr = '';
    ffmpeg.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const publisher = new WhipPublisher(pc, ffmpeg, socket, sessionUrl, opts.token);
    ffmpeg.once('exit', (code, signal) => {
      if (publisher.#closed) return;
      publisher.#sourceError = `the video source stopped (ffmpeg ${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`;
      publisher.onSourceEnd?.(publisher.#sourceError);
    });
    return publisher;
  }

  #sourceError: string | undefined;
  /** called when ffmpeg ends by itself (a camera unplugged, an RTSP camera gone), with why */
  onSourceEnd: ((why: string) => void) | undefined;

  /** why the source stopped, if it did */
  get sourceError(): string | undefined {
    return this.#sourceError;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops the source, ends the WHIP session (DELETE) and the peer connection. Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.ffmpeg.kill('SIGKILL');
    this.socket.close();
    await fetch(this.sessionUrl, { method: 'DELETE', headers: { authorization: `Bearer ${this.token}` } }).catch(() => {});
    await this.pc.close();
  }
}
