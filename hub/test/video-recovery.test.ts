// The wall's player (stream-player.ts, in the viewer page) in Debian's Chromium against
// the edge agent's camera (ffmpeg test pattern over WHIP), on demand: frames decode; the
// agent is killed and restarted under the same stream id and the page resumes by itself,
// showing "reconnecting" in between; a dropped signalling socket is recovered too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { spawnTied } from '@hub/config/node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { UnitAgent, attachOnDemandVideo } from '@hub/edge-agent';
import { MEDIA_NAMESPACE } from '@hub/config';
import { launchChromium } from '../../test-support/browser';
import { freePort } from '../../test-support/ports';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { framesBeyond, openViewer, viewerStates, viewerStats } from './support/media-pages';

let t: TestHub;
let browser: Browser;
let turn: ChildProcess | undefined;
const closers: (() => Promise<unknown>)[] = [];
const TURN_SECRET = 'test-turn-secret-0123456789';

beforeAll(async () => {
  // coturn (Debian's turnserver) as docker-compose runs it: TURN REST credentials from a shared secret
  const turnPort = await freePort();
  turn = spawnTied(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${turnPort}`,
      '--relay-ip=127.0.0.1',
      '--use-auth-secret',
      `--static-auth-secret=${TURN_SECRET}`,
      '--realm=hub',
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-tcp-relay',
      `--userdb=${mkdtempSync(path.join(tmpdir(), 'turn-'))}/turndb`,
    ],
    { stdio: 'ignore' },
  );
  t = await startTestHub({
    'media.additionalHostAddresses': ['127.0.0.1'],
    'media.turn': { urls: [`turn:127.0.0.1:${turnPort}?transport=udp`], secret: TURN_SECRET },
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  await browser?.close();
  await t?.close();
  turn?.kill();
});

async function startAgent(unitId: string, secret: string) {
  const agent = await UnitAgent.start({ unitId, secret, broker: t.mqtt, reconnectMs: 100 });
  // a small picture: this machine's two cores also run Chromium and the hub
  const video = attachOnDemandVideo(agent, { hubUrl: t.http, unitId, secret, size: '320x240', fps: 15, additionalHostAddresses: ['127.0.0.1'] });
  closers.push(
    () => video.close(),
    () => agent.close(),
  );
  await eventually(async () => agent.stats.connected, 10_000, 'agent connected');
  return { agent, video };
}

async function statesAfter(page: Page, from: number): Promise<string[]> {
  return (await viewerStates(page)).states.slice(from);
}

describe('edge agent → SFU → Chromium viewer, with recovery', () => {
  let page: Page;
  let streamId: string;
  let secret: string;
  let first: Awaited<ReturnType<typeof startAgent>>;

  it('plays the agent’s test pattern, started on demand', async () => {
    ({ secret } = await t.createUnit('van-r', 'vehicle'));
    first = await startAgent('van-r', secret);
    const res = await t.api<{ streamId: string; state: string }>('POST', '/api/streams/van-r/start');
    expect(res.status).toBe(200);
    streamId = res.body.streamId;
    page = await (await browser.newContext()).newPage();
    await openViewer(page, t.http, ADMIN_TOKEN, streamId);
    const decoded = await framesBeyond(page, 10, 'frames decoded from the agent', 60_000);
    const later = await framesBeyond(page, decoded.framesDecoded + 20, 'more frames decoded from the agent', 60_000);
    expect({ width: later.width, height: later.height, codec: later.codec }).toEqual({ width: 320, height: 240, codec: 'video/VP8' });
    expect((await viewerStates(page)).states).toEqual(['connecting', 'live']);
  });

  it('shows "reconnecting" when the agent is killed, and resumes without a reload when it is back', async () => {
    const seen = (await viewerStates(page)).states.length;
    await framesBeyond(page, 0, 'frames before the kill');
    // kill: ffmpeg and the peer connection stop dead — no WHIP DELETE — and the agent's link goes
    const pub = first.video.publisher()!;
    pub.killSource();
    await pub.pc.close();
    await first.agent.close();
    await eventually(async () => (await statesAfter(page, seen)).includes('reconnecting'), 30_000, 'the viewer showing reconnecting');
    expect(await page.textContent('#state')).toMatch(/reconnecting/i);

    // the agent comes back (a new process) and the wall asks again: same stream id
    await startAgent('van-r', secret);
    const again = await t.api<{ streamId: string; state: string }>('POST', '/api/streams/van-r/start');
    expect(again.body.streamId).toBe(streamId);
    // decoded frames count from the session's start: after a fresh session, any 30 frames will do
    await eventually(async () => (await statesAfter(page, seen)).at(-1) === 'live' && (await viewerStats(page)).framesDecoded > 30, 60_000, 'frames after the publisher returned');
    expect(await statesAfter(page, seen)).toEqual(['reconnecting', 'live']);
  });

  it('recovers from a dropped signalling socket', async () => {
    const seen = (await viewerStates(page)).states.length;
    await framesBeyond(page, 0, 'frames before the drop');
    t.hub.telemetry.io.of(MEDIA_NAMESPACE).disconnectSockets(true);
    await eventually(async () => (await statesAfter(page, seen)).includes('reconnecting'), 10_000, 'the viewer showing reconnecting');
    // a new session: its decoded frames count from zero
    await eventually(async () => (await statesAfter(page, seen)).at(-1) === 'live' && (await viewerStats(page)).framesDecoded > 30, 60_000, 'frames after the socket came back');
    expect(await statesAfter(page, seen)).toEqual(['reconnecting', 'live']);
  });
});

describe('ICE servers for browsers', () => {
  it('gives each browser a TURN credential of its own that the TURN server (coturn) accepts', async () => {
    const res = await t.api<{ iceServers: { urls: string[]; username: string; credential: string }[] }>('GET', '/api/media/ice-servers');
    expect(res.status).toBe(200);
    const [server] = res.body.iceServers;
    expect(server!.username).toMatch(/^\d+:/); // expiry:name, the TURN REST scheme
    expect(Number(server!.username.split(':')[0]) * 1000).toBeGreaterThan(Date.now());
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${t.http}/hub`);
    const relay = async (iceServers: unknown) =>
      page.evaluate(async (servers) => {
        const pc = new RTCPeerConnection({ iceServers: servers as RTCIceServer[], iceTransportPolicy: 'relay' });
        pc.createDataChannel('probe');
        const types: string[] = [];
        pc.onicecandidate = (e) => e.candidate && types.push(e.candidate.type ?? '');
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((r) => {
          const done = () => pc.iceGatheringState === 'complete' && r();
          pc.onicegatheringstatechange = done;
          setTimeout(r, 8000);
        });
        pc.close();
        return types;
      }, iceServers);
    expect(await relay(res.body.iceServers)).toContain('relay');
    // a forged credential gets no relay
    expect(await relay([{ ...server, credential: 'forged' }])).not.toContain('relay');
    await page.close();
  });
});
