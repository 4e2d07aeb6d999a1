// A viewer that takes picture and sound, signalled straight through a Router, counting what
// arrives of each kind.
import { RTCPeerConnection, RTCSessionDescription, useOPUS, useVP8 } from 'werift';
import type { Router, WebRtcTransport } from '../../src';

export interface AvViewer {
  transport: WebRtcTransport;
  counts: { video: number; audio: number; audioMimeType: string };
  close(): Promise<void>;
}

export async function viewAvFromRouter(router: Router, streamId: string): Promise<AvViewer> {
  const producer = router.producers.get(streamId);
  if (!producer) throw new Error(`no producer for ${streamId}`);
  const pc = new RTCPeerConnection({ codecs: { video: [useVP8()], audio: [useOPUS()] }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const counts = { video: 0, audio: 0, audioMimeType: '' };
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe(() => {
      if (track.kind === 'audio') {
        counts.audio++;
        counts.audioMimeType = track.codec?.mimeType ?? '';
      } else counts.video++;
    }),
  );
  await pc.setLocalDescription(await pc.createOffer());
  const transport = router.createWebRtcTransport();
  const { answerSdp } = await transport.consume(producer, pc.localDescription!.sdp);
  await pc.setRemoteDescription(new RTCSessionDescription(answerSdp, 'answer'));
  return {
    transport,
    counts,
    async close() {
      transport.close();
      await pc.close();
    },
  };
}
