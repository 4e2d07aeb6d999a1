// Story (a) of the emergency loop, end to end in Chromium against the real hub: a body-cam
// wearer holds SOS on a phone page; the alarm reaches the wall, whose coordinator acknowledges
// it and dispatches the nearest body cam; that wearer accepts on their own phone and walks to
// the scene (en route, then on scene by GPS); the wearer in trouble sees the centre's
// acknowledgement and who is coming; the coordinator resolves the incident on the wall; the
// recording of the SOS camera plays with sound in the replay page; and the KPIs equal the times
// the test observed. Screenshots under artifacts/story-a/.
import { expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { Incident, IncidentDetail, KpiResponse, Recording } from '@hub/config';
import { artifactDir } from '../../test-support/browser';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { ADMIN_TOKEN, eventually } from '../../test-support/test-hub';
import { holdSos, openBodycam } from './support/media-pages';
import { login, openWall } from './support/wall-page';

const world = hubAndBrowser({ 'media.additionalHostAddresses': ['127.0.0.1'], 'linkage.rules.sos.escalateAfterSeconds': 0 }, { fakeCamera: true });
const SCENE = { latitude: 22.5431, longitude: 114.0579 };
const north = (m: number) => ({ latitude: SCENE.latitude + m / 111_195, longitude: SCENE.longitude });
const shot = (page: Page, name: string) => page.screenshot({ path: `${artifactDir('story-a')}/${name}.png`, fullPage: true });
const seconds = (from: string, at: number) => (at - Date.parse(from)) / 1000;

test('SOS on a phone → the wall → dispatch → accepted on another phone → on scene → resolved → the recording plays with sound', async () => {
  const { th, browser } = world;
  const phones: BrowserContext[] = [];
  const phone = async (unitId: string, at: { latitude: number; longitude: number }) => {
    const cred = await th.createUnit(unitId, 'bodycam');
    const context = await browser.newContext({ geolocation: at, viewport: { width: 412, height: 915 } });
    await context.grantPermissions(['camera', 'microphone', 'geolocation'], { origin: th.http });
    phones.push(context);
    const page = await context.newPage();
    await openBodycam(page, th.http, cred);
    return { context, page };
  };
  try {
    const victim = await phone('bc-victim', SCENE);
    const responder = await phone('bc-resp', north(300));
    await eventually(async () => (await th.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.length === 2, 20_000, 'both phones’ positions');

    const coordinator = await th.createOperator('coord-a', 'coordinator');
    const { page: wall } = await openWall(browser, th.http);
    await login(wall, coordinator.username, coordinator.password);

    // 1. the wearer in trouble holds SOS; the alarm reaches the wall and an incident opens
    await holdSos(victim.page);
    await victim.page.waitForSelector('[data-testid="sos-state"]', { timeout: 20_000 });
    const alarmRow = wall.locator('[data-testid=alarm][data-kind=sos]').filter({ hasText: 'bc-victim' });
    await alarmRow.waitFor({ timeout: 30_000 });
    const incident = await eventually(async () => (await th.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === 'bc-victim'), 15_000, 'the SOS incident');
    // the SOS camera comes onto a tile by itself
    await wall.waitForSelector('[data-testid=tile][data-unit-id="bc-victim"][data-state=live]', { timeout: 30_000 });
    await shot(wall, '1-wall-sos');

    // 2. the coordinator acknowledges the alarm; the wearer sees it
    await alarmRow.locator('[data-testid=ack]').click();
    await wall.fill('[data-testid=ack-note]', 'help is being sent');
    await wall.click('[data-testid=ack-confirm]');
    const ackedAt = Date.now();
    await victim.page.waitForFunction(() => /Acknowledged/.test(document.querySelector('[data-testid="sos-ack"]')?.textContent ?? ''), undefined, { timeout: 30_000 });

    // 3. the nearest unit, picked by the coordinator (nothing is ticked for them), is dispatched
    await wall.selectOption('[data-testid=alarm-state]', 'all');
    await wall.locator('[data-testid=alarm][data-kind=sos]').filter({ hasText: 'bc-victim' }).locator('.alarm-line').click();
    const nearest = wall.locator('[data-testid=nearest-unit][data-unit-id="bc-resp"]');
    await nearest.waitFor({ timeout: 30_000 });
    expect(await wall.locator('[data-testid=nearest-unit] input[type=checkbox]:checked').count()).toBe(0);
    await nearest.locator('input[type=checkbox]').check();
    await wall.click('[data-testid=dispatch]');

    // 4. the responder's phone shows the order; the responder accepts
    await responder.page.waitForSelector('[data-testid=order][data-status=waiting]', { timeout: 30_000 });
    expect(await responder.page.textContent('[data-testid=order-distance]')).toMatch(/^300 m to the south$/);
    await shot(responder.page, '2-responder-order');
    await responder.page.click('[data-testid=order-accept]');
    const acceptedAt = Date.now();
    await wall.waitForSelector('[data-testid=nearest-unit][data-unit-id="bc-resp"][data-dispatch=en_route]', { timeout: 30_000 });
    // the wearer in trouble sees who is coming
    await victim.page.locator('[data-testid="sos-coming"][data-unit-id="bc-resp"]').waitFor({ timeout: 30_000 });
    await shot(victim.page, '3-victim-help-coming');

    // 5. the responder walks to the scene: on scene by GPS
    await responder.context.setGeolocation(north(20));
    await wall.waitForSelector('[data-testid=nearest-unit][data-unit-id="bc-resp"][data-dispatch=on_scene]', { timeout: 30_000 });
    const arrivedSeen = Date.now();
    await shot(wall, '4-wall-on-scene');

    // 6. the recording has video; the coordinator resolves the incident on the wall
    await eventually(async () => ((await th.api<Recording[]>('GET', `/api/recordings?incidentId=${incident.id}`)).body[0]?.segments ?? 0) >= 2, 60_000, 'two recorded segments');
    await wall.click('[data-testid=tab-incidents]');
    await wall.locator(`[data-testid=incident-row][data-incident-id="${incident.id}"]`).click();
    await wall.click('[data-testid=incident-resolve]');
    const resolvedAt = Date.now();
    await wall.waitForSelector(`[data-testid=incident-panel][data-state=resolved]`, { timeout: 30_000 });
    // the linkage panel offers no dispatch for a resolved incident
    await wall.click('[data-testid=tab-linkage]');
    expect(await wall.locator('[data-testid=dispatch]').count()).toBe(0);
    await wall.click('[data-testid=tab-incidents]');
    await shot(wall, '5-wall-resolved');
    const recording = await eventually(
      async () => {
        const r = (await th.api<Recording[]>('GET', `/api/recordings?incidentId=${incident.id}`)).body[0];
        return r?.state === 'ended' ? r : undefined;
      },
      30_000,
      'the recording ended with the incident',
    );
    expect(recording.segments).toBeGreaterThanOrEqual(2);

    // 7. the replay page plays it, with sound
    const replay = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await replay.goto(`${th.http}/replay#token=${ADMIN_TOKEN}&incident=${incident.id}`);
    const played = () =>
      replay.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement & { webkitAudioDecodedByteCount?: number }>('[data-testid="replay-video"]');
        return v ? { time: v.currentTime, audio: v.getAttribute('data-audio') ?? '', audioBytes: v.webkitAudioDecodedByteCount ?? 0 } : undefined;
      });
    const playing = await eventually(
      async () => {
        const p = await played();
        return p && p.time > 1 && p.audioBytes > 0 ? p : undefined;
      },
      30_000,
      'the recording playing with sound',
    );
    expect(playing.audio).toMatch(/^mp4a/);
    // the SOS unit's own camera comes first, before the responder's
    if ((await replay.locator('[data-testid=replay-select]').count()) > 0) {
      expect(await replay.locator('[data-testid=replay-select] option:checked').textContent()).toMatch(/^bc-victim/);
    }
    await shot(replay, '6-replay');
    await replay.close();

    // 8. the KPIs are the times this test saw, and those of the trail to the millisecond
    const detail = (await th.api<IncidentDetail>('GET', `/api/incidents/${incident.id}`)).body;
    const at = (kind: string) => detail.timeline.find((e) => e.kind === kind)!.ts;
    const from = new Date(Date.parse(detail.createdAt) - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const k = (await th.api<KpiResponse>('GET', `/api/kpis?from=${from}&to=${to}&groupBy=unit`)).body.incidents.find((i) => i.incidentId === incident.id)!;
    const trail = (kind: string) => seconds(detail.createdAt, Date.parse(at(kind)));
    expect(k.acceptS).toBeCloseTo(trail('unit_accepted'), 2);
    expect(k.deliverS).toBeCloseTo(trail('unit_delivered'), 2);
    expect(k.arriveS).toBeCloseTo(trail('unit_on_scene'), 2);
    expect(k.dispatchS).toBeCloseTo(trail('dispatch_sent'), 2);
    // the person came after the device, the device after the order
    expect(k.dispatchS!).toBeLessThanOrEqual(k.deliverS!);
    expect(k.deliverS!).toBeLessThanOrEqual(k.acceptS!);
    // … and they are when this test acted (each observed after its click, a few seconds at most)
    const near = (kpi: number | null, observed: number, slack: number) => {
      expect(kpi).not.toBeNull();
      expect(Math.abs(kpi! - seconds(detail.createdAt, observed)), `KPI ${kpi} s against ${seconds(detail.createdAt, observed)} s observed`).toBeLessThan(slack);
    };
    near(k.acknowledgeS, ackedAt, 3);
    near(k.acceptS, acceptedAt, 3);
    near(k.resolveS, resolvedAt, 3);
    expect(k.arriveS!).toBeLessThanOrEqual(seconds(detail.createdAt, arrivedSeen));
  } finally {
    for (const c of phones) await c.close();
  }
}, 240_000); // the whole loop, with a recording of two segments, on a loaded machine
