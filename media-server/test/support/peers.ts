// Real WebRTC peers (werift) for tests: a WHIP publisher fed by ffmpeg's test pattern as
// RTP, and a WHEP viewer that counts the RTP packets it receives.
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, useH264, useVP8 } from 'werift';

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
  pc: RTCPeerConnection;
  res: Response;
  close(): Promise<void>;
}

/** A WHIP publisher whose track carries ffmpeg's test pattern (320x240, 15 fps). */
export async function publishTestPattern(url: string, token: string, codec: Codec): Promise<Publisher> {
  const pc = peer(codec);
  const track = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(track, { direction: 'sendonly' });
  const res = await signal(pc, url, token);
  if (res.status !== 201) return { pc, res, close: () => pc.close() };
  const sock = dgram.createSocket('udp4');
  sock.on('message', (buf) => track.writeRtp(buf));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const enc =
    codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '20', '-bsf:v', 'h264_mp4toannexb']
      : ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '500k', '-g', '20'];
  const ff = spawn(
    ffmpeg.path,
    ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '60', ...enc, '-payload_type', '96', '-f', 'rtp', '-pkt_size', '1200', `rtp://127.0.0.1:${sock.address().port}`],
    { stdio: 'ignore' },
  );
  let closed = false;
  return {
    pc,
    res,
    async close() {
      if (closed) return;
      closed = true;
      ff.kill('SIGKILL');
      sock.close();
      await pc.close();
    },
  };
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

export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
