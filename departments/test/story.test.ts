// Issue 16 end to end, as far as departments reach, against real processes: a real hub (media
// role), a real SMPP server peer, intake over HTTP as the analytics post it, Chromium for the body
// cam (a fake camera), the wall (hotline form, incident panel) and the assessment page.
//   1. a detection → the owner's text → re-detected after grace → escalation alarm → dispatch →
//      accepted on the body-cam page → on scene by its GPS → "Capture evidence" → closed;
//   2. a second case cleared within its grace period: resolved by notice;
//   3. a third past its deadline at its department: one overdue escalation;
// and the assessment page shows the figures the test observed in the trail.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Alarm, Department, EvidencePhoto, IncidentDetail, IntakeEventResult } from '@hub/config';
import { artifactDir, launchChromium } from '../../test-support/browser';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { startSmsc } from '../../test-support/smsc';

const CENTRE = { lat: 22.54, lon: 114.05 }; // the sample basemap's "Centre district (illustrative)"
const HERE = { latitude: CENTRE.lat + 0.0001, longitude: CENTRE.lon }; // the body cam, 11 m away
const PICK = { lat: 22.5465, lon: 114.0445 }; // the hotline's place, away from the other cases
const shots = artifactDir('departments');

const smsc = await startSmsc({ receipt: 'DELIVRD' });
let t: TestHub;
let browser: Browser;
let cams: BrowserContext;
let walls: BrowserContext;
let intakeToken = '';
let centre: Department;
const ids = { enforced: 0, noticed: 0, overdue: 0 };

beforeAll(async () => {
  t = await startTestHub({
    'media.additionalHostAddresses': ['127.0.0.1'],
    'notices.smpp': { host: '127.0.0.1', port: smsc.port, system_id: 'hubtest', password: 'secret1' },
    'notices.grace': { illegal_parking: { graceSeconds: 2, recheckSeconds: 0.5 } },
    'departments.deadlines': { illegal_parking: 600, street_occupation: 3 },
  });
  browser = await launchChromium({ fakeCamera: true });
  // a phone for the body cam: its camera, microphone and location allowed
  cams = await browser.newContext({ geolocation: HERE, viewport: { width: 430, height: 900 } });
  await cams.grantPermissions(['camera', 'microphone', 'geolocation'], { origin: t.http });
  walls = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'en-GB' });
  await walls.addInitScript(() => localStorage.setItem('wall.locale', 'en'));
  centre = (
    await t.api<Department>('POST', '/api/departments', {
      name: 'Centre enforcement team',
      districts: ['Centre district (illustrative)'],
      caseTypes: ['illegal_parking', 'street_occupation'],
      quota: { day: { inTimeRate: 0.9, maxOverdue: 0 } },
    })
  ).body;
  await t.api('POST', '/api/departments', { name: 'Environmental protection bureau', kind: 'agency', caseTypes: ['hotline:noise'] });
  await fetch(`${t.http}/api/subjects/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
    body: 'kind,id,name,phone\nplate,粤B12345,张三,13812341234\nplate,粤B67890,李四,13900005678\n',
  });
  intakeToken = (await t.api<{ token: string }>('POST', '/api/intake/clients', { name: 'camera-ai' })).body.token;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await smsc.close();
});

async function detect(body: Record<string, unknown>): Promise<IntakeEventResult> {
  const res = await fetch(`${t.http}/api/intake/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${intakeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'camera-ai', ts: new Date().toISOString(), ...CENTRE, ...body }),
  });
  return (await res.json()) as IntakeEventResult;
}

const detail = async (id: number) => (await t.api<IncidentDetail>('GET', `/api/incidents/${id}`)).body;
const kinds = async (id: number) => (await detail(id)).timeline.map((e) => e.kind);
const alarmsOf = async (id: number, reason: string) =>
  (await t.api<Alarm[]>('GET', '/api/alarms?kind=escalation&limit=500')).body.filter((a) => a.details.incidentId === id && a.details.reason === reason);

describe('the city’s loop, with departments', () => {
  let cam: Page;

  it('a detection texts the owner; re-detected after grace it escalates to an alarm', async () => {
    const first = await detect({ type: 'illegal_parking', subject: { kind: 'plate', id: '粤B12345' }, description: '深南大道100号' });
    ids.enforced = first.incidentId!;
    const text = await eventually(async () => smsc.received.find((m) => m.destination === '13812341234'), 10_000, 'the owner’s text at the SMSC');
    expect(text.text).toContain('粤B12345');
    expect((await detail(ids.enforced)).timeline.find((e) => e.kind === 'department_routed')!.detail).toMatchObject({ department: 'Centre enforcement team' });
    await eventually(async () => (await kinds(ids.enforced)).includes('grace_ended'), 15_000, 'grace over');
    await detect({ type: 'illegal_parking', subject: { kind: 'plate', id: '粤B12345' } });
    const [alarm] = await eventually(async () => (await alarmsOf(ids.enforced, 'notice_ignored')).length > 0 && alarmsOf(ids.enforced, 'notice_ignored'), 10_000, 'the escalation alarm');
    expect(alarm!.details).toMatchObject({ by: 'redetected' });
  });

  it('dispatched, accepted on the body-cam page, on scene; closing waits for the photo the body cam captures', async () => {
    const cred = await t.createUnit('bc-1', 'bodycam');
    cam = await cams.newPage();
    await cam.goto(`${t.http}/bodycam#unit=bc-1&secret=${encodeURIComponent(cred.secret)}`);
    await eventually(async () => (await cam.evaluate(() => (window as unknown as { hubBodycam?: { link: string } }).hubBodycam?.link)) === 'online', 15_000, 'the body cam online');
    await eventually(async () => (await t.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === 'bc-1'), 15_000, 'its position');
    expect((await t.api('POST', `/api/incidents/${ids.enforced}/dispatch`, { unitIds: ['bc-1'], note: 'car on the pavement' })).status).toBe(200);
    await cam.click('[data-testid=order-accept]', { timeout: 30_000 });
    await eventually(async () => (await detail(ids.enforced)).state === 'en_route', 15_000, 'en route');
    // the wearer's next fix, a step closer: inside the on-scene radius
    await cams.setGeolocation({ latitude: HERE.latitude - 0.00002, longitude: HERE.longitude });
    await eventually(async () => (await detail(ids.enforced)).state === 'on_scene', 30_000, 'on scene by its GPS');
    const refused = await t.api<{ code: string }>('POST', `/api/incidents/${ids.enforced}/transition`, { to: 'resolved' });
    expect(refused).toMatchObject({ status: 409, body: { code: 'HUB_ERR_EVIDENCE_REQUIRED' } });
    // the camera is off: the button starts it, grabs a still and sends it
    await cam.click('[data-testid=capture-evidence]');
    await cam.waitForSelector('[data-testid=evidence][data-stage=sent]', { timeout: 30_000 });
    const [photo] = (await t.api<EvidencePhoto[]>('GET', `/api/incidents/${ids.enforced}/evidence/photos`)).body;
    expect(photo).toMatchObject({ unitId: 'bc-1' });
    expect(await cam.textContent('[data-testid=evidence-state]')).toContain(photo!.sha256.slice(0, 12));
    const jpeg = Buffer.from(await (await fetch(`${t.http}/api/incidents/${ids.enforced}/evidence/photos/${photo!.sha256}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).arrayBuffer());
    expect(jpeg.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    expect(jpeg.length).toBeGreaterThan(1000); // a real picture of the fake camera's pattern
    await cam.screenshot({ path: path.join(shots, 'bodycam-evidence.png'), fullPage: true });
    expect((await t.api('POST', `/api/incidents/${ids.enforced}/transition`, { to: 'resolved' })).status).toBe(200);
  });

  it('a second case cleared within its grace period is resolved by notice', async () => {
    ids.noticed = (await detect({ type: 'illegal_parking', subject: { kind: 'plate', id: '粤B67890' }, lat: 22.5405, lon: 114.0505 })).incidentId!;
    await eventually(async () => smsc.received.some((m) => m.destination === '13900005678'), 10_000, 'the second text');
    await detect({ type: 'illegal_parking', subject: { kind: 'plate', id: '粤B67890' }, lat: 22.5405, lon: 114.0505, cleared: true });
    await eventually(async () => (await detail(ids.noticed)).state === 'resolved', 10_000, 'resolved by notice');
    expect(await kinds(ids.noticed)).toContain('resolved_by_notice');
  });

  it('a third goes past its deadline at its department: one escalation to it and the centre', async () => {
    ids.overdue = (await detect({ type: 'street_occupation', lat: 22.541, lon: 114.051, description: 'goods on the pavement' })).incidentId!;
    const [alarm] = await eventually(async () => (await alarmsOf(ids.overdue, 'overdue')).length > 0 && alarmsOf(ids.overdue, 'overdue'), 15_000, 'the overdue alarm');
    expect(alarm!.details).toMatchObject({ department: 'Centre enforcement team', to: [`department:${centre.id}`, 'centre'] });
  });

  it('the assessment page shows the figures the trail holds', async () => {
    const at = async (id: number, pred: (e: IncidentDetail['timeline'][number]) => boolean) => {
      const e = (await detail(id)).timeline.find(pred);
      return e ? Date.parse(e.ts) / 1000 : null;
    };
    const created1 = (await at(ids.enforced, (e) => e.kind === 'created'))!;
    const dispatched1 = (await at(ids.enforced, (e) => e.toState === 'dispatched'))!;
    const onScene1 = (await at(ids.enforced, (e) => e.toState === 'on_scene'))!;
    const resolved1 = (await at(ids.enforced, (e) => e.toState === 'resolved'))!;
    const total2 = (await at(ids.noticed, (e) => e.toState === 'resolved'))! - (await at(ids.noticed, (e) => e.kind === 'created'))!;
    const totals = [resolved1 - created1, total2].sort((a, b) => a - b);
    const expected = {
      'dispatch.median': dispatched1 - created1,
      'arrive.median': onScene1 - dispatched1,
      'resolve.median': resolved1 - onScene1,
      'total.median': (totals[0]! + totals[1]!) / 2,
      'total.p90': totals[0]! + 0.9 * (totals[1]! - totals[0]!), // percentile_cont: linear between the two
    };
    const page = await walls.newPage();
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    await page.goto(`${t.http}/assessment?token=${ADMIN_TOKEN}&period=day&from=${from}&to=${to}&lang=en`);
    const row = page.locator('[data-testid=assessment-row][data-department="Centre enforcement team"]');
    await row.first().waitFor({ timeout: 30_000 });
    expect(await row.count()).toBe(1); // one day
    const figure = (name: string) => row.locator(`[data-figure="${name}"]`);
    expect(await figure('received').textContent()).toBe('3');
    expect(await figure('resolvedByNotice').textContent()).toBe('1');
    expect(await figure('resolvedInTime').textContent()).toBe('2');
    expect(await figure('overdue').textContent()).toBe('1');
    expect(await figure('inTimeRate').textContent()).toBe('67%');
    for (const [name, seconds] of Object.entries(expected)) expect(Number(await figure(name).getAttribute('data-value'))).toBeCloseTo(seconds, 2);
    expect(await figure('quota').getAttribute('data-met')).toBe('false');
    expect(await page.locator('[data-testid=chart-in-time] rect[data-value]').count()).toBe(1);
    expect(await page.locator('[data-testid=ranking-row]').first().getAttribute('data-department')).toBe('Centre enforcement team');
    await page.screenshot({ path: path.join(shots, 'assessment.png'), fullPage: true });
    await page.goto(`${t.http}/assessment?token=${ADMIN_TOKEN}&period=day&from=${from}&to=${to}&lang=zh-CN`);
    await page.locator('[data-testid=assessment-row]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('h1').textContent()).toBe('部门考核');
    await page.screenshot({ path: path.join(shots, 'assessment-zh-CN.png'), fullPage: true });
    // the KPI page ranks the departments too
    await page.goto(`${t.http}/kpi?token=${ADMIN_TOKEN}&from=${from}&to=${to}&lang=en`);
    await page.locator('[data-testid=department-ranking] [data-testid=ranking-row]').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, 'kpi-ranking.png'), fullPage: true });
    await page.close();
  });

  it('the wall: a 12319 complaint with its place picked on the map, and the enforced case’s photo in its panel', async () => {
    const page = await walls.newPage();
    await page.goto(t.http + '/?testHooks');
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', ADMIN_TOKEN);
    await page.click('[data-testid=login-submit]');
    await page.waitForSelector('[data-testid=wall]', { timeout: 30_000 });
    await page.click('[data-testid=tab-hotline]');
    await page.fill('[data-testid=hotline-caller-name]', '王女士');
    await page.fill('[data-testid=hotline-caller-phone]', '138 1234 5678');
    await page.selectOption('[data-testid=hotline-category]', 'noise');
    await page.fill('[data-testid=hotline-description]', 'Building work at night');
    expect(await page.isDisabled('[data-testid=hotline-submit]')).toBe(true); // no place yet
    // a point away from the markers, clicked where the map draws it
    type Hooks = { map: { isMoving(): boolean; project(p: [number, number]): { x: number; y: number }; getContainer(): HTMLElement }; toMap(lat: number, lon: number): [number, number] };
    await page.waitForFunction(() => !!(window as unknown as { __hubWall?: Hooks }).__hubWall && !(window as unknown as { __hubWall: Hooks }).__hubWall.map.isMoving(), undefined, { timeout: 30_000 });
    const xy = await page.evaluate(({ lat, lon }) => {
      const h = (window as unknown as { __hubWall: Hooks }).__hubWall;
      const p = h.map.project(h.toMap(lat, lon));
      const r = h.map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, PICK);
    await page.mouse.click(xy.x, xy.y);
    await page.waitForSelector('[data-testid=hotline-place][data-picked=true]');
    const picked = (await page.textContent('[data-testid=hotline-place]'))!.match(/(-?\d+\.\d+), (-?\d+\.\d+)/)!;
    await page.click('[data-testid=hotline-submit]');
    const done = page.locator('[data-testid=hotline-done]');
    await done.waitFor({ timeout: 30_000 });
    expect(await done.textContent()).toContain('138****5678');
    expect(await done.textContent()).toContain('Environmental protection bureau');
    const incident = await detail(Number(await done.getAttribute('data-incident-id')));
    expect(incident).toMatchObject({ type: 'hotline', externalSource: '12319' });
    expect(incident.lat).toBeCloseTo(Number(picked[1]), 4);
    expect(incident.lon).toBeCloseTo(Number(picked[2]), 4);
    expect(incident.lat).toBeCloseTo(PICK.lat, 3);
    expect(incident.lon).toBeCloseTo(PICK.lon, 3);
    await done.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'wall-hotline.png') });
    // the enforced case: its department and its photo from the scene
    await page.click('[data-testid=tab-incidents]');
    await page.selectOption('[data-testid=incident-state-filter]', 'all');
    await page.locator(`[data-testid=incident-row][data-incident-id="${ids.enforced}"]`).click();
    await page.waitForSelector('[data-testid=incident-department]');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid=incident-photo] img');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await page.locator('[data-testid=incident-photos]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'wall-incident-photo.png') });
    // the overdue case: its escalation says why on the wall, and a coordinator transfers it with a reason
    await page.locator('[data-testid=alarm]', { hasText: 'past its deadline at Centre enforcement team' }).first().waitFor({ timeout: 30_000 });
    await page.click('[data-testid=incident-back]');
    await page.locator(`[data-testid=incident-row][data-incident-id="${ids.overdue}"]`).click();
    await page.waitForSelector('[data-testid=incident-department][data-overdue=true]');
    await page.click('[data-testid=incident-transfer]');
    await page.selectOption('[data-testid=incident-transfer-to]', { label: 'Environmental protection bureau' });
    await page.fill('[data-testid=incident-transfer-reason]', 'the stall is a noise case');
    await page.click('[data-testid=incident-transfer-confirm]');
    await page.locator('[data-testid=incident-department]', { hasText: 'Environmental protection bureau' }).waitFor({ timeout: 30_000 });
    await page
      .locator('[data-testid=incident-timeline]')
      .getByText('Transferred to another department: Environmental protection bureau · reason: the stall is a noise case')
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, 'wall-incident-transfer.png') });
    await page.close();
  });
});
