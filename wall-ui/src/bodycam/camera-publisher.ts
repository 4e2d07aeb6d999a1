// The body cam's camera on the hub: camera + microphone published over the media
// signalling (socket.io /media) as the unit, which the hub maps to the unit's stream id.
// It recovers by itself: a dropped socket, a failed peer, or a stream the hub ended are
// published again with backoff, on the same camera tracks, under the same stream id, so
// the wall's tiles resume. A refused credential stops it.
import { backoffMs, connectMedia, MediaRequestError, offerWithCandidates, request, type MediaSocket } from '../shared/media-socket';

export type PublishState = 'connecting' | 'live' | 'reconnecting' | 'stopped' | 'refused';
export type VideoCodecChoice = 'h264' | 'vp8' | undefined;

export interface CameraPublisherOptions {
  unitId: string;
  secret: string;
  /** forced codec (`?codec=`); default the browser's first choice (VP8 when sending layers) */
  codec?: VideoCodecChoice;
  /**
   * send three VP8 layers (simulcast, rid h/m/l at full, half and quarter size) so that small wall
   * tiles take a small one; ignored with H.264. Default false.
   */
  simulcast?: boolean;
  hubUrl?: string;
  onState(state: PublishState, detail?: { code?: string; message?: string; streamId?: string }): void;
}

/** Puts the chosen codec first (and drops the other video codecs), RTX and FEC kept. */
function preferCodec(transceiver: RTCRtpTransceiver, codec: VideoCodecChoice): void {
  if (!codec || typeof RTCRtpSender.getCapabilities !== 'function') return;
  const all = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const wanted = all.filter((c) => c.mimeType.toLowerCase() === `video/${codec}`);
  if (codec === 'h264') {
    // the SFU forwards as it is: packetization-mode=1, constrained baseline first (what every viewer decodes)
    wanted.sort((a, b) => score(b.sdpFmtpLine) - score(a.sdpFmtpLine));
  }
  if (!wanted.length) return;
  const helpers = all.filter((c) => /video\/(rtx|red|ulpfec)/i.test(c.mimeType));
  transceiver.setCodecPreferences([...wanted, ...helpers]);
}
function score(fmtp = ''): number {
  return (fmtp.includes('packetization-mode=1') ? 2 : 0) + (fmtp.includes('profile-level-id=42e01f') ? 1 : 0);
}

/** Full, half and quarter size; the full one first (the SFU records the first layer). */
export const SIMULCAST_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 400_000 },
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
];

export interface OutboundVideo {
  rid?: string;
  framesEncoded: number;
  width: number;
  height: number;
  codec?: string;
  /** NACKs the SFU sent for this layer */
  nackCount?: number;
}

export class CameraPublisher {
  #closed = false;
  #attempt = 0;
  #generation = 0;
  #socket: MediaSocket | undefined;
  #pc: RTCPeerConnection | undefined;
  #sessionId: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #everLive = false;
  streamId: string | undefined;

  constructor(
    readonly media: MediaStream,
    private readonly opts: CameraPublisherOptions,
  ) {
    void this.#connect();
  }

  get peer(): RTCPeerConnection | undefined {
    return this.#pc;
  }

  #teardown(): void {
    this.#generation++;
    this.#sessionId = undefined;
    this.#pc?.close();
    this.#pc = undefined;
    this.#socket?.close();
    this.#socket = undefined;
  }

  #retry(err: unknown): void {
    if (this.#closed) return;
    this.#teardown();
    const e = err instanceof MediaRequestError ? err : undefined;
    if (e?.fatal) {
      this.opts.onState('refused', { code: e.code, message: e.message });
      return;
    }
    this.opts.onState(this.#everLive ? 'reconnecting' : 'connecting', { code: e?.code, message: e?.message ?? (err as Error)?.message });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), backoffMs(this.#attempt++));
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const gen = ++this.#generation;
    const { unitId, secret } = this.opts;
    try {
      const conn = await connectMedia(`${unitId}:${secret}`, this.opts.hubUrl);
      if (gen !== this.#generation) {
        conn.socket.close();
        return;
      }
      const socket = (this.#socket = conn.socket);
      socket.on('disconnect', () => gen === this.#generation && this.#retry(new MediaRequestError('HUB_ERR_MEDIA_DISCONNECTED', 'the connection to the hub dropped')));
      socket.on('state', (ev) => {
        if (gen === this.#generation && ev.sessionId === this.#sessionId && ev.state === 'ended')
          this.#retry(new MediaRequestError(ev.code ?? 'HUB_ERR_STREAM_ENDED', ev.message ?? 'the stream ended'));
      });
      const pc = (this.#pc = new RTCPeerConnection({ iceServers: conn.iceServers }));
      const layers = this.opts.simulcast && this.opts.codec !== 'h264';
      for (const track of this.media.getTracks()) {
        const t = pc.addTransceiver(track, { direction: 'sendonly', streams: [this.media], ...(track.kind === 'video' && layers ? { sendEncodings: SIMULCAST_LAYERS } : {}) });
        if (track.kind === 'video') {
          preferCodec(t, layers ? 'vp8' : this.opts.codec);
          // evidence video: keep the frame size, drop frames instead when the CPU or link is short
          const params = t.sender.getParameters();
          params.degradationPreference = 'maintain-resolution';
          await t.sender.setParameters(params).catch(() => {});
        }
      }
      pc.onconnectionstatechange = () => {
        if (gen !== this.#generation) return;
        if (pc.connectionState === 'connected') {
          this.#everLive = true;
          this.#attempt = 0;
          this.opts.onState('live', { streamId: this.streamId });
        } else if (pc.connectionState === 'failed') this.#retry(new MediaRequestError('HUB_ERR_PEER_FAILED', 'the media connection failed'));
      };
      const sdp = await offerWithCandidates(pc);
      if (gen !== this.#generation) return;
      const session = await request(socket, 'publish', { unitId, sdp });
      if (gen !== this.#generation) return;
      this.#sessionId = session.sessionId;
      this.streamId = session.streamId;
      await pc.setRemoteDescription({ type: 'answer', sdp: session.sdp });
    } catch (err) {
      if (gen === this.#generation) this.#retry(err);
    }
  }

  /**
   * The outbound video's figures, for the page and for tests: of the largest layer, with every
   * layer's in `layers`; and whether audio goes out.
   */
  async videoStats(): Promise<OutboundVideo & { layers: OutboundVideo[]; audioPackets: number }> {
    const report = await this.#pc?.getStats();
    const layers: OutboundVideo[] = [];
    let audioPackets = 0;
    const byId = new Map<string, Record<string, unknown>>();
    report?.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    byId.forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        const codec = byId.get(s.codecId as string) as { mimeType?: string } | undefined;
        layers.push({
          rid: s.rid as string | undefined,
          framesEncoded: Number(s.framesEncoded ?? 0),
          width: Number(s.frameWidth ?? 0),
          height: Number(s.frameHeight ?? 0),
          codec: codec?.mimeType,
          nackCount: Number(s.nackCount ?? 0),
        });
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') audioPackets += Number(s.packetsSent ?? 0);
    });
    const top = [...layers].sort((a, b) => b.width - a.width)[0] ?? { framesEncoded: 0, width: 0, height: 0 };
    return { ...top, layers, audioPackets };
  }

  /** Ends the stream; the camera tracks are the caller's to stop. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#socket && this.#sessionId) this.#socket.emit('close', { sessionId: this.#sessionId });
    this.#teardown();
    this.opts.onState('stopped');
  }
}
