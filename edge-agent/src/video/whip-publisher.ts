// Publishes a video source to the hub over WHIP (RFC 9725): a werift peer connection
// whose track carries RTP from ffmpeg. Sources: ffmpeg's test pattern now; V4L2 cameras
// and RTSP pass-through come with the rest of the video issue.
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, useH264, useVP8 } from 'werift';
import { ffmpegPath } from './ffmpeg-path';

export type VideoCodec = 'vp8' | 'h264';

export interface WhipPublisherOptions {
  /** e.g. http://hub:8080/whip/cam-1 */
  whipUrl: string;
  /** bearer token: `{unitId}:{secret}` for a unit, or an operator token */
  token: string;
  /** default vp8 */
  codec?: VideoCodec;
  /** test pattern size and rate; default 640x480 at 15 fps */
  size?: string;
  fps?: number;
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

function encoderArgs(codec: VideoCodec): string[] {
  return codec === 'h264'
    ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '30', '-bsf:v', 'h264_mp4toannexb']
    : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k', '-g', '30'];
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
    const codec = opts.codec ?? 'vp8';
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
    const ffmpeg = spawn(
      ffmpegPath(),
      ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc=size=${opts.size ?? '640x480'}:rate=${opts.fps ?? 15}`, ...encoderArgs(codec), '-payload_type', '96', '-f', 'rtp', '-pkt_size', '1200', `rtp://127.0.0.1:${socket.address().port}`],
      { stdio: 'ignore' },
    );
    return new WhipPublisher(pc, ffmpeg, socket, sessionUrl, opts.token);
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
