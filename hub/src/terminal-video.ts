// A terminal's JT/T 1078 channel as a producer in this hub's SFU, its picture without
// transcoding (its G.711 sound becomes Opus: terminal-audio.ts): the media listener's H.264
// frames are cut into RTP (RFC 6184, @hub/jt808) and written on the track of an in-process werift client peer, which publishes to the hub's own router exactly
// as a WHIP publisher does (claimStream → transport.publish → the audit → addProducer), only
// without HTTP. A peer rather than a producer fed by hand because the engine interface
// (media-server/src/engine/types.ts) makes producers only from a publisher's offer: so the
// werift and the mediasoup engines both take terminals' video unchanged, with NACK from the
// client's send cache, and the recorder, viewers and idle stop see an ordinary producer.
import { MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, useH264, useOPUS } from 'werift';
import '@hub/werift-patches';
import type { Logger } from 'pino';
import { H264Packetizer, rtpTimestamp90k, type TerminalVideoPort, type VideoSink } from '@hub/jt808';
import { claimStream, type Router } from '@hub/media-server';
import { HubError } from '@hub/platform';
import type { StreamIds } from './stream-ids';
import { OpusFromG711 } from './terminal-audio';

export interface TerminalPublishersOptions {
  router: Router;
  streamIds: StreamIds;
  /** the audit of a publish (video_publish), awaited before the producer goes live */
  audit(streamId: string, unitId: string, sessionId: string): Promise<void>;
  /** extra ICE host candidates of the client peer; 127.0.0.1 always (the SFU is in this process's host) */
  additionalHostAddresses: string[];
  log: Logger;
  /** how long the client peer has to connect to the SFU, ms; default 10000 */
  connectTimeoutMs?: number;
}

export class TerminalPublishers implements TerminalVideoPort {
  constructor(private readonly opts: TerminalPublishersOptions) {}

  async open(unitId: string, channel: number): Promise<VideoSink> {
    const { router } = this.opts;
    const streamId = await this.opts.streamIds.forUnit(unitId, channel);
    if (!streamId) throw new HubError('HUB_ERR_UNIT_NOT_FOUND', 404, `unit ${unitId} does not exist`);
    const pc = new RTCPeerConnection({
      codecs: { video: [useH264()], audio: [useOPUS()] },
      iceAdditionalHostAddresses: [...new Set(['127.0.0.1', ...this.opts.additionalHostAddresses])],
      iceUseIpv6: false,
    });
    const track = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    // the terminal's sound, transcoded to Opus (terminal-audio.ts) when it sends any
    const audioTrack = new MediaStreamTrack({ kind: 'audio' });
    pc.addTransceiver(audioTrack, { direction: 'sendonly' });
    let transport: ReturnType<Router['createWebRtcTransport']> | undefined;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await claimStream(router, streamId);
      transport = router.createWebRtcTransport();
      const { answerSdp, producer } = await transport.publish(streamId, pc.localDescription!.sdp);
      await this.opts.audit(streamId, unitId, transport.id);
      router.addProducer(producer);
      await pc.setRemoteDescription(new RTCSessionDescription(answerSdp, 'answer'));
      // frames written before DTLS is up are dropped by the sender: the first I frame must not be
      await connected(pc, this.opts.connectTimeoutMs ?? 10_000);
    } catch (err) {
      transport?.close();
      await pc.close();
      throw err;
    }
    this.opts.log.info({ unitId, channel, streamId }, 'JT/T 1078 stream published to the SFU');
    const packetizer = new H264Packetizer();
    const log = this.opts.log.child({ unitId, channel });
    let sound: OpusFromG711 | undefined;
    let closed = false;
    return {
      video(frame) {
        if (closed) return;
        for (const packet of packetizer.packetize(frame.data, rtpTimestamp90k(frame.timestamp))) track.writeRtp(packet);
      },
      audio(law, samples) {
        if (closed) return;
        sound ??= new OpusFromG711(law, (packet) => audioTrack.writeRtp(packet), log);
        sound.write(samples);
      },
      close() {
        if (closed) return;
        closed = true;
        sound?.close();
        transport!.close();
        void pc.close();
      },
    };
  }
}

function connected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off.unSubscribe();
      reject(new HubError('HUB_ERR_JT1078_PUBLISH', 503, `the terminal's video could not be handed to the SFU: no WebRTC connection within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const off = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        off.unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        off.unSubscribe();
        reject(new HubError('HUB_ERR_JT1078_PUBLISH', 503, `the terminal's video could not be handed to the SFU: its WebRTC connection ${state}`));
      }
    });
  });
}
