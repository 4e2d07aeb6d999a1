// WHIP publish and WHEP view through the SFU with real WebRTC peers (werift) on
// loopback, fed by ffmpeg's test pattern as RTP, in VP8 and in H.264.
import { describe, expect, it } from 'vitest';
import { MediaStreamTrack } from 'werift';
import { useWhipServer } from './support/whip-server';
import { peer, publishTestPattern, signal, until, viewStream, type Codec } from '../../test-support/webrtc-peers';
import { eventually } from '../../test-support/wait';

const TOKEN = 'media-test-token';
const server = useWhipServer({ token: TOKEN, router: { publisherReturnMs: 1500 } });

async function publish(streamId: string, codec: Codec) {
  const p = await publishTestPattern(`${server.base}/whip/${streamId}`, TOKEN, codec);
  server.cleanup.push(() => p.close());
  expect(p.status).toBe(201);
  return { ...p, location: p.location! };
}

async function view(streamId: string, codec: Codec, token = TOKEN) {
  const v = await viewStream(`${server.base}/whep/${streamId}`, token, codec);
  server.cleanup.push(() => v.close());
  return v;
}

describe('WHIP → SFU → WHEP', () => {
  for (const codec of ['vp8', 'h264'] as const) {
    it(`forwards ${codec.toUpperCase()} from a WHIP publisher to a WHEP viewer as it is`, async () => {
      const streamId = `cam-${codec}-1`;
      await publish(streamId, codec);
      await eventually(async () => ((await server.router.producers.get(streamId)?.stats())?.packets ?? 0) > 10, 10_000, 'the publisher’s packets at the SFU');
      const viewer = await view(streamId, codec);
      expect(viewer.res.status).toBe(201);
      expect(viewer.res.headers.get('content-type')).toBe('application/sdp');
      await until(() => viewer.counter.packets > 30, 10_000, 'packets at the viewer');
      expect(viewer.counter.mimeType.toLowerCase()).toBe(`video/${codec}`);
      expect((await server.router.producers.get(streamId)!.stats()).keyFrameRequests).toBeGreaterThanOrEqual(1);
    });
  }

  it('refuses publishing and viewing without a valid token, and viewing a stream nobody publishes', async () => {
    const pub = peer('vp8');
    pub.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    const refused = await signal(pub, `${server.base}/whip/cam-refused`, 'wrong');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'HUB_ERR_AUTH_INVALID' });
    await pub.close();
    const anonymous = await view('cam-vp8-1', 'vp8', '');
    expect(anonymous.res.status).toBe(401);
    const missing = await view('nobody-publishes', 'vp8');
    expect(missing.res.status).toBe(404);
    expect(await missing.res.json()).toMatchObject({ code: 'HUB_ERR_STREAM_NOT_FOUND' });
  });

  it('frees the sessions: DELETE of a viewer closes its transport; viewers of a publisher that never returns are closed', async () => {
    const streamId = 'cam-free';
    const pub = await publish(streamId, 'vp8');
    await until(() => server.router.producers.has(streamId), 10_000, 'producer');
    const v = await view(streamId, 'vp8');
    const before = server.router.transports.size;
    const del = await fetch(server.base + v.res.headers.get('location')!, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(del.status).toBe(200);
    expect(server.router.transports.size).toBe(before - 1);
    const v2 = await view(streamId, 'vp8');
    const v2Session = v2.res.headers.get('location')!.split('/').pop()!;
    expect(server.router.producers.get(streamId)!.consumers.size).toBe(1);
    await fetch(server.base + pub.location, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(server.router.producers.has(streamId)).toBe(false);
    expect(server.router.waiting(streamId)).toHaveLength(1); // "reconnecting"
    await until(() => !server.router.transports.has(v2Session), 5_000, 'the waiting viewer closed after publisherReturnMs');
  });

  it('resumes a viewer by itself when its publisher returns under the same stream id', async () => {
    const streamId = 'cam-back';
    const first = await publish(streamId, 'vp8');
    await until(() => server.router.producers.has(streamId), 10_000, 'producer');
    const v = await view(streamId, 'vp8');
    await until(() => v.counter.packets > 20, 10_000, 'video before the drop');
    const consumer = [...server.router.producers.get(streamId)!.consumers.values()][0]!;
    const events: string[] = [];
    consumer.on('producerpause', () => events.push('pause'));
    consumer.on('producerresume', () => events.push('resume'));
    await fetch(server.base + first.location, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    await first.close();
    const atDrop = v.counter.packets;
    await publish(streamId, 'vp8'); // the camera comes back; the viewer does not signal again
    await until(() => v.counter.packets > atDrop + 20, 10_000, 'video after the publisher returned');
    expect(events).toEqual(['pause', 'resume']);
    expect(consumer.closed).toBe(false);
  });
});
