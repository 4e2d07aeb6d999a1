// The media role in the hub: a unit publishes its camera over WHIP with its own
// credential, an operator views it over WHEP, and /api/streams shows it.
import { afterAll, describe, expect, it } from 'vitest';
import { publishTestPattern, until, viewStream } from '../../test-support/webrtc-peers';
import { io as connect, type Socket } from 'socket.io-client';
import type { MediaAnswer } from '@hub/config';
import { ADMIN_TOKEN, withTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
const closers = withTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'] }, (hub) => (t = hub));

describe('media role', () => {
  it('lets a unit publish its own camera with its credential, and an operator view it', async () => {
    const { secret } = await t.createUnit('cam-1', 'bodycam');
    const streamId = (await t.hub.media!.streamIds.forUnit('cam-1'))!;
    expect(streamId).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits, not the unit id
    expect(await t.hub.media!.streamIds.forUnit('cam-1')).toBe(streamId); // issued once, kept
    const pub = await publishTestPattern(`${t.http}/whip/${streamId}`, `cam-1:${secret}`, 'vp8');
    closers.push(() => pub.close());
    expect(pub.status).toBe(201);

    const viewer = await viewStream(`${t.http}/whep/${streamId}`, ADMIN_TOKEN, 'vp8');
    closers.push(() => viewer.close());
    expect(viewer.res.status).toBe(201);
    await until(() => viewer.counter.packets > 30, 15_000, 'packets at the viewer');

    const streams = await t.api<{ streamId: string; viewers: number; bitrateKbps: number; mimeType: string }[]>('GET', '/api/streams');
    expect(streams.body).toEqual([expect.objectContaining({ streamId, unitId: 'cam-1', viewers: 1, mimeType: 'video/VP8' })]);
    expect(streams.body[0]!.bitrateKbps).toBeGreaterThan(0);
  });

  it("refuses a unit publishing another unit's stream, a unit viewing, and a wrong secret", async () => {
    const { secret } = await t.createUnit('cam-2', 'bodycam');
    await t.createUnit('cam-3', 'bodycam');
    const cam1 = (await t.hub.media!.streamIds.forUnit('cam-1'))!;
    const cam2 = (await t.hub.media!.streamIds.forUnit('cam-2'))!;
    const cam3 = (await t.hub.media!.streamIds.forUnit('cam-3'))!;
    const other = await publishTestPattern(`${t.http}/whip/${cam3}`, `cam-2:${secret}`, 'vp8');
    closers.push(() => other.close());
    expect(other.status).toBe(401);
    // the unit id is not a stream id
    const byUnitId = await publishTestPattern(`${t.http}/whip/cam-2`, `cam-2:${secret}`, 'vp8');
    closers.push(() => byUnitId.close());
    expect(byUnitId.status).toBe(401);
    const wrong = await publishTestPattern(`${t.http}/whip/${cam2}`, 'cam-2:not-the-secret', 'vp8');
    closers.push(() => wrong.close());
    expect(wrong.status).toBe(401);
    const unitViewing = await viewStream(`${t.http}/whep/${cam1}`, `cam-2:${secret}`, 'vp8');
    closers.push(() => unitViewing.close());
    expect(unitViewing.res.status).toBe(401);
  });
});

describe('socket.io signalling (/media)', () => {
  const sockets: Socket[] = [];
  afterAll(() => sockets.forEach((s) => s.close()));
  const open = (token?: string) => {
    const s = connect(`${t.http}/media`, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
    sockets.push(s);
    return s;
  };
  const offer = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

  it('refuses a connection without a credential, with the code and the reason', async () => {
    const err = await new Promise<Error & { data?: { code: string; message: string } }>((resolve) => open().once('connect_error', resolve));
    expect(err.data).toMatchObject({ code: 'HUB_ERR_AUTH_REQUIRED', message: expect.stringContaining('operator token') });
  });

  it('refuses viewing with a unit credential or a wrong token, and publishing another unit’s stream', async () => {
    const { secret } = await t.createUnit('cam-s1', 'bodycam');
    await t.createUnit('cam-s2', 'bodycam');
    const s2 = (await t.hub.media!.streamIds.forUnit('cam-s2'))!;

    const unit = open(`cam-s1:${secret}`);
    const hello = await new Promise<{ iceServers: unknown[] }>((r) => unit.once('hello', r));
    expect(hello.iceServers).toEqual([]);
    const view = (await unit.emitWithAck('view', { streamId: s2, sdp: offer })) as MediaAnswer;
    expect(view).toMatchObject({ ok: false, code: 'HUB_ERR_AUTH_INVALID', message: expect.stringContaining('operator token') });
    const other = (await unit.emitWithAck('publish', { streamId: s2, sdp: offer })) as MediaAnswer;
    expect(other).toMatchObject({ ok: false, code: 'HUB_ERR_AUTH_INVALID', message: expect.stringContaining('only its own stream') });
    const otherByUnit = (await unit.emitWithAck('publish', { unitId: 'cam-s2', sdp: offer })) as MediaAnswer;
    expect(otherByUnit).toMatchObject({ ok: false, code: 'HUB_ERR_AUTH_INVALID' });

    // a wrong secret or token is refused at connection (see media-roles.test.ts)

    const operator = open(ADMIN_TOKEN);
    expect(await operator.emitWithAck('view', { streamId: s2, sdp: offer })).toMatchObject({ ok: false, code: 'HUB_ERR_STREAM_NOT_FOUND' });
    expect(await operator.emitWithAck('view', { streamId: 'x', sdp: offer })).toMatchObject({ ok: false, code: 'HUB_ERR_BAD_REQUEST' });
  });

  it('documents every route at /docs: telemetry, alarms, incidents, operators, streams and recordings', async () => {
    const res = await fetch(`${t.http}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(doc.info.title).toBe('City monitoring hub API');
    for (const path of ['/api/units', '/api/alarms', '/api/geofences/{id}', '/api/incidents', '/api/operators', '/api/streams', '/api/recordings', '/api/recordings/{id}/index.m3u8']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });
});
