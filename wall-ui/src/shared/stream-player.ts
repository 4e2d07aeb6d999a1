// STAND-IN written by wall-a until media-a's player lands on main (CONTRACTS.md "Video"):
// same signature, a plain WHEP viewer (RFC 9725) with retry. On merge, media-a's file wins.
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface StreamStats {
  bitrateKbps: number;
  fps: number;
  framesDecoded: number;
  packetsLost: number;
  width: number;
  height: number;
  delayMs?: number;
}

export interface OpenStreamOptions {
  token: string;
  hubUrl?: string;
  onState?(state: StreamState, detail?: string): void;
}

export interface StreamPlayer {
  close(): void;
  stats(): Promise<StreamStats>;
}

export function openStream(video: HTMLVideoElement, streamId: string, opts: OpenStreamOptions): StreamPlayer {
  const base = opts.hubUrl ?? '';
  let pc: RTCPeerConnection | undefined;
  let session: string | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let last = { at: 0, bytes: 0, frames: 0 };
  const state = (s: StreamState, detail?: string) => !closed && opts.onState?.(s, detail);

  const teardown = () => {
    pc?.close();
    pc = undefined;
    if (session) void fetch(base + session, { method: 'DELETE', headers: { authorization: `Bearer ${opts.token}` } }).catch(() => {});
    session = undefined;
  };
  const again = (detail: string) => {
    if (closed) return;
    teardown();
    state('reconnecting', detail);
    clearTimeout(retry);
    retry = setTimeout(() => void connect(), 1500);
  };

  const connect = async () => {
    if (closed) return;
    const peer = new RTCPeerConnection();
    pc = peer;
    peer.addTransceiver('video', { direction: 'recvonly' });
    peer.ontrack = (e) => {
      video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void video.play().catch(() => {});
    };
    peer.onconnectionstatechange = () => {
      if (peer !== pc) return;
      if (peer.connectionState === 'connected') state('live');
      if (peer.connectionState === 'failed' || peer.connectionState === 'disconnected') again(peer.connectionState);
    };
    try {
      await peer.setLocalDescription(await peer.createOffer());
      const res = await fetch(`${base}/whep/${encodeURIComponent(streamId)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/sdp' },
        body: peer.localDescription!.sdp,
      });
      if (res.status === 401) {
        state('offline', 'HUB_ERR_AUTH');
        return;
      }
      if (res.status !== 201) return again(`HTTP ${res.status}`);
      session = res.headers.get('location') ?? undefined;
      await peer.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    } catch (err) {
      again(String((err as Error).message ?? err));
    }
  };

  state('connecting');
  void connect();
  return {
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(retry);
      teardown();
      video.srcObject = null;
    },
    async stats() {
      const out: StreamStats = { bitrateKbps: 0, fps: 0, framesDecoded: 0, packetsLost: 0, width: 0, height: 0 };
      if (!pc) return out;
      const report = await pc.getStats();
      report.forEach((s: RTCInboundRtpStreamStats & { kind?: string; jitterBufferDelay?: number; jitterBufferEmittedCount?: number }) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        const now = s.timestamp;
        const bytes = s.bytesReceived ?? 0;
        if (last.at && now > last.at) out.bitrateKbps = Math.round(((bytes - last.bytes) * 8) / (now - last.at));
        out.fps = Math.round(s.framesPerSecond ?? 0);
        out.framesDecoded = s.framesDecoded ?? 0;
        out.packetsLost = s.packetsLost ?? 0;
        out.width = s.frameWidth ?? 0;
        out.height = s.frameHeight ?? 0;
        if (s.jitterBufferDelay !== undefined && s.jitterBufferEmittedCount) out.delayMs = Math.round((s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000);
        last = { at: now, bytes, frames: out.framesDecoded };
      });
      return out;
    },
  };
}
