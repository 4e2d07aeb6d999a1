// Media across hubs (issue 14), with real processes: Redis, one PostgreSQL database, hubs A and
// B in this process (hub C as its own process, so that it can be killed), real WebRTC peers.
// A stream's publisher lands on one hub; a viewer who asks another hub is relayed there and
// plays; its DELETE through the hub it talks to ends the session where it lives; a camera
// started on demand from hub A answers live once its unit publishes to hub B; a hub that dies
// with its stream answers 502 through the others until its lease runs out, then 404.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type Alarm, type ApiError, type Incident, type Recording, type RecordingSegment, type StreamInfo, type StreamStartResponse, type UnitStream } from '@hub/config';
import { untar } from '../../test-support/untar';
import { createHash } from 'node:crypto';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { startRedis, type TestRedis } from '../../test-support/redis';
import { connectMqttUnit } from '../../test-support/mqtt-unit';
import { publishTestPattern, viewStream, type Publisher, type Viewer } from '../../test-support/webrtc-peers';
import { spawnHubProcess, waitForOutput, type HubProcess } from '../../test-support/hub-process';
import { freePort } from '../../test-support/ports';
import { artifactDir, launchChromium } from '../../test-support/browser';
import { UnitAgent, attachOnDemandVideo } from '@hub/edge-agent';
import { login, openWall } from './support/wall-page';
import { GeneralResult, MessageId, type LiveVideoRequest } from '@hub/jt808';
import { Jt808Terminal } from '../../test-support/jt808-terminal';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const closers: (() => Promise<unknown>)[] = [];

const LEASE_MS = 1500;
/** media.idleStopSeconds of hubs A and B: short, so that the test sees the idle stop */
const IDLE_STOP_S = 2;
let redis: TestRedis;
let a: TestHub;
let b: TestHub;
const clients: MqttClient[] = [];
const peers: (Publisher | Viewer)[] = [];
const member = (hubId: string) => ({
  'cluster.redisUrl': redis.url,
  'cluster.hubId': hubId,
  'cluster.leaseMs': LEASE_MS,
  'media.idleStopSeconds': IDLE_STOP_S,
  // Chromium on this machine reaches the SFU on loopback
  'media.additionalHostAddresses': ['127.0.0.1'],
});

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestHub(member('hub-a'));
  b = await startTestHub(member('hub-b'), { db: a.db });
}, 120_000);

afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
  for (const p of peers) await p.close().catch(() => {});
  for (const c of clients) c.end(true);
  await b?.close();
  await a?.close();
  await redis?.close();
});

async function streamOf(unitId: string): Promise<string> {
  const res = await a.api<UnitStream>('GET', `/api/units/${unitId}/stream`);
  expect(res.status).toBe(200);
  return res.body.streamId;
}

const consumersOn = (hub: TestHub, streamId: string) => hub.hub.media!.router.producers.get(streamId)?.consumers.size ?? 0;

/** A WHEP viewer (a real werift peer) of `streamId` through the hub at `http`. */
async function view(http: string, streamId: string): Promise<Viewer> {
  const viewer = await viewStream(`${http}/whep/${streamId}`, ADMIN_TOKEN, 'vp8');
  peers.push(viewer);
  return viewer;
}

/** A new unit whose stream a coordinator's test pattern publishes to hub B. */
async function publishToB(unitId: string): Promise<{ streamId: string; publisher: Publisher }> {
  await a.createUnit(unitId);
  const streamId = await streamOf(unitId);
  const publisher = await publishTestPattern(`${b.http}/whip/${streamId}`, ADMIN_TOKEN, 'vp8');
  peers.push(publisher);
  expect(publisher.status).toBe(201);
  return { streamId, publisher };
}

describe('media across hubs', () => {
  it('a viewer on hub A of a stream published to hub B plays it from B; its DELETE through A ends the session on B', async () => {
    const { streamId, publisher } = await publishToB('cm-car-1');

    const viewer = await view(a.http, streamId);
    expect(viewer.res.status, await viewer.res.clone().text()).toBe(201);
    await eventually(async () => viewer.counter.packets > 20, 20_000, 'frames at the viewer of hub A');
    // the session lives on B, where the producer is (and its viewer limit and audit): A holds no transport
    expect(consumersOn(b, streamId)).toBe(1);
    expect(a.hub.media!.router.transports.size).toBe(0);
    // the operators' list of streams spans the cluster, whichever hub is asked
    for (const hub of [a, b]) {
      const listed = await hub.api<StreamInfo[]>('GET', '/api/streams');
      expect(listed.body.find((s) => s.streamId === streamId)).toMatchObject({ hubId: 'hub-b', viewers: 1 });
    }
    const location = viewer.res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/whep/${streamId}/`));

    const deleted = await fetch(a.http + location, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(deleted.status).toBe(200);
    await eventually(async () => consumersOn(b, streamId) === 0, 10_000, 'the session on B ended');
    // the registry forgets a stream whose producer closed: A then says it is not published
    await publisher.close();
    await eventually(async () => (await view(a.http, streamId)).res.status === 404, 10_000, 'A answers 404 once the publisher on B is gone');
    // B authorized the view: a viewer without a token is refused there, and A says what B said
    const anonymous = await fetch(`${a.http}/whep/${streamId}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ApiError).code).toBe('HUB_ERR_AUTH_REQUIRED');
  }, 60_000);

  it('a camera started on demand from hub A answers live once its unit publishes to hub B, and A’s viewer plays it', async () => {
    const { secret } = await a.createUnit('cm-car-2');
    const unit = await connectMqttUnit(b.mqtt, 'cm-car-2', secret);
    clients.push(unit.client);
    const online = async () => (await a.hub.db.query<{ online: boolean }>('SELECT online FROM units WHERE id = $1', ['cm-car-2'])).rows[0]?.online;
    await eventually(online, 10_000, 'the unit on B online');

    const started = a.api<StreamStartResponse>('POST', '/api/streams/cm-car-2/start');
    const command = await eventually(async () => unit.commands.find((c) => c.type === 'stream.start'), 15_000, 'stream.start at the unit on B');
    // the unit's agent publishes through the load balancer, which sent it to hub B
    const publisher = await publishTestPattern(`${b.http}/whip/${(command as { streamId: string }).streamId}`, `cm-car-2:${secret}`, 'vp8');
    peers.push(publisher);
    expect(publisher.status).toBe(201);
    const answer = await started;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ unitId: 'cm-car-2', state: 'started' });

    const viewer = await view(a.http, answer.body.streamId);
    expect(viewer.res.status).toBe(201);
    await eventually(async () => viewer.counter.packets > 20, 20_000, 'frames at the viewer of hub A');
    // asked again, A finds it live on B
    expect((await a.api<StreamStartResponse>('POST', '/api/streams/cm-car-2/start')).body.state).toBe('live');
  }, 60_000);

  it('a JT/T 808 truck connected to hub B: its camera started from hub A (0x9101 sent by B, naming its media port) plays on A', async () => {
    expect((await a.api('POST', '/api/units', { id: 'cm-truck', name: 'Truck on B', type: 'vehicle', jt808: { terminalId: '13833330001' } })).status).toBe(201);
    const terminal = await Jt808Terminal.connect({ port: b.hub.jt808Port!, phone: '13833330001' });
    closers.push(() => terminal.close());
    const { authCode } = await terminal.register();
    expect((await terminal.authenticate(authCode!)).result).toBe(GeneralResult.ok);
    const answer = await a.api<StreamStartResponse>('POST', '/api/streams/cm-truck/start');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.state).toBe('started');
    const asked = await terminal.next((m) => (m.messageId === MessageId.LiveVideoRequest ? (m.body as LiveVideoRequest) : undefined));
    expect(asked.tcpPort).toBe(b.hub.jt1078Port);
    expect(b.hub.media!.router.producers.has(answer.body.streamId)).toBe(true);
    const viewer = await viewStream(`${a.http}/whep/${answer.body.streamId}`, ADMIN_TOKEN, 'h264');
    peers.push(viewer);
    expect(viewer.res.status).toBe(201);
    await eventually(async () => viewer.counter.packets > 20, 20_000, "the truck's H.264 at the viewer of hub A");
  }, 60_000);

  it('an SOS raised on hub A pins its stream on hub B, where the producer is; acknowledged and unwatched, B stops it through A', async () => {
    const { secret } = await a.createUnit('cm-car-4');
    const unit = await connectMqttUnit(a.mqtt, 'cm-car-4', secret);
    clients.push(unit.client);
    await unit.publish(topics.alarm('cm-car-4'), { type: 'sos', lat: 22.6, lon: 114.2 });
    const command = await eventually(async () => unit.commands.find((c) => c.type === 'stream.start'), 15_000, 'stream.start from A');
    const streamId = (command as { streamId: string }).streamId;
    const publisher = await publishTestPattern(`${b.http}/whip/${streamId}`, `cm-car-4:${secret}`, 'vp8');
    peers.push(publisher);
    expect(publisher.status).toBe(201);
    // nobody watches, but the SOS is open: B keeps the stream well past its idle stop
    await new Promise((r) => setTimeout(r, 3 * IDLE_STOP_S * 1000));
    expect(unit.commands.filter((c) => c.type === 'stream.stop')).toEqual([]);
    expect(b.hub.media!.router.producers.has(streamId)).toBe(true);

    const sos = await eventually(async () => (await a.api<Alarm[]>('GET', '/api/alarms?unitId=cm-car-4&kind=sos')).body[0], 10_000, 'the SOS stored');
    expect((await a.api('POST', `/api/alarms/${sos.id}/ack`, {})).status).toBe(200);
    // B hears the acknowledgement (clusterAlarm), and tells the unit on A to stop
    await eventually(async () => unit.commands.some((c) => c.type === 'stream.stop'), 10_000 + IDLE_STOP_S * 1000, 'stream.stop from B at the unit on A');
  }, 60_000);

  it('a recording asked on hub A of a stream published to hub B is made once, by B; A stops it there', async () => {
    const { streamId } = await publishToB('cm-car-5');
    const incident = (await a.api<Incident>('POST', '/api/incidents', { type: 'evidence_check', lat: 22.54, lon: 114.05 })).body;
    const started = await a.api<Recording>('POST', '/api/recordings', { streamId, reason: 'operator', incidentId: String(incident.id) });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id;
    // segments are written where the media is: B (hub A never had the producer), and the recording says so
    expect(started.body.hubId).toBe('hub-b');
    await eventually(async () => (await a.api<Recording>('GET', `/api/recordings/${id}`)).body.segments > 0, 30_000, 'a segment recorded by B');
    const stopped = await a.api<Recording>('POST', `/api/recordings/${id}/stop`);
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(200);
    expect(stopped.body.endedAt).not.toBeNull();
    const rows = (await a.api<Recording[]>('GET', `/api/recordings?streamId=${streamId}`)).body;
    expect(rows.map((r) => r.id)).toEqual([id]);

    // the incident's evidence pack, built on either hub, carries every segment with the hash the
    // recorder indexed: A, whose disk has none of them, fetches them from B
    const segments = (await a.api<RecordingSegment[]>('GET', `/api/recordings/${id}/segments`)).body;
    expect(segments.length).toBeGreaterThan(0);
    // and its segment files play through either hub (A's replay page asks A)
    const first = await fetch(`${a.http}${segments[0]!.url}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(first.status).toBe(200);
    expect(sha256(Buffer.from(await first.arrayBuffer()))).toBe(segments[0]!.sha256);
    for (const hub of [b, a]) {
      const res = await fetch(`${hub.http}/api/incidents/${incident.id}/evidence`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(200);
      const files = untar(Buffer.from(await res.arrayBuffer()));
      const manifest = JSON.parse(files.get(`incident-${incident.id}/manifest.json`)!.toString()) as { segmentsNotIncluded?: unknown[] };
      expect(manifest.segmentsNotIncluded).toBeUndefined();
      const packed = [...files].filter(([n]) => n.includes('/segments/cm-car-5/'));
      expect(packed.map(([, data]) => sha256(data)).sort()).toEqual(segments.map((s) => s.sha256).sort());
    }
  }, 60_000);

  it('the wall of hub A plays, in Chromium, the camera of a unit whose video the load balancer sent to hub B', async () => {
    const { secret } = await a.createUnit('cm-van');
    // the unit's real edge agent: MQTT on hub A, its WHIP sent to hub B. (Its MQTT on B does not
    // work yet: a command from A to a persistent MQTT session on B is dropped, see the report.)
    const agent = await UnitAgent.start({ unitId: 'cm-van', secret, broker: a.mqtt, reconnectMs: 100 });
    const video = attachOnDemandVideo(agent, { hubUrl: b.http, unitId: 'cm-van', secret, additionalHostAddresses: ['127.0.0.1'] });
    const browser = await launchChromium();
    try {
      await eventually(async () => agent.stats.connected, 10_000, 'the agent connected to A');
      await agent.report({ ts: Date.now(), lat: 22.541, lon: 114.052, speed: 6, heading: 45 });
      const { page } = await openWall(browser, a.http);
      await login(page);
      await page.waitForSelector('[data-testid=unit][data-unit-id="cm-van"]');
      await page.dragAndDrop('[data-testid=unit][data-unit-id="cm-van"]', '[data-testid=tile][data-tile-index="0"]');
      await page.waitForSelector('[data-testid=tile][data-unit-id="cm-van"][data-state=live]', { timeout: 45_000 });
      const frames = () => page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid=tile][data-unit-id="cm-van"] video')?.getVideoPlaybackQuality().totalVideoFrames ?? -1);
      const first = await eventually(async () => ((await frames()) > 0 ? frames() : undefined), 45_000, 'first decoded frames on A’s wall');
      await eventually(async () => (await frames()) > first + 10, 45_000, 'frames advance');
      // the stream and its viewer are on B; A holds neither
      const streamId = (await a.api<UnitStream>('GET', '/api/units/cm-van/stream')).body.streamId;
      expect(consumersOn(b, streamId)).toBe(1);
      expect(a.hub.media!.router.producers.has(streamId)).toBe(false);
      await page.screenshot({ path: path.join(artifactDir('cluster-media'), 'wall-a-plays-stream-on-b.png') });
    } finally {
      await browser.close();
      await video.close();
      await agent.close();
    }
  }, 120_000);

  it('a hub that dies with its stream: the others answer 502 with a code until its lease runs out, then 404', async () => {
    await a.createUnit('cm-car-3');
    const streamId = await streamOf('cm-car-3');
    const cLease = 8000; // long enough to see the 502 before the sweep
    const ports = { httpPort: await freePort(), mqttPort: await freePort(), pgPort: await freePort() };
    let c: HubProcess | undefined = await spawnHubProcess({
      dataDir: mkdtempSync(path.join(tmpdir(), 'hub-c-')),
      token: ADMIN_TOKEN,
      ports,
      env: {
        HUB_DATABASE__URL: a.hub.databaseUrl,
        HUB_CLUSTER__REDIS_URL: redis.url,
        HUB_CLUSTER__HUB_ID: 'hub-c',
        HUB_CLUSTER__LEASE_MS: String(cLease),
        HUB_CLUSTER__ADVERTISE_URL: `http://127.0.0.1:${ports.httpPort}`,
      },
    });
    // a recording B is making while C starts: C ends the recordings a stopped hub left open, not B's
    const { streamId: onB } = await publishToB('cm-car-6');
    const recordingOnB = (await b.api<Recording>('POST', '/api/recordings', { streamId: onB, reason: 'operator' })).body;
    expect(recordingOnB.hubId).toBe('hub-b');
    try {
      await waitForOutput(c.hub, 'Hub ready', 90_000);
      expect((await a.api<Recording>('GET', `/api/recordings/${recordingOnB.id}`)).body.endedAt).toBeNull();
      expect((await b.api<Recording>('POST', `/api/recordings/${recordingOnB.id}/stop`)).status).toBe(200);
      const publisher = await publishTestPattern(`http://127.0.0.1:${ports.httpPort}/whip/${streamId}`, ADMIN_TOKEN, 'vp8');
      peers.push(publisher);
      expect(publisher.status).toBe(201);
      const viewer = await view(a.http, streamId);
      expect(viewer.res.status).toBe(201); // relayed to C while it lives
      // a recording C makes: once C is swept, the hub that swept it ends it (C cannot)
      const recordingOnC = (await a.api<Recording>('POST', '/api/recordings', { streamId, reason: 'operator' })).body;
      expect(recordingOnC.hubId).toBe('hub-c');

      c.hub.kill('SIGKILL');
      c = undefined;
      // A's list of streams goes without C's and says so
      const listed = await fetch(`${a.http}/api/streams`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(listed.status).toBe(200);
      expect(listed.headers.get('x-hub-streams-unreachable')).toBe('hub-c');
      expect(((await listed.json()) as StreamInfo[]).some((s) => s.streamId === streamId)).toBe(false);
      const dead = await view(a.http, streamId);
      expect(dead.res.status).toBe(502);
      const body = (await dead.res.json()) as ApiError;
      expect(body.code).toBe('HUB_ERR_STREAM_HOST_UNREACHABLE');
      expect(body.message).toContain('hub-c');
      // swept with C's lease: the stream is not published anywhere
      await eventually(async () => (await view(a.http, streamId)).res.status === 404, cLease + 15_000, '404 once C is swept');
      await eventually(async () => (await a.api<Recording>('GET', `/api/recordings/${recordingOnC.id}`)).body.endedAt !== null || undefined, 10_000, 'C’s recording ended by the hub that swept C');
    } finally {
      c?.hub.kill('SIGKILL');
    }
  }, 150_000);
});
