// The hub on the mediasoup engine (`media.engine: 'mediasoup'`), end to end: the edge agent's
// test pattern over WHIP reaches a WHEP viewer through the worker, and the recorder's tap (a
// PlainTransport consumer) records it into HLS that ffprobe plays.
import { describe, expect, it } from 'vitest';
import type { Recording } from '@hub/config';
import { MediasoupRouter } from '@hub/media-server';
import { publishTestPattern, viewStream } from '../../test-support/webrtc-peers';
import { ADMIN_TOKEN, eventually, withTestHub, type TestHub } from '../../test-support/test-hub';
import { checkPlayback } from './support/recording-playback';

let t: TestHub;
const closers = withTestHub({ 'media.engine': 'mediasoup', 'media.rtcPort': 0, 'media.additionalHostAddresses': ['127.0.0.1'] }, (hub) => (t = hub));

describe('the hub on the mediasoup engine', () => {
  it('carries a WHIP publisher to a WHEP viewer, and records it so that it plays', async () => {
    expect(t.hub.media?.router).toBeInstanceOf(MediasoupRouter);
    const streamId = 'ms-e2e';
    const pub = await publishTestPattern(`${t.http}/whip/${streamId}`, ADMIN_TOKEN, 'h264');
    closers.push(() => pub.close());
    expect(pub.status).toBe(201);

    const viewer = await viewStream(`${t.http}/whep/${streamId}`, ADMIN_TOKEN, 'h264');
    closers.push(() => viewer.close());
    expect(viewer.res.status).toBe(201);
    await eventually(async () => viewer.counter.packets >= 100, 30_000, '100 packets at the WHEP viewer');
    expect(viewer.counter.mimeType.toLowerCase()).toBe('video/h264');

    const started = await t.api<Recording>('POST', '/api/recordings', { streamId, reason: 'test' });
    expect(started.status).toBe(201);
    const { id } = started.body;
    await eventually(async () => (await t.api<Recording>('GET', `/api/recordings/${id}`)).body.durationMs >= 4000, 60_000, '4 s of indexed segments');
    const stopped = await t.api<Recording>('POST', `/api/recordings/${id}/stop`);
    expect(stopped.body).toMatchObject({ state: 'ended', codec: 'video/H264' });
    const { probe } = await checkPlayback(t, id);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
  }, 150_000);
});
