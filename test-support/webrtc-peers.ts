// Real WebRTC peers (werift) for tests: the edge agent's WHIP publisher (ffmpeg's test
// pattern), and a WHEP viewer that counts the RTP packets it receives.
import { RTCPeerConnection, RTCSessionDescription, useH264, useVP8 } from 'werift';
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
