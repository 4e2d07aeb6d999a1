// The mediasoup engine on several workers: a stream's viewers past one worker's share
// (viewersPerWorker) are served from another worker, the stream piped there, and all of them get
// its media, through a returning publisher too; a viewer is refused only when every worker is
// full; each worker's transports use its WebRtcServer's one fixed port (rtcPort + index), the
// port the answers name. A worker that dies takes only its own viewers with it, and is
// replaced. Real peers: the edge agent's WHIP test pattern, werift WHEP viewers.
import { afterEach, describe, expect, it } from 'vitest';
import { MediasoupRouter } from '../src';
import { useWhipServer } from './support/whip-server';
import { publishTestPattern, until, viewStream, type Viewer } from '../../test-support/webrtc-peers';
import { freePort } from '../../test-support/ports';
import { eventually } from '../../test-support/wait';

const TOKEN = 'media-test-token';
let STREAM = 'cam-workers';
let rtcPort = 0;
const server = useWhipServer({
  token: TOKEN,
  create: async () => {
    rtcPort = await freePort();
    return MediasoupRouter.create({ workers: 2, viewersPerWorker: 2, rtcPort, additionalHostAddresses: ['127.0.0.1'] });
  },
});

async function view(): Promise<Viewer & { answer: string }> {
  const v = await viewStream(`${server.base}/whep/${STREAM}`, TOKEN, 'vp8');
  server.cleanup.push(() => v.close());
  return { ...v, answer: v.res.status === 201 ? await v.res.text() : '' };
}

/** the ports of an answer's host candidates, UDP and TCP */
function candidatePorts(answer: string): { udp: number[]; tcp: number[] } {
  const ports = (protocol: string) => [...answer.matchAll(new RegExp(`^a=candidate:\\S+ 1 ${protocol} \\d+ \\S+ (\\d+) typ host`, 'gm'))].map((m) => Number(m[1]));
  return { udp: ports('udp'), tcp: ports('tcp') };
}

async function publish() {
  const pub = await publishTestPattern(`${server.base}/whip/${STREAM}`, TOKEN, 'vp8');
  server.cleanup.push(() => pub.close());
  expect(pub.status).toBe(201);
  await eventually(async () => ((await server.router.producers.get(STREAM)?.stats())?.packets ?? 0) > 10, 20_000, 'the publisher’s packets at the SFU');
  return pub;
}

/** each viewer's packet count grows by `n` from now */
async function allReceive(viewers: Viewer[], n: number, what: string): Promise<void> {
  const from = viewers.map((v) => v.counter.packets);
  await until(() => viewers.every((v, i) => v.counter.packets > from[i]! + n), 30_000, what);
}

describe('the mediasoup engine on two workers', () => {
  afterEach(async () => {
    for (const fn of server.cleanup.splice(0).reverse()) await fn();
    await eventually(async () => server.router.transports.size === 0, 20_000, 'every session closed');
  });

  it('serves a stream’s viewers past one worker’s share from the other, piped, and refuses one only when both are full', async () => {
    const router = server.router;
    expect(router.workers.map((w) => w.index).sort()).toEqual([0, 1]);
    const pub = await publish();

    const viewers = [await view(), await view(), await view(), await view()];
    expect(viewers.map((v) => v.res.status)).toEqual([201, 201, 201, 201]);

    // two viewers on each worker: the stream's own (which also holds its publisher) and the other
    const home = router.workers.find((w) => w.homed === 1)!;
    const other = router.workers.find((w) => w !== home)!;
    expect(router.workers.map((w) => w.streams.get(STREAM)?.viewers.size)).toEqual([2, 2]);
    // the workers' own count: their WebRtcServers' transports
    const onServer = async (w: typeof home) => ((await w.webRtcServer.dump()) as { webRtcTransportIds: string[] }).webRtcTransportIds.length;
    expect([await onServer(home), await onServer(other)]).toEqual([3, 2]);

    // each answer names its worker's fixed port, UDP and TCP
    const portOf = (w: typeof home) => rtcPort + w.index;
    for (const [i, v] of viewers.entries()) {
      const expected = portOf(i < 2 ? home : other);
      const { udp, tcp } = candidatePorts(v.answer);
      expect(udp.length).toBeGreaterThan(0);
      expect(new Set([...udp, ...tcp])).toEqual(new Set([expected]));
    }

    await allReceive(viewers, 30, 'media at all four viewers, two of them through the pipe');

    // both workers full: the fifth is refused, with the wall's reason
    const fifth = await view();
    expect(fifth.res.status).toBe(503);
    const body = (await fifth.res.json()) as { code: string; message: string };
    expect(body.code).toBe('HUB_ERR_VIEWER_LIMIT');
    expect(body.message).toContain('limit of 2 viewers');

    // the publisher drops and returns: the viewers on both workers get its media again
    await pub.close();
    await eventually(async () => !router.producers.has(STREAM), 20_000, 'the publisher gone');
    await publish();
    await allReceive(viewers, 30, 'media at all four viewers from the returning publisher');

    // the other worker's two viewers leave: the stream's pipe into it closes
    const left = async (v: Viewer) => {
      const res = await fetch(server.base + v.res.headers.get('location')!, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
    };
    await left(viewers[2]!);
    await left(viewers[3]!);
    await eventually(async () => !other.streams.has(STREAM), 10_000, 'the stream no longer on the other worker');
    await eventually(async () => (await other.router.dump()).mapProducerIdConsumerIds.length === 0, 10_000, 'the pipe producers closed on the other worker');

    // and a new viewer is served there again
    const again = await view();
    expect(again.res.status).toBe(201);
    await allReceive([again], 30, 'media at a viewer let in on the other worker again');
  });

  it('loses only the viewers on a worker that dies, and serves viewers from its replacement', async () => {
    STREAM = 'cam-worker-dies';
    const router = server.router;
    await publish();
    const viewers = [await view(), await view(), await view()];
    expect(viewers.map((v) => v.res.status)).toEqual([201, 201, 201]);
    const home = router.workers.find((w) => w.homed === 1)!;
    const other = router.workers.find((w) => w !== home)!;
    expect(other.streams.get(STREAM)?.viewers.size).toBe(1);
    await allReceive(viewers, 30, 'media at the three viewers');

    const { pid } = other.worker;
    process.kill(pid, 'SIGKILL');
    // the piped viewer's session closes; the publisher and the two viewers on the stream's worker stay
    await eventually(async () => router.transports.size === 3, 20_000, 'the dead worker’s viewer gone, the rest kept');
    await allReceive(viewers.slice(0, 2), 30, 'media at the viewers on the stream’s own worker after the other died');

    await eventually(async () => router.workers.length === 2 && router.workers.every((w) => w.worker.pid !== pid), 30_000, 'a new worker in the dead one’s place');
    const next = await view();
    expect(next.res.status).toBe(201);
    expect(router.workers.find((w) => w.index === other.index)?.streams.get(STREAM)?.viewers.size).toBe(1);
    await allReceive([next], 30, 'media at a viewer served from the new worker');
  });
});
