// Publishes a video source to the hub over WHIP (RFC 9725): a werift peer connection
// whose track carries RTP from ffmpeg. Sources (./source.ts): ffmpeg's test pattern with the
// unit id and a clock, a V4L2 camera, or an RTSP camera's H.264 passed through. The sources
// the agent encodes answer the SFU's keyframe requests (./live-encoder.ts).
import { MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, RtcpPayloadSpecificFeedback, useH264, useVP8, type RtcpPacket } from 'werift';
import '@hub/werift-patches'; // werift's fixes: consent answers delayed by a stall (a busy vehicle gateway), duplicate HelloVerifyRequests
import { LiveEncoder, type VideoPipeline } from './live-encoder';
import { startPassthrough } from './passthrough';
import { isEncodedSource, sourceCodec, type PublisherSource, type SourceEncoding, type VideoCodec } from './source';

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
  /** frames between the encoder's own keyframes (test pattern, V4L2); default fps, one a second */
  gopFrames?: number;
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

/** RTCP PLI (RFC 4585 §6.3.1, FMT 1) or FIR (RFC 5104 §4.3.1, FMT 4): the receiver needs a keyframe. */
function isKeyframeRequest(packet: RtcpPacket): boolean {
  return packet.type === RtcpPayloadSpecificFeedback.type && [1, 4].includes((packet as RtcpPayloadSpecificFeedback).feedback.count);
}

export class WhipPublisher {
  #closed = false;
  #video: VideoPipeline | undefined;

  private constructor(
    readonly pc: RTCPeerConnection,
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
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
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

    const publisher = new WhipPublisher(pc, sessionUrl, opts.token);
    const enc: SourceEncoding = { codec, size: opts.size, fps: opts.fps, bitrateKbps: opts.bitrateKbps, label: opts.label, gopFrames: opts.gopFrames };
    const onRtp = (buf: Buffer) => track.writeRtp(buf);
    const onEnd = (why: string) => {
      if (publisher.#closed) return;
      publisher.#sourceError = why;
      publisher.onSourceEnd?.(why);
      publisher.#ended(why);
    };
    // the hub closed the session, or the link died (ICE consent lost): nothing reaches the hub any more
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed' || state === 'closed') publisher.#ended(`the connection to the hub ${state === 'failed' ? 'failed' : 'was closed'}`);
    });
    if (isEncodedSource(source)) {
      const encoder = await LiveEncoder.start({ ...enc, source, onRtp, onEnd });
      publisher.liveEncoder = encoder;
      publisher.#video = encoder;
    } else {
      publisher.#video = await startPassthrough(source, enc, onRtp, onEnd);
    }
    transceiver.sender.onRtcp.subscribe((packet) => {
      if (isKeyframeRequest(packet)) publisher.#video?.requestKeyframe();
    });
    return publisher;
  }

  /** the encoder of a test pattern or V4L2 source (its keyframe counters); undefined for a passed-through source */
  liveEncoder: LiveEncoder | undefined;

  /** when the hub took the stream (this process's clock, ms) */
  readonly startedAt = Date.now();
  #sourceError: string | undefined;
  #endedWhy: string | undefined;
  /** called when ffmpeg ends by itself (a camera unplugged, an RTSP camera gone), with why */
  onSourceEnd: ((why: string) => void) | undefined;
  /** called once when the stream stops reaching the hub without close(): the source ended, or the connection failed or was closed by the hub */
  onEnd: ((why: string) => void) | undefined;

  #ended(why: string): void {
    if (this.#closed || this.#endedWhy !== undefined) return;
    this.#endedWhy = why;
    this.onEnd?.(why);
  }

  /** why the stream stopped reaching the hub (without close()), if it did */
  get endedWhy(): string | undefined {
    return this.#endedWhy;
  }

  /** why the source stopped, if it did */
  get sourceError(): string | undefined {
    return this.#sourceError;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops the camera's processes at once and says nothing to the hub, as a crashed agent would (for tests). */
  killSource(): void {
    this.#video?.close();
  }

  /** Stops the source, ends the WHIP session (DELETE) and the peer connection. Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#video?.close();
    await fetch(this.sessionUrl, { method: 'DELETE', headers: { authorization: `Bearer ${this.token}` } }).catch(() => {});
    await this.pc.close();
  }
}
