// Cameras on demand, end to end: the wall asks for a unit's camera, the hub commands the
// real edge agent over MQTT, the agent publishes over WHIP, a WHEP viewer gets video;
// with nobody watching, the hub tells the agent to stop. An SOS starts it at once.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnitAgent, attachOnDemandVideo } from '@hub/edge-agent';
import { until, viewStream } from '../../test-support/webrtc-peers';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'], 'media.idleStopSeconds': 2 });
});
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await t?.close();
});

async function unitWithCamera(unitId: string) {
  const { secret } = await t.createUnit(unitId, 'vehicle');
  const agent = await UnitAgent.start({ unitId, secret, broker: t.mqtt, reconnectMs: 100 });
  const video = attachOnDemandVideo(agent, { hubUrl: t.http, unitId, secret, additionalHostAddresses: ['127.0.0.1'] });
  closers.push(
    () => agent.close(),
    () => video.close(),
  );
  await until(() => agent.stats.connected, 10_000, 'agent connected');
  return { agent, video };
}

describe('cameras on demand', () => {
  it('starts a unit’s camera when the wall asks, and stops it when nobody watches', async () => {
    const { video } = await unitWithCamera('van-7');
    expect(t.hub.media!.router.producers.size).toBe(0); // nothing streams until asked
    const res = await t.api<{ unitId: string; streamId: string; state: string; whep: string }>('POST', '/api/streams/van-7/start');
    expect(res.status).toBe(200);
    const { streamId } = res.body;
    expect(streamId).not.toContain('van-7');
    expect(res.body).toMatchObject({ unitId: 'van-7', state: 'started', whep: `/whep/${streamId}` });
    const listed = await t.api<{ streamId: string; unitId: string }[]>('GET', '/api/streams');
    expect(listed.body).toEqual([expect.objectContaining({ streamId, unitId: 'van-7' })]);

    const viewer = await viewStream(`${t.http}/whep/${streamId}`, ADMIN_TOKEN, 'vp8');
    expect(viewer.res.status).toBe(201);
    await until(() => viewer.counter.packets > 20, 10_000, 'video at the viewer');
    // asking again while it is live answers at once
    expect((await t.api<{ state: string; streamId: string }>('POST', '/api/streams/van-7/start')).body).toMatchObject({ state: 'live', streamId });

    await fetch(t.http + viewer.res.headers.get('location')!, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await viewer.close();
    await until(() => !t.hub.media!.router.producers.has(streamId), 10_000, 'the idle stream stopped');
    expect(video.publisher()).toBeUndefined();
  });

  it('says why when the unit is not connected', async () => {
    await t.createUnit('van-off', 'vehicle');
    const res = await t.api<{ code: string; message: string }>('POST', '/api/streams/van-off/start');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'HUB_ERR_UNIT_OFFLINE' });
  });

  it('starts the camera at once on an SOS and keeps it without viewers until the SOS is acknowledged', async () => {
    const { agent } = await unitWithCamera('cam-sos');
    await agent.sos('help');
    const streamId = (await t.hub.media!.streamIds.forUnit('cam-sos'))!;
    await until(() => t.hub.media!.router.producers.has(streamId), 10_000, 'the SOS stream');
    await new Promise((r) => setTimeout(r, 3500)); // longer than idleStopSeconds, nobody watching
    expect(t.hub.media!.router.producers.has(streamId)).toBe(true);
    const [sos] = (await t.api<{ id: number }[]>('GET', '/api/alarms?unitId=cam-sos&kind=sos')).body;
    await t.api('POST', `/api/alarms/${sos!.id}/ack`, { note: 'seen' });
    await until(() => !t.hub.media!.router.producers.has(streamId), 10_000, 'the stream stopped after the acknowledgement');
  });

  it('publishes again when the hub has ended the unit’s session (taken as silent), at the next start', async () => {
    const { video } = await unitWithCamera('van-silent');
    const first = await t.api<{ streamId: string; state: string }>('POST', '/api/streams/van-silent/start');
    expect(first.body.state).toBe('started');
    const { streamId } = first.body;
    const viewer = await viewStream(`${t.http}/whep/${streamId}`, ADMIN_TOKEN, 'vp8');
    closers.push(() => viewer.close());
    await until(() => viewer.counter.packets > 20, 10_000, 'video at the viewer');
    const old = video.publisher()!;
    // the hub takes a publisher as silent only after seconds of silence, never just after it began
    // (a start within 3 s of the publisher's own repeats the start in flight: on-demand.ts)
    await until(() => Date.now() - old.startedAt > 3500, 10_000, 'the publisher a few seconds old');
    // what the hub does to a publisher whose packets stopped arriving (signalling-liveness.ts)
    t.hub.media!.router.producers.get(streamId)!.close();
    // the wall's tile asks again: the agent must not answer "already publishing" for a session the hub ended
    const again = await t.api<{ streamId: string; state: string; code?: string }>('POST', '/api/streams/van-silent/start');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ streamId, state: 'started' });
    expect(video.publisher()).not.toBe(old);
    expect(old.closed).toBe(true);
    // the waiting viewer gets the new publisher's video without signalling again
    const before = viewer.counter.packets;
    await until(() => viewer.counter.packets > before + 20, 15_000, 'video at the viewer from the new publisher');
    await video.close();
  });

  it('publishes again at the next start when its encoder died (ffmpeg gone), and ends the dead session at once', async () => {
    const { video } = await unitWithCamera('van-enc');
    const { streamId } = (await t.api<{ streamId: string }>('POST', '/api/streams/van-enc/start')).body;
    const viewer = await viewStream(`${t.http}/whep/${streamId}`, ADMIN_TOKEN, 'vp8');
    closers.push(() => viewer.close());
    await until(() => viewer.counter.packets > 20, 10_000, 'video at the viewer');
    const old = video.publisher()!;
    // the camera's ffmpeg processes die (the only ones this process runs now), as the OOM killer would kill them
    const ffmpegs = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim().endsWith('ffmpeg'))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(ffmpegs.length).toBeGreaterThan(0);
    for (const pid of ffmpegs) process.kill(pid, 'SIGKILL');
    // the agent ends its WHIP session itself: the hub frees the stream well before the silence limit
    await until(() => !t.hub.media!.router.producers.has(streamId), 3_000, 'the dead session ended by the agent');
    const again = await t.api<{ streamId: string; state: string }>('POST', '/api/streams/van-enc/start');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(video.publisher()).not.toBe(old);
    const before = viewer.counter.packets;
    await until(() => viewer.counter.packets > before + 20, 15_000, 'video at the viewer from the new publisher');
  });
});
