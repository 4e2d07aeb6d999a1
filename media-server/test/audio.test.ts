// Audio through the SFU with real WebRTC peers (werift) over WHIP and WHEP: a publisher sends
// ffmpeg's test pattern (VP8) and a 440 Hz tone (Opus, libopus) on one peer connection; a WHEP
// viewer receives both, the Opus packets as they were sent, in its own sequence and timestamp
// space (continuous when the publisher returns), with sender reports in that timestamp space.
import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { MediaStreamTrack, RTCPeerConnection, RtcpSrPacket, useOPUS, useVP8, type RtcpPacket, type RtpPacket } from 'werift';
import { lavfiInput, spawnFfmpeg } from '@hub/config/node';
import { useWhipServer } from './support/whip-server';
import { signal, until } from '../../test-support/webrtc-peers';
import { eventually } from '../../test-support/wait';
import { ffmpegRtp } from './support/rtp-peers';

const TOKEN = 'audio-test-token';
const server = useWhipServer({ token: TOKEN, router: { publisherReturnMs: 10_000 } });

const peer = () => new RTCPeerConnection({ codecs: { video: [useVP8()], audio: [useOPUS()] }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });

/** ffmpeg's 440 Hz tone as Opus RTP (20 ms packets) into `track`. */
async function toneInto(track: MediaStreamTrack): Promise<() => void> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (buf) => track.writeRtp(buf));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const ffmpeg = spawnFfmpeg(
    [...lavfiInput('sine=frequency=440:sample_rate=48000'), '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${socket.address().port}`],
    { stdio: 'ignore' },
  );
  let open = true;
  return () => {
    ffmpeg.kill('SIGKILL');
    if (open) socket.close();
    open = false;
  };
}

/** A WHIP publisher with video and audio on one peer connection. */
async function publishAv(streamId: string) {
  const pc = peer();
  const video = new MediaStreamTrack({ kind: 'video' });
  const audio = new MediaStreamTrack({ kind: 'audio' });
  pc.addTransceiver(video, { direction: 'sendonly' });
  pc.addTransceiver(audio, { direction: 'sendonly' });
  const res = await signal(pc, `${server.base}/whip/${streamId}`, TOKEN);
  expect(res.status).toBe(201);
  const pattern = await ffmpegRtp({ fps: 15 }, (buf) => video.writeRtp(buf));
  const stopTone = await toneInto(audio);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    pattern.close();
    stopTone();
    await fetch(server.base + res.headers.get('location'), { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    await pc.close();
  };
  server.cleanup.push(close);
  return { close };
}

/** A WHEP viewer of video and audio, keeping what arrives of each kind. */
async function viewAv(streamId: string) {
  const pc = peer();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const got = { video: [] as RtpPacket[], audio: [] as RtpPacket[], audioMime: '', audioSr: [] as { sr: RtcpSrPacket; newest: number }[], lastAudioAt: 0 };
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((rtp) => {
      if (track.kind === 'audio') {
        got.audio.push(rtp);
        got.audioMime = track.codec?.mimeType ?? '';
        got.lastAudioAt = Date.now();
      } else got.video.push(rtp);
    });
    track.onReceiveRtcp.subscribe((p: RtcpPacket) => {
      if (track.kind === 'audio' && p.type === RtcpSrPacket.type && got.audio.length) got.audioSr.push({ sr: p as RtcpSrPacket, newest: got.audio.at(-1)!.header.timestamp });
    });
  });
  const res = await signal(pc, `${server.base}/whep/${streamId}`, TOKEN);
  expect(res.status).toBe(201);
  server.cleanup.push(() => pc.close());
  return got;
}

describe('audio through the SFU', () => {
  it('forwards a WHIP publisher’s Opus beside its video to a WHEP viewer, as it was sent', async () => {
    const streamId = 'av-whip-1';
    await publishAv(streamId);
    await eventually(async () => ((await server.router.producers.get(streamId)?.audio?.stats())?.packets ?? 0) > 10, 15_000, 'the publisher’s audio at the SFU');
    const producer = server.router.producers.get(streamId)!;
    expect(producer.kind).toBe('video');
    expect(producer.audio!.kind).toBe('audio');
    expect(producer.audio!.mimeType?.toLowerCase()).toBe('audio/opus');
    const got = await viewAv(streamId);
    await until(() => got.audio.length > 50 && got.video.length > 30, 15_000, 'audio and video at the viewer');
    expect(got.audioMime.toLowerCase()).toBe('audio/opus');
    // one Opus frame per packet, 20 ms apart: 960 ticks of the 48 kHz clock, numbers in order
    const a = got.audio.slice(-20);
    for (let i = 1; i < a.length; i++) {
      expect((a[i]!.header.sequenceNumber - a[i - 1]!.header.sequenceNumber) & 0xffff).toBe(1);
      expect((a[i]!.header.timestamp - a[i - 1]!.header.timestamp) >>> 0).toBe(960);
    }
    // Opus TOC byte (RFC 6716 §3.1): a 20 ms frame of any mode, as libopus sent it
    expect(a.every((p) => p.payload.length > 2)).toBe(true);
    // the SFU's stats list the viewer's audio consumer
    expect((await producer.audio!.stats()).consumers).toEqual([expect.objectContaining({ kind: 'audio', packets: expect.any(Number) })]);

    // sender reports of the audio, in the viewer's timestamp space: the RTP time they give is the
    // time of the packets arriving (within a second of 48 kHz ticks), so the browser can align sound and picture
    await until(() => got.audioSr.length >= 2, 15_000, 'two sender reports of the audio');
    const { sr, newest } = got.audioSr.at(-1)!;
    const apart = Math.abs((sr.senderInfo.rtpTimestamp - newest) | 0);
    expect(apart).toBeLessThan(48_000);
  });

  it('continues a viewer’s audio sequence and timestamps when its publisher returns', async () => {
    const streamId = 'av-return';
    const first = await publishAv(streamId);
    await eventually(async () => ((await server.router.producers.get(streamId)?.audio?.stats())?.packets ?? 0) > 10, 15_000, 'audio at the SFU');
    const got = await viewAv(streamId);
    await until(() => got.audio.length > 30, 15_000, 'audio before the drop');
    await first.close();
    await until(() => !server.router.producers.has(streamId), 5_000, 'the producer gone');
    const atDrop = got.audio.length;
    const droppedAt = got.lastAudioAt;
    await publishAv(streamId);
    await until(() => got.audio.length > atDrop + 30, 15_000, 'audio after the publisher returned');
    const before = got.audio[atDrop - 1]!.header;
    const after = got.audio[atDrop]!.header;
    expect((after.sequenceNumber - before.sequenceNumber) & 0xffff).toBe(1);
    expect(after.ssrc).toBe(before.ssrc);
    // RTP time runs on with the wall clock across the gap (48 kHz): forward, by about the time it took
    const ticks = (after.timestamp - before.timestamp) >>> 0;
    const gapMs = Date.now() - droppedAt;
    expect(ticks).toBeGreaterThan(0);
    expect(ticks).toBeLessThan((gapMs + 2000) * 48);
  });

  it('refuses a WHEP maxHeight that is not a height, with a clear reason', async () => {
    const pc = peer();
    pc.addTransceiver('video', { direction: 'recvonly' });
    const res = await signal(pc, `${server.base}/whep/av-whip-1?maxHeight=tall`, TOKEN);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'HUB_ERR_VALIDATION', message: expect.stringContaining('maxHeight') });
    await pc.close();
  });
});
