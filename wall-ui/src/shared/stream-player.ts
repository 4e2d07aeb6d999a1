// Plays one stream of the hub's SFU in a <video>: signals over socket.io (/media), shows
// the state (connecting / live / reconnecting / offline), and recovers by itself — a
// dropped socket, a failed peer connection, a publisher that left or a stream not (yet)
// published are retried with backoff, never with a page reload. A refused credential
// stops it (offline, with the refusal's code): retrying would not help.
// It takes the stream's audio too, muted until the caller unmutes the <video> (a wall must not
// play every tile's microphone at once), and asks for no taller picture than `maxHeight`
// (of a simulcast stream the SFU forwards the smallest layer at least that tall).
import { backoffMs, connectMedia, MediaRequestError, offerWithCandidates, request, type MediaSocket } from './media-socket';

export type PlayerState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface PlayerStateDetail {
  /** the hub's code when the state comes from a refusal or an end, e.g. HUB_ERR_STREAM_NOT_FOUND */
  code?: string;
  message?: string;
  /** true when the player has given up (a refused credential) */
  fatal?: boolean;
  /** when it tries again, ms from now */
  retryInMs?: number;
}

export interface PlayerStats {
  bitrateKbps: number;
  fps: number;
  framesDecoded: number;
  packetsLost: number;
  width: number;
  height: number;
  /** the jitter buffer's mean delay, when the browser reports it */
  delayMs?: number;
  /**
   * an estimate of the delay from the SFU to the screen: the jitter buffer's mean delay plus half
   * the round trip to the SFU (camera, encoder and the publisher's link come on top); when known
   */
  estimatedDelayMs?: number;
  /** e.g. video/VP8, video/H264 */
  codec?: string;
  /** the stream's audio, when it has some: samples received so far, the level now (0..1), energy so far */
  audio?: { codec?: string; totalSamplesReceived: number; audioLevel: number; totalAudioEnergy: number };
  /**
   * the last sender report's clock against this browser's, ms, per kind (remote-outbound-rtp:
   * received at − NTP time in it): the SFU's reports carry the publisher's clock, so on one
   * machine this is the network delay; the browser aligns sound and picture by these reports
   */
  senderReportLagMs?: { audio?: number; video?: number };
}

export interface OpenStreamOptions {
  /** the operator token */
  token: string;
  /** the hub's origin; default the page's */
  hubUrl?: string;
  onState?: (state: PlayerState, detail?: PlayerStateDetail) => void;
  /** the tallest picture shown, device pixels (element height × devicePixelRatio); default the tallest layer */
  maxHeight?: number;
}

export interface StreamPlayer {
  close(): void;
  stats(): Promise<PlayerStats>;
  /** the element's size changed: of a simulcast stream, the SFU moves to the layer that fits (no reconnection) */
  setMaxHeight(maxHeight: number | undefined): void;
}

/** A viewer that decodes nothing for this long while the hub says live signals again (longer after each try). */
const STALL_RESIGNAL_MS = 6000;

/** A height the hub takes (1..8192 whole pixels), else undefined (the tallest layer). */
function validHeight(h: number | undefined): number | undefined {
  if (h === undefined || !Number.isFinite(h) || h < 1) return undefined;
  return Math.min(8192, Math.round(h));
}

const EMPTY_STATS: PlayerStats = { bitrateKbps: 0, fps: 0, framesDecoded: 0, packetsLost: 0, width: 0, height: 0 };

export function openStream(video: HTMLVideoElement, streamId: string, opts: OpenStreamOptions): StreamPlayer {
  let closed = false;
  let attempt = 0;
  let everLive = false;
  let state: PlayerState | undefined;
  let socket: MediaSocket | undefined;
  let pc: RTCPeerConnection | undefined;
  let sessionId: string | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** what the hub says of the stream; live is shown once the peer is connected too */
  let streamState: 'live' | 'reconnecting' = 'live';
  let lastBytes: { bytes: number; at: number; kbps: number } | undefined;
  let maxHeight = opts.maxHeight;
  /** bumps on every (re)connection, so callbacks of an old one are ignored */
  let generation = 0;

  video.muted = true;
  video.playsInline = true;
  video.autoplay = true;

  const setState = (next: PlayerState, detail?: PlayerStateDetail) => {
    if (closed) return;
    if (next === state && !detail) return;
    state = next;
    opts.onState?.(next, detail);
  };

  let watchdog: ReturnType<typeof setInterval> | undefined;
  let lastDecoded: { frames: number; at: number; stalledSince?: number } = { frames: -1, at: 0 };
  /** frames decoded since the last (re)connection or publisher return */
  let decoding = false;

  const teardown = () => {
    generation++;
    decoding = false;
    clearInterval(watchdog);
    watchdog = undefined;
    sessionId = undefined;
    pc?.close();
    pc = undefined;
    socket?.close();
    socket = undefined;
    lastBytes = undefined;
  };

  /**
   * A viewer that is connected but decodes nothing (it joined between keyframes, or its
   * publisher came back) asks for a keyframe, now and after every second without a frame;
   * if that does not help within STALL_RESIGNAL_MS (e.g. an engine that does not carry the
   * RTP sequence across a returning publisher), it signals a fresh session.
   */
  const watchFrames = (gen: number) => {
    const ask = () => sessionId && socket?.emit('keyframe', { sessionId });
    ask();
    clearInterval(watchdog);
    lastDecoded = { frames: -1, at: performance.now() };
    watchdog = setInterval(async () => {
      if (gen !== generation || !pc) return;
      const { framesDecoded } = await player.stats();
      const now = performance.now();
      if (framesDecoded !== lastDecoded.frames) {
        if (lastDecoded.frames >= 0) decoding = true;
        lastDecoded = { frames: framesDecoded, at: now, stalledSince: undefined };
        showLiveIfReady();
      } else if (streamState === 'live') {
        lastDecoded.stalledSince ??= now;
        // the hub says live, yet nothing decodes even after keyframes: signal afresh
        if (now - lastDecoded.stalledSince >= STALL_RESIGNAL_MS * (1 + attempt)) return retry(new MediaRequestError('HUB_ERR_STREAM_STALLED', 'no video arrived: connecting again'));
        if (now - lastDecoded.at >= 1000) {
          ask();
          lastDecoded.at = now;
        }
      } else lastDecoded.stalledSince = undefined;
    }, 500);
  };

  /** live = connected, the hub says live, and frames decode (since the last (re)connection or resume) */
  const showLiveIfReady = () => {
    if (pc?.connectionState === 'connected' && streamState === 'live' && decoding) {
      everLive = true;
      attempt = 0;
      setState('live');
    }
  };

  /** Tears the connection down and tries again later; `err` says why. */
  const retry = (err?: unknown) => {
    if (closed) return;
    teardown();
    const e = err instanceof MediaRequestError ? err : undefined;
    if (e?.fatal) {
      setState('offline', { code: e.code, message: e.message, fatal: true });
      return;
    }
    const retryInMs = backoffMs(attempt++);
    const gone = e && (e.code === 'HUB_ERR_STREAM_NOT_FOUND' || e.code === 'HUB_ERR_STREAM_ENDED');
    setState(gone ? 'offline' : everLive ? 'reconnecting' : 'connecting', { code: e?.code, message: e?.message ?? (err as Error | undefined)?.message, retryInMs });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), retryInMs);
  };

  const connect = async () => {
    if (closed) return;
    const gen = ++generation;
    if (!everLive) setState('connecting');
    try {
      const conn = await connectMedia(opts.token, opts.hubUrl);
      if (gen !== generation || closed) {
        conn.socket.close();
        return;
      }
      socket = conn.socket;
      socket.on('disconnect', () => gen === generation && retry(new MediaRequestError('HUB_ERR_MEDIA_DISCONNECTED', 'the connection to the hub dropped')));
      socket.on('state', (ev) => {
        if (gen !== generation || ev.sessionId !== sessionId) return;
        if (ev.state === 'ended') return retry(new MediaRequestError(ev.code ?? 'HUB_ERR_STREAM_ENDED', ev.message ?? 'the stream ended'));
        streamState = ev.state;
        if (ev.state === 'reconnecting') {
          decoding = false;
          setState('reconnecting', ev.code ? { code: ev.code, message: ev.message } : undefined);
        } else {
          socket?.emit('keyframe', { sessionId: ev.sessionId });
          showLiveIfReady();
        }
      });

      const peer = new RTCPeerConnection({ iceServers: conn.iceServers });
      pc = peer;
      peer.addTransceiver('video', { direction: 'recvonly' });
      peer.addTransceiver('audio', { direction: 'recvonly' });
      // one MediaStream for both tracks, so the browser plays them in sync
      const media = new MediaStream();
      peer.ontrack = (e) => {
        media.addTrack(e.track);
        if (video.srcObject !== media) video.srcObject = media;
        void video.play().catch(() => {});
      };
      peer.onconnectionstatechange = () => {
        if (gen !== generation) return;
        if (peer.connectionState === 'connected') {
          watchFrames(gen);
          showLiveIfReady();
        } else if (peer.connectionState === 'failed') retry(new MediaRequestError('HUB_ERR_PEER_FAILED', 'the media connection failed'));
        else if (peer.connectionState === 'disconnected' && state === 'live') setState('reconnecting');
      };
      const sdp = await offerWithCandidates(peer);
      if (gen !== generation) return;
      const session = await request(socket, 'view', { streamId, sdp, maxHeight: validHeight(maxHeight) });
      if (gen !== generation) return;
      sessionId = session.sessionId;
      streamState = session.state;
      await peer.setRemoteDescription({ type: 'answer', sdp: session.sdp });
      if (streamState === 'reconnecting') setState('reconnecting');
      showLiveIfReady();
    } catch (err) {
      if (gen === generation) retry(err);
    }
  };

  void connect();

  const player: StreamPlayer = {
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      if (socket && sessionId) socket.emit('close', { sessionId });
      teardown();
      video.srcObject = null;
    },
    setMaxHeight(h) {
      const next = validHeight(h);
      if (next === maxHeight) return;
      maxHeight = next;
      if (socket && sessionId) socket.emit('layer', { sessionId, maxHeight: next ?? null });
    },
    async stats() {
      if (!pc) return { ...EMPTY_STATS };
      const report = await pc.getStats();
      let inbound: Record<string, unknown> | undefined;
      let audio: Record<string, unknown> | undefined;
      let pair: Record<string, unknown> | undefined;
      let senderReportLagMs: PlayerStats['senderReportLagMs'];
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((s: Record<string, unknown>) => {
        byId.set(s.id as string, s);
        if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') audio = s;
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
        if (s.type === 'remote-outbound-rtp' && typeof s.remoteTimestamp === 'number' && (s.kind === 'audio' || s.kind === 'video'))
          (senderReportLagMs ??= {})[s.kind] = Math.round((s.timestamp as number) - (s.remoteTimestamp as number));
      });
      if (!inbound) return { ...EMPTY_STATS };
      const num = (k: string) => (typeof inbound![k] === 'number' ? (inbound![k] as number) : 0);
      const now = performance.now();
      const bytes = num('bytesReceived');
      // over at least a second, whoever else asks for stats in between
      if (!lastBytes || bytes < lastBytes.bytes) lastBytes = { bytes, at: now, kbps: 0 };
      else if (now - lastBytes.at >= 1000) lastBytes = { bytes, at: now, kbps: Math.round(((bytes - lastBytes.bytes) * 8) / (now - lastBytes.at)) };
      const bitrateKbps = lastBytes.kbps;
      const emitted = num('jitterBufferEmittedCount');
      const codec = byId.get(inbound.codecId as string) as { mimeType?: string } | undefined;
      const delayMs = emitted > 0 ? Math.round((num('jitterBufferDelay') / emitted) * 1000) : undefined;
      const rtt = typeof pair?.currentRoundTripTime === 'number' ? (pair.currentRoundTripTime as number) : undefined;
      const a = audio;
      const anum = (k: string) => (a && typeof a[k] === 'number' ? (a[k] as number) : 0);
      return {
        bitrateKbps,
        fps: num('framesPerSecond'),
        framesDecoded: num('framesDecoded'),
        packetsLost: num('packetsLost'),
        width: num('frameWidth'),
        height: num('frameHeight'),
        delayMs,
        senderReportLagMs,
        estimatedDelayMs: delayMs !== undefined && rtt !== undefined ? Math.round(delayMs + (rtt * 1000) / 2) : delayMs,
        codec: codec?.mimeType,
        audio: a
          ? {
              codec: (byId.get(a.codecId as string) as { mimeType?: string } | undefined)?.mimeType,
              totalSamplesReceived: anum('totalSamplesReceived'),
              audioLevel: anum('audioLevel'),
              totalAudioEnergy: anum('totalAudioEnergy'),
            }
          : undefined,
      };
    },
  };
  return player;
}
