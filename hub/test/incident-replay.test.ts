// The incident replay page at /replay: an SOS body cam's recorded video plays in Chromium with
// hls.js, the clock shows the video's wall-clock time (the segments' program date time) inside
// the recording, and the unit's marker on the track map moves with the video's time; a
// recording with picture and sound plays with its audio track; an empty recording is said in
// a sentence (en, zh-CN), not as hls.js's error.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { UnitAgent } from '@hub/edge-agent';
import type { Incident, Recording, Replay } from '@hub/config';
import { artifactDir, launchChromium } from '../../test-support/browser';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { publishAvTestPattern } from '../../test-support/webrtc-peers';
import { login, openWall } from './support/wall-page';
import { sosBodycam } from './support/sos-bodycam';

let t: TestHub;
let browser: Browser;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'], 'linkage.rules.sos.escalateAfterSeconds': 0, 'linkage.rules.sos.proposeNearest': 0 });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await browser?.close();
  await t?.close();
});

it('plays the incident’s recording and moves the unit’s marker with the video’s time', async () => {
  const { agent, incident } = await sosBodycam(t, 'cam-replay', closers);
  // the unit walks north while its camera is recorded: one position every half second
  let step = 0;
  const walk = setInterval(() => {
    step++;
    void agent.report({ ts: Date.now(), lat: 22.54 + step / 10_000, lon: 114.05 + step / 40_000, speed: 1.5, accuracy: 5 });
  }, 500);
  closers.push(async () => clearInterval(walk));
  const recording = await eventually(
    async () => {
      const list = (await t.api<Recording[]>('GET', `/api/recordings?incidentId=${incident.id}`)).body;
      return list[0] && list[0].segments >= 4 && list[0];
    },
    45_000,
    'four recorded segments',
  );
  clearInterval(walk);
  expect((await t.api('POST', `/api/incidents/${incident.id}/transition`, { to: 'resolved' })).status).toBe(200);
  await eventually(
    async () => {
      const r = (await t.api<Recording>('GET', `/api/recordings/${recording.id}`)).body;
      return r.state === 'ended' && r.endedAt !== null;
    },
    20_000,
    'recording ended with the incident',
  );

  const replay = (await t.api<Replay>('GET', `/api/incidents/${incident.id}/replay`)).body;
  const videoFrom = Date.parse(replay.segments[0]!.start);
  const videoTo = Date.parse(replay.segments.at(-1)!.end);
  const track = replay.tracks.find((x) => x.unitId === 'cam-replay')!.points.map((p) => ({ t: Date.parse(p.ts), lat: p.lat }));
  expect(track.filter((p) => p.t >= videoFrom && p.t <= videoTo).length).toBeGreaterThanOrEqual(4);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto(`${t.http}/replay#token=${ADMIN_TOKEN}&incident=${incident.id}`);
  expect(res?.status()).toBe(200);
  await page.waitForSelector('[data-testid="replay-video"]');
  expect(page.url()).not.toContain(ADMIN_TOKEN); // the token leaves the address bar
  expect(await page.locator('[data-testid="replay-heading"]').innerText()).toContain(`#${incident.id}`);
  expect(await page.locator('[data-testid="replay-timeline"] li[data-kind="created"]').count()).toBe(1);

  type Sample = { time: number; frames: number; clock: number; lat: number };
  const sample = () =>
    page.evaluate((): Sample => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="replay-video"]')!;
      const clock = document.querySelector('[data-testid="replay-clock"]')!.getAttribute('data-ts');
      const marker = document.querySelector('[data-testid="replay-marker"]');
      return { time: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames, clock: clock ? Number(clock) : NaN, lat: marker ? Number(marker.getAttribute('data-lat')) : NaN };
    });
  const first = await eventually(
    async () => {
      const s = await sample();
      return s.time > 0.5 && Number.isFinite(s.clock) && Number.isFinite(s.lat) && s;
    },
    20_000,
    'the video plays',
  );
  const later = await eventually(
    async () => {
      const s = await sample();
      return s.time > first.time + 2 && s;
    },
    20_000,
    'the video keeps playing',
  );
  expect(later.frames).toBeGreaterThan(first.frames);
  expect(await page.locator('[data-testid="replay-clock"]').getAttribute('data-source')).toBe('program-date-time');
  for (const s of [first, later]) {
    // the clock is the video's wall-clock time, inside the recording
    expect(s.clock).toBeGreaterThanOrEqual(videoFrom - 1_000);
    expect(s.clock).toBeLessThanOrEqual(videoTo + 1_000);
    // and the marker stands between the track points around that time
    const before = track.filter((p) => p.t <= s.clock).at(-1) ?? track[0]!;
    const after = track.find((p) => p.t >= s.clock) ?? track.at(-1)!;
    expect(s.lat).toBeGreaterThanOrEqual(Math.min(before.lat, after.lat) - 1e-9);
    expect(s.lat).toBeLessThanOrEqual(Math.max(before.lat, after.lat) + 1e-9);
  }
  expect(later.clock - first.clock).toBeGreaterThan(1_000);
  expect(later.lat).toBeGreaterThan(first.lat); // the unit walked north as the video went on
  expect(errors).toEqual([]);
  // the timeline in words, the track over the wall's basemap (MapLibre), on the wall's dark page
  expect(await page.locator('[data-testid="replay-timeline"] li[data-kind="created"]').innerText()).toContain('Incident opened');
  expect(await page.locator('[data-testid="replay-map"] canvas.maplibregl-canvas').count()).toBe(1);
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(14, 17, 22)');
  await page.screenshot({ path: `${artifactDir('wall')}/replay.png`, fullPage: true });

  // in Chinese, reloaded in the same tab: the token is kept for the tab, not in the address
  await page.goto(`${t.http}/replay?incident=${incident.id}&lang=zh-CN`);
  await page.waitForSelector('[data-testid="replay-timeline"] li');
  expect(await page.locator('h2').allInnerTexts()).toEqual(['录像', '轨迹', '时间线']);
  expect(await page.locator('[data-testid="replay-timeline"] li[data-kind="created"]').innerText()).toContain('事件创建');
  await page.screenshot({ path: `${artifactDir('wall')}/replay-zh-CN.png`, fullPage: true });
  await page.close();
}, 120_000);

it('the wall’s linkage panel opens the incident’s replay in a new tab, the token not in its address', async () => {
  const { secret } = await t.createUnit('cam-link', 'bodycam');
  const agent = await UnitAgent.start({ unitId: 'cam-link', secret, broker: t.mqtt, reconnectMs: 100 });
  closers.push(() => agent.close());
  await eventually(async () => agent.connected, 10_000, 'agent connected');
  await agent.report({ ts: Date.now(), lat: 22.55, lon: 114.06, speed: 0, accuracy: 5 });
  const { page, context, errors } = await openWall(browser, t.http);
  closers.push(() => context.close());
  await login(page);
  await agent.sos('help');
  const incident = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === 'cam-link'), 15_000, 'incident');
  // the linkage event puts the incident in the panel
  const link = page.locator('[data-testid=linkage-replay]');
  await link.waitFor({ timeout: 30_000 });
  const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await popup.waitForSelector('[data-testid=replay-heading]', { timeout: 30_000 });
  expect(await popup.locator('[data-testid=replay-heading]').innerText()).toContain(`#${incident.id}`);
  expect(popup.url()).not.toContain(ADMIN_TOKEN);
  expect(popup.url()).toContain(`incident=${incident.id}`);
  expect(errors).toEqual([]);
}, 60_000);

/** An incident with a recording of `streamId` (started for it), stopped after `until` holds. */
async function recordForIncident(streamId: string, until: (r: Recording) => boolean): Promise<{ incident: Incident; recording: Recording }> {
  const incident = (await t.api<Incident>('POST', '/api/incidents', { type: 'evidence_check', lat: 22.541, lon: 114.051 })).body;
  const started = await t.api<Recording>('POST', '/api/recordings', { streamId, incidentId: String(incident.id) });
  expect(started.status).toBe(201);
  await eventually(async () => until((await t.api<Recording>('GET', `/api/recordings/${started.body.id}`)).body), 45_000, `recording of ${streamId}`);
  const stopped = await t.api<Recording>('POST', `/api/recordings/${started.body.id}/stop`);
  return { incident, recording: stopped.body };
}

it('plays a recording with sound: the video advances and an audio track plays with it', async () => {
  const pub = await publishAvTestPattern(`${t.http}/whip/replay-av`, ADMIN_TOKEN, 15);
  closers.push(() => pub.close());
  const { incident, recording } = await recordForIncident('replay-av', (r) => r.segments >= 3);
  expect(recording.segments).toBeGreaterThanOrEqual(3);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  closers.push(() => page.close());
  await page.goto(`${t.http}/replay#token=${ADMIN_TOKEN}&incident=${incident.id}`);
  const played = () =>
    page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement & { webkitAudioDecodedByteCount?: number }>('[data-testid="replay-video"]');
      return v ? { time: v.currentTime, audio: v.getAttribute('data-audio') ?? '', audioBytes: v.webkitAudioDecodedByteCount ?? 0 } : undefined;
    });
  const first = await eventually(async () => ((await played())?.time ?? 0) > 0.5 && played(), 20_000, 'the video plays');
  const later = await eventually(
    async () => {
      const s = await played();
      return s && s.time > first.time + 1 && s;
    },
    20_000,
    'the video advances',
  );
  expect(later.audio).toMatch(/^mp4a/); // AAC in the segments, as hls.js found it
  expect(later.audioBytes).toBeGreaterThan(0); // and Chromium decoded sound
  expect(await page.locator('[data-testid="replay-problem"]').count()).toBe(0);
});

it('says in a sentence that a recording holds no video, in English and Chinese', async () => {
  // a stream nobody publishes: the recording waits and ends with no segment
  const { incident, recording } = await recordForIncident('replay-nobody', (r) => r.state === 'waiting');
  expect(recording.segments).toBe(0);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  closers.push(() => page.close());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${t.http}/replay#token=${ADMIN_TOKEN}&incident=${incident.id}`);
  const problem = page.locator('[data-testid="replay-problem"]');
  await problem.waitFor({ timeout: 30_000 });
  expect(await problem.getAttribute('data-problem')).toBe('empty');
  expect(await problem.innerText()).toBe('This recording holds no video: the camera sent nothing the recorder could write while it ran.');
  expect(await page.locator('[data-testid="replay-video"]').isVisible()).toBe(false);
  await page.screenshot({ path: `${artifactDir('wall')}/replay-empty.png`, fullPage: true });
  await page.goto(`${t.http}/replay?incident=${incident.id}&lang=zh-CN`);
  await problem.waitFor({ timeout: 30_000 });
  expect(await problem.innerText()).toBe('此录像没有视频：录制期间摄像头未发送可写入的画面。');
  await page.screenshot({ path: `${artifactDir('wall')}/replay-empty-zh-CN.png`, fullPage: true });
  expect(errors).toEqual([]);
});
