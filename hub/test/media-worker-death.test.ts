// A mediasoup worker killed (kill -9) under a live publisher and viewer: their sessions close
// (the agent and the browser player signal again by themselves), the death is counted at
// /metrics, a new worker takes the dead one's place, and a publisher that publishes again is
// watched again. Real peers: the edge agent's WHIP test pattern, a werift WHEP viewer.
import { describe, expect, it } from 'vitest';
import { MediasoupRouter } from '@hub/media-server';
import { publishTestPattern, until, viewStream } from '../../test-support/webrtc-peers';
import { ADMIN_TOKEN, eventually, withTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
const closers = withTestHub({ 'media.engine': 'mediasoup', 'media.workers': 2, 'media.rtcPort': 0, 'media.additionalHostAddresses': ['127.0.0.1'] }, (hub) => (t = hub));

const deaths = async () => Number(/^hub_media_worker_deaths_total (\d+)/m.exec(await (await fetch(`${t.http}/metrics`)).text())?.[1]);

async function publishAndView(streamId: string) {
  const pub = await publishTestPattern(`${t.http}/whip/${streamId}`, ADMIN_TOKEN, 'vp8');
  closers.push(() => pub.close());
  expect(pub.status).toBe(201);
  await eventually(async () => ((await t.hub.media!.router.producers.get(streamId)?.stats())?.packets ?? 0) > 10, 20_000, 'the publisher’s packets at the SFU');
  const viewer = await viewStream(`${t.http}/whep/${streamId}`, ADMIN_TOKEN, 'vp8');
  closers.push(() => viewer.close());
  expect(viewer.res.status).toBe(201);
  await until(() => viewer.counter.packets > 30, 30_000, 'media at the viewer');
  return { pub, viewer };
}

describe('a mediasoup worker that dies', () => {
  it('closes its peers’ sessions, is counted and replaced, and its stream is watched again once published again', async () => {
    const router = t.hub.media!.router as MediasoupRouter;
    expect(router.workers).toHaveLength(2);
    expect(await deaths()).toBe(0);
    const streamId = 'cam-worker-death';
    const { pub } = await publishAndView(streamId);

    const home = router.workers.find((w) => w.homed === 1)!;
    const { pid } = home.worker;
    process.kill(pid, 'SIGKILL');

    // the publisher's and the viewer's transports were on it: they close, and the stream with them
    await eventually(async () => !router.producers.has(streamId) && router.transports.size === 0, 20_000, 'the dead worker’s sessions closed');
    expect(await deaths()).toBe(1);
    await eventually(async () => router.workers.length === 2 && router.workers.every((w) => w.worker.pid !== pid), 30_000, 'a new worker in the dead one’s place');

    // the agent publishes again (its WHIP session is gone); a new viewer watches
    await pub.close();
    await publishAndView(streamId);
  }, 120_000);
});
