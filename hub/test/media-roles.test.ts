// Media and recordings obey roles: a stream is published by its own unit, or by a coordinator
// or admin, never a viewer (WHIP and /media alike); /media checks the credential before
// `hello`, so no TURN credential reaches a socket it refused; a recording is started and
// stopped by the rules or a coordinator; every publish, recording start and stop is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { MediaStreamTrack } from 'werift';
import type { AuditEntry, Incident, MediaAnswer, MediaHello, Recording } from '@hub/config';
import { peer, publishTestPattern, signal } from '../../test-support/webrtc-peers';
import { eventually, startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  t = await startTestHub({
    'media.additionalHostAddresses': ['127.0.0.1'],
    // no TURN server runs: the test looks only at who is given a credential for it
    'media.turn': { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 'turn-secret-for-tests-0123' },
  });
});
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await t?.close();
});

function open(token: string): Socket {
  const s = connect(`${t.http}/media`, { auth: { token }, transports: ['websocket'], reconnection: false });
  closers.push(() => s.close());
  return s;
}

/** How the handshake ended: the refusal's data, or the hello. */
function outcome(s: Socket): Promise<{ refused?: { code: string; message: string }; hello?: MediaHello }> {
  return new Promise((resolve) => {
    s.once('connect_error', (err: Error & { data?: { code: string; message: string } }) => resolve({ refused: err.data }));
    s.once('hello', (hello: MediaHello) => resolve({ hello }));
  });
}

/** A real publisher's offer: one sendonly video track. */
async function publisherOffer(): Promise<string> {
  const pc = peer('vp8');
  closers.push(() => pc.close());
  pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription!.sdp;
}

const audit = async (action: string) => (await t.api<AuditEntry[]>('GET', `/api/audit?action=${action}&limit=1000`)).body;

describe('/media authenticates before hello', () => {
  it('refuses a made-up token and a wrong unit secret at connection, without hello or TURN credential; a valid one gets its own', async () => {
    const { secret } = await t.createUnit('cam-h1', 'bodycam');
    const viewer = await t.createOperator('wall.viewer', 'viewer');
    for (const token of ['made-up-token', 'cam-h1:not-the-secret', 'nobody:whatever']) {
      const s = open(token);
      let hellos = 0;
      s.on('hello', () => hellos++);
      const r = await outcome(s);
      expect(r.refused, token).toMatchObject({ code: 'HUB_ERR_AUTH_INVALID', message: expect.stringContaining('not accepted') });
      expect(hellos, token).toBe(0);
      expect(s.connected).toBe(false);
    }
    const unit = await outcome(open(`cam-h1:${secret}`));
    expect(unit.hello!.iceServers).toEqual([expect.objectContaining({ username: expect.stringMatching(/^\d+:unit:cam-h1$/), credential: expect.any(String) })]);
    const operator = await outcome(open(viewer.token));
    expect(operator.hello!.iceServers).toEqual([expect.objectContaining({ username: expect.stringMatching(/^\d+:wall\.viewer$/) })]);
  });
});

describe('who may publish', () => {
  it('refuses a viewer publishing a unit’s stream over WHIP and over /media (403), and audits nothing for it', async () => {
    await t.createUnit('cam-p1', 'bodycam');
    const streamId = (await t.hub.media!.streamIds.forUnit('cam-p1'))!;
    const viewer = await t.createOperator('viewer.p1', 'viewer');

    const pc = peer('vp8');
    closers.push(() => pc.close());
    pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    const res = await signal(pc, `${t.http}/whip/${streamId}`, viewer.token);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'HUB_ERR_FORBIDDEN', message: expect.stringContaining('may not publish') });
    expect(t.hub.media!.router.producers.has(streamId)).toBe(false);

    const s = open(viewer.token);
    await outcome(s);
    const answer = (await s.emitWithAck('publish', { streamId, sdp: await publisherOffer() })) as MediaAnswer;
    expect(answer).toMatchObject({ ok: false, code: 'HUB_ERR_FORBIDDEN' });
    const byUnit = (await s.emitWithAck('publish', { unitId: 'cam-p1', sdp: await publisherOffer() })) as MediaAnswer;
    expect(byUnit).toMatchObject({ ok: false, code: 'HUB_ERR_FORBIDDEN' });
    expect(t.hub.media!.router.producers.has(streamId)).toBe(false);
    expect((await audit('video_publish')).filter((e) => e.target === streamId)).toEqual([]);
  });

  it('lets a coordinator publish over WHIP and a unit its own stream over /media, and audits each publish: who, stream, unit, how', async () => {
    await t.createUnit('cam-p2', 'bodycam');
    const { secret } = await t.createUnit('cam-p3', 'bodycam');
    const s2 = (await t.hub.media!.streamIds.forUnit('cam-p2'))!;
    const s3 = (await t.hub.media!.streamIds.forUnit('cam-p3'))!;
    const coord = await t.createOperator('coord.p2', 'coordinator');

    const pub = await publishTestPattern(`${t.http}/whip/${s2}`, coord.token, 'vp8');
    closers.push(() => pub.close());
    expect(pub.status).toBe(201);

    const unit = open(`cam-p3:${secret}`);
    await outcome(unit);
    const answer = (await unit.emitWithAck('publish', { unitId: 'cam-p3', sdp: await publisherOffer() })) as MediaAnswer;
    expect(answer).toMatchObject({ ok: true, streamId: s3 });

    const rows = await audit('video_publish');
    expect(rows.filter((e) => e.target === s2)).toEqual([expect.objectContaining({ actor: 'coord.p2', detail: expect.objectContaining({ unitId: 'cam-p2', via: 'whip' }) })]);
    expect(rows.filter((e) => e.target === s3)).toEqual([
      expect.objectContaining({ actor: 'unit:cam-p3', detail: expect.objectContaining({ unitId: 'cam-p3', via: 'socket.io', sessionId: answer.ok ? answer.sessionId : '' }) }),
    ]);
  });
});

describe('who may start and stop recordings', () => {
  it('refuses a viewer starting or stopping one (an open incident’s included); a coordinator does both, and both are audited', async () => {
    await t.createUnit('cam-r1', 'bodycam');
    const viewer = await t.createOperator('viewer.r1', 'viewer');
    const coord = await t.createOperator('coord.r1', 'coordinator');
    const call = async <T>(method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(t.http + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    };
    const incident = await call<Incident>('POST', '/api/incidents', coord.token, { type: 'fight', lat: 22.54, lon: 114.05 });
    expect(incident.status).toBe(201);

    const refused = await call<{ code: string; message: string }>('POST', '/api/recordings', viewer.token, { unitId: 'cam-r1', reason: 'curious' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'HUB_ERR_FORBIDDEN', message: expect.stringContaining('coordinator') });
    expect(t.hub.media!.recorder.active()).toEqual([]);

    const started = await call<Recording>('POST', '/api/recordings', coord.token, { unitId: 'cam-r1', incidentId: String(incident.body.id) });
    expect(started.status).toBe(201);
    const id = started.body.id;
    const stopByViewer = await call<{ code: string }>('POST', `/api/recordings/${id}/stop`, viewer.token);
    expect(stopByViewer.status).toBe(403);
    expect(stopByViewer.body.code).toBe('HUB_ERR_FORBIDDEN');
    expect(t.hub.media!.recorder.active().map((r) => r.id)).toEqual([id]);

    const stopped = await call<Recording>('POST', `/api/recordings/${id}/stop`, coord.token);
    expect(stopped.status).toBe(200);
    expect(stopped.body.state).toBe('ended');

    const incidentId = String(incident.body.id);
    await eventually(async () => (await audit('recording_stop')).some((e) => e.target === id), 10_000, 'the stop in the audit log');
    expect((await audit('recording_start')).filter((e) => e.target === id)).toEqual([
      expect.objectContaining({ actor: 'coord.r1', detail: expect.objectContaining({ unitId: 'cam-r1', incidentId, reason: 'incident' }) }),
    ]);
    expect((await audit('recording_stop')).filter((e) => e.target === id)).toEqual([expect.objectContaining({ actor: 'coord.r1', detail: expect.objectContaining({ unitId: 'cam-r1', incidentId }) })]);
  });

  it('audits the admin token as "admin"', async () => {
    const started = await t.api<Recording>('POST', '/api/recordings', { streamId: 'desk-stream-1', reason: 'test' });
    expect(started.status).toBe(201);
    await t.api('POST', `/api/recordings/${started.body.id}/stop`);
    await eventually(async () => (await audit('recording_stop')).some((e) => e.target === started.body.id && e.actor === 'admin'), 10_000, 'the admin’s stop');
    expect((await audit('recording_start')).filter((e) => e.target === started.body.id).map((e) => e.actor)).toEqual(['admin']);
  });
});
