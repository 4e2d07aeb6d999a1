// Real WebRTC peers (werift) for tests: the edge agent's WHIP publisher (ffmpeg's test
// pattern), a publisher of picture and sound, and a WHEP viewer that counts the RTP packets
// it receives.
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, useH264, useOPUS, useVP8 } from 'werift';
import { lavfiInput, spawnFfmpeg } from '@hub/config/node';
import { WhipError, WhipPublisher } from '@hub/edge-agent';

export type Codec = 'vp8' | 'h264';

export function peer(codec: Codec): RTCPeerConnection {
  // werift leaves loopback out of its candidates unless asked
  return new RTCPeerConnection({ codecs: { video: [codec === 'h264' ? useH264() : useVP8()], audio: [] }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
}

/** POSTs the peer's offer (RFC 9725 §4.2); on 201 applies the answer. */
export async function signal(pc: RTCPeerConnection, url: string, token: string): Promise<Response> {
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
  if (res.status === 201) await pc.setRemoteDescription(new RTCSessionDescription(await res.clone().text(), 'answer'));
  return res;
}

export interface Publisher {
  /** the WHIP answer's status: 201, or the refusal */
  status: number;
  /** the session's URL (Location) when accepted */
  location: string | undefined;
  close(): Promise<void>;
}

/** A WHIP publisher whose track carries ffmpeg's test pattern: the edge agent's own. */
export async function publishTestPattern(url: string, token: string, codec: Codec): Promise<Publisher> {
  try {
    const p = await WhipPublisher.start({ whipUrl: url, token, codec, size: '320x240', fps: 15, additionalHostAddresses: ['127.0.0.1'] });
    return { status: 201, location: new URL(p.sessionUrl).pathname, close: () => p.close() };
  } catch (err) {
    if (err instanceof WhipError) return { status: err.status, location: undefined, close: async () => {} };
    throw err;
  }
}

export interface Viewer {
  pc: RTCPeerConnection;
  res: Response;
  counter: { packets: number; mimeType: string };
  close(): Promise<void>;
}

export async function viewStream(url: string, token: string, codec: Codec): Promise<Viewer> {
  const pc = peer(codec);
  pc.addTransceiver('video', { direction: 'recvonly' });
  const counter = { packets: 0, mimeType: '' };
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe(() => {
      counter.packets++;
      counter.mimeType = track.codec?.mimeType ?? '';
    }),
  );
  const res = await signal(pc, url, token);
  return { pc, res, counter, close: () => pc.close() };
}

export { waitFor as until } from './wait';

export interface AvPublisher {
  /** the WHIP session's path (Location) */
  location: string;
  /** frames a second of the test pattern sent */
  fps: number;
  close(): Promise<void>;
}

/**
 * A WHIP publisher of ffmpeg's test pattern (VP8, `fps` frames a second) and a 440 Hz tone
 * (Opus, 20 ms packets) on one peer connection, both from one ffmpeg on one clock, as a
 * body cam sends picture and sound. With `audioAfterMs`, the sound starts that long after the
 * picture (from a second ffmpeg), as from a microphone that opens late.
 */
export async function publishAvTestPattern(url: string, token: string, fps = 15, opts: { audioAfterMs?: number } = {}): Promise<AvPublisher> {
  const pc = new RTCPeerConnection({ codecs: { video: [useVP8()], audio: [useOPUS()] }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  const video = new MediaStreamTrack({ kind: 'video' });
  const audio = new MediaStreamTrack({ kind: 'audio' });
  pc.addTransceiver(video, { direction: 'sendonly' });
  pc.addTransceiver(audio, { direction: 'sendonly' });
  const res = await signal(pc, url, token);
  if (res.status !== 201) throw new Error(`WHIP ${res.status}: ${await res.text()}`);
  const sockets = await Promise.all(
    [video, audio].map(async (track) => {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (buf) => track.writeRtp(buf));
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      return socket;
    }),
  );
  const rtp = (s: dgram.Socket) => `rtp://127.0.0.1:${s.address().port}`;
  const videoOut = ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', String(fps * 2), '-payload_type', '96', '-f', 'rtp', '-pkt_size', '1200', rtp(sockets[0]!)];
  const audioOut = ['-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-payload_type', '111', '-f', 'rtp', rtp(sockets[1]!)];
  const tone = 'sine=frequency=440:sample_rate=48000';
  const ffmpegs: ChildProcess[] = [];
  let timer: NodeJS.Timeout | undefined;
  if (opts.audioAfterMs === undefined) {
    ffmpegs.push(spawnFfmpeg([...lavfiInput(`testsrc=size=320x240:rate=${fps}[out0];${tone}[out1]`), '-map', '0:v', ...videoOut, '-map', '0:a', ...audioOut], { stdio: 'ignore' }));
  } else {
    ffmpegs.push(spawnFfmpeg([...lavfiInput(`testsrc=size=320x240:rate=${fps}`), ...videoOut], { stdio: 'ignore' }));
    timer = setTimeout(() => ffmpegs.push(spawnFfmpeg([...lavfiInput(tone), ...audioOut], { stdio: 'ignore' })), opts.audioAfterMs);
  }
  const location = res.headers.get('location')!;
  let closed = false;
  return {
    location,
    fps,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      for (const f of ffmpegs) f.kill('SIGKILL');
      for (const s of sockets) s.close();
      await fetch(new URL(location, url), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
      await pc.close();
    },
  };
}
