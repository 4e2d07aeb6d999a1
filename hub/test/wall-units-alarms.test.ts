// The wall at work in Chromium against the real hub: the simulated fleet in the unit list (its
// search and type, link and duty filters) and on the map, the unit's popup following a language
// switch, an SOS from mosquitto_pub in the alarm panel (with a sound and a flash, flying the map
// to it on a click) acknowledged with a note, an SOS raised while the wall's feed was away shown
// once it is back, a viewer who may look but not acknowledge.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Page } from 'playwright-core';
import type { Alarm, AuditEntry, Incident } from '@hub/config';
import { provisionUnit, startFleet, type Fleet } from '@hub/edge-agent';
import { launchChromium } from '../../test-support/browser';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { mosquittoPub } from './support/mosquitto';
import { drawnUnits, login, openWall, recordTones, tones } from './support/wall-page';

let th: TestHub;
let browser: Browser;
let fleet: Fleet | undefined;

beforeAll(async () => {
  th = await startTestHub();
  browser = await launchChromium();
});
afterAll(async () => {
  await fleet?.close();
  await browser?.close();
  await th?.close();
});

describe('the wall at work', () => {
  test('units of the simulated fleet appear in the unit list and their figures update', async () => {
    const ids = ['patrol-1', 'patrol-2', 'patrol-3'];
    const creds = await Promise.all(ids.map((id) => provisionUnit({ hub: th.http, adminToken: ADMIN_TOKEN }, { id, name: `Patrol ${id.slice(-1)}`, type: 'vehicle' })));
    // a body cam that has never connected: offline, and the only one of its type
    await th.createUnit('cam-idle', 'bodycam');
    fleet = await startFleet({ credentials: creds, broker: th.mqtt, rateHz: 2, staggerMs: 100 });
    await eventually(async () => fleet!.stats().acked >= 6, 20_000, 'positions acknowledged');

    const { page, context } = await openWall(browser, th.http, undefined, '?testHooks');
    await login(page);
    for (const id of ids) await page.waitForSelector(`[data-testid=unit][data-unit-id="${id}"][data-online=true]`, { timeout: 30_000 });
    await page.waitForSelector('[data-testid=unit][data-unit-id="cam-idle"][data-online=false]');

    // search, and each filter: what it keeps, and what it leaves out
    await page.fill('[data-testid=unit-search]', 'patrol 2');
    await listed(page, ['patrol-2'], 'a search by name');
    await page.fill('[data-testid=unit-search]', 'PATROL-3');
    await listed(page, ['patrol-3'], 'a search by id');
    await page.fill('[data-testid=unit-search]', '');
    await page.selectOption('[data-testid=unit-type]', 'bodycam');
    await listed(page, ['cam-idle'], 'the body cams');
    await page.selectOption('[data-testid=unit-type]', 'vehicle');
    await listed(page, ids, 'the vehicles');
    await page.selectOption('[data-testid=unit-type]', 'all');
    await page.selectOption('[data-testid=unit-online]', 'offline');
    await listed(page, ['cam-idle'], 'the offline units');
    await page.selectOption('[data-testid=unit-online]', 'online');
    await listed(page, ids, 'the online units');
    await page.selectOption('[data-testid=unit-online]', 'all');
    // on duty: patrol-3 dispatched to an incident through the API (another wall's dispatch)
    const incident = await th.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.55, lon: 114.06, note: 'duty filter' });
    expect((await th.api('POST', `/api/incidents/${incident.body.id}/dispatch`, { unitIds: ['patrol-3'] })).status).toBe(200);
    await page.selectOption('[data-testid=unit-duty]', 'assigned');
    await listed(page, ['patrol-3'], 'the dispatched units');
    await page.selectOption('[data-testid=unit-duty]', 'available');
    await listed(page, ['cam-idle', 'patrol-1', 'patrol-2'], 'the available units');
    // filters combine
    await page.selectOption('[data-testid=unit-online]', 'online');
    await listed(page, ['patrol-1', 'patrol-2'], 'the online available units');
    await page.selectOption('[data-testid=unit-duty]', 'all');
    await page.selectOption('[data-testid=unit-online]', 'all');
    await listed(page, ['cam-idle', ...ids], 'every unit again');

    // the row follows the live feed: the unit's newest position time moves on
    const row = page.locator('[data-testid=unit][data-unit-id="patrol-1"]');
    const first = Date.parse((await row.getAttribute('data-ts'))!);
    await eventually(async () => Date.parse((await row.getAttribute('data-ts'))!) > first, 15_000, 'a newer position in the list');

    // on the map: selecting the unit flies there (zoom 15: the others may be out of view);
    // it is drawn, and its symbol moves as its positions come in
    await row.click();
    const drawn = await eventually(async () => (await drawnUnits(page))['patrol-1'], 20_000, 'patrol-1 drawn on the map');
    await eventually(
      async () => {
        const now = (await drawnUnits(page))['patrol-1'];
        return now && (now[0] !== drawn[0] || now[1] !== drawn[1]);
      },
      20_000,
      'patrol-1 moved on the map',
    );

    // the unit's popup (plain DOM outside React) and MapLibre's own labels follow a language switch
    const popup = page.locator('.hub-unit-popup');
    await popup.locator('.hub-open-camera').waitFor();
    expect(await popup.locator('.hub-open-camera').textContent()).toBe('Open camera');
    expect(await popup.locator('.hub-popup-status').textContent()).toMatch(/^Vehicle · /);
    expect(await popup.locator('.hub-popup-details').textContent()).toContain('Speed: ');
    expect(await page.locator('.maplibregl-canvas').getAttribute('aria-label')).toBe('Map');
    await page.selectOption('[data-testid=language]', 'zh-CN');
    await page.waitForFunction(() => document.querySelector('.hub-unit-popup .hub-open-camera')?.textContent === '打开摄像头');
    expect(await popup.locator('.hub-popup-status').textContent()).toMatch(/^车辆 · /);
    expect(await popup.locator('.hub-popup-details').textContent()).toContain('速度：');
    expect(await page.locator('.maplibregl-popup-close-button').getAttribute('aria-label')).toBe('关闭弹窗');
    expect(await page.locator('.maplibregl-canvas').getAttribute('aria-label')).toBe('地图');
    expect(await page.locator('.hub-map-connection').textContent()).toContain('实时');
    expect(await page.title()).toBe('指挥中心大屏');
    await page.selectOption('[data-testid=language]', 'en');
    await page.waitForFunction(() => document.querySelector('.hub-unit-popup .hub-open-camera')?.textContent === 'Open camera');
    await context.close();
  });

  test('an SOS published with mosquitto_pub shows in the alarm panel, flashing, and is acknowledged with a note', async () => {
    const { secret } = await th.createUnit('cam-77', 'bodycam');
    // headless Chromium has no speakers: count the beeps the page starts instead
    const { page, context } = await openWall(browser, th.http, undefined, '?testHooks', recordTones);
    await login(page);
    await page.waitForSelector('[data-testid=alarm-panel]');
    await page.waitForFunction(() => !!window.__hubWall, undefined, { timeout: 30_000 });
    // the map looks elsewhere, so that flying to the alarm is a move
    await page.evaluate(() => window.__hubWall!.map.jumpTo({ center: [114.3, 22.7], zoom: 10 }));
    expect(await beeps(page)).toBe(0);

    const SOS = { lat: 22.5405, lon: 114.0552 };
    const published = Date.now();
    const pub = await mosquittoPub(
      { port: th.hub.mqttPort, username: 'cam-77', password: secret },
      'units/cam-77/alarm',
      JSON.stringify({ ts: new Date().toISOString(), type: 'sos', message: 'officer needs help', ...SOS }),
    );
    expect(pub.code, pub.stderr).toBe(0);
    const row = page.locator('[data-testid=alarm][data-kind=sos]').filter({ hasText: 'cam-77' });
    await row.waitFor({ timeout: 30_000 });
    // a figure, not an assertion: from starting mosquitto_pub to the row on the wall
    console.log(`SOS on the wall ${Date.now() - published} ms after mosquitto_pub started`);
    // the flash (the new row and the panel) and the sound
    expect(await row.getAttribute('class')).toContain('fresh');
    expect(await page.locator('[data-testid=alarm-panel]').getAttribute('class')).toContain('flash');
    await eventually(async () => (await beeps(page)) > 0, 5_000, 'the new-alarm beep started');

    // clicking the alarm flies the map to it
    await row.locator('.alarm-line').click();
    await eventually(
      async () => {
        const v = await page.evaluate(({ lat, lon }) => {
          const { map, toMap } = window.__hubWall!;
          const [x, y] = toMap(lat, lon);
          const c = map.getCenter();
          return { d: Math.hypot(c.lng - x, c.lat - y), zoom: map.getZoom(), moving: map.isMoving() };
        }, SOS);
        return !v.moving && v.d < 1e-5 && Math.abs(v.zoom - 14) < 1e-3;
      },
      10_000,
      'the map centred on the alarm at zoom 14',
    );

    // muted: the next alarm flashes without a sound
    await page.click('[data-testid=alarm-sound]');
    expect(await page.locator('[data-testid=alarm-sound]').textContent()).toBe('Sound off');
    const before = await beeps(page);
    await mosquittoPub({ port: th.hub.mqttPort, username: 'cam-77', password: secret }, 'units/cam-77/alarm', JSON.stringify({ ts: new Date().toISOString(), type: 'device', code: 'tamper' }));
    const quiet = page.locator('[data-testid=alarm][data-kind=device]').filter({ hasText: 'cam-77' });
    await quiet.waitFor({ timeout: 30_000 });
    expect(await quiet.getAttribute('class')).toContain('fresh');
    expect(await beeps(page)).toBe(before);

    const id = Number(await row.getAttribute('data-alarm-id'));
    await row.locator('[data-testid=ack]').click();
    await row.locator('[data-testid=ack-note]').fill('patrol 3 on the way');
    await row.locator('[data-testid=ack-confirm]').click();
    const stored = await eventually(
      async () => {
        const a = (await th.api<Alarm[]>('GET', '/api/alarms?unitId=cam-77&kind=sos')).body.find((x) => x.id === id);
        return a?.acknowledgedAt ? a : undefined;
      },
      10_000,
      'acknowledged in the API',
    );
    expect(stored).toMatchObject({ acknowledgedBy: 'admin', note: 'patrol 3 on the way' });
    // the open filter no longer lists it; the acknowledged filter does, with the note
    await row.waitFor({ state: 'detached' });
    await page.selectOption('[data-testid=alarm-state]', 'acknowledged');
    await page.locator('[data-testid=alarm]').filter({ hasText: 'patrol 3 on the way' }).waitFor();
    await context.close();
  });

  test('an SOS raised while the wall’s live feed is away shows, and sounds, once the feed is back', async () => {
    const { secret } = await th.createUnit('cam-away', 'bodycam');
    const { page, context } = await openWall(browser, th.http, undefined, '?testHooks', recordTones);
    await login(page);
    await page.waitForSelector('[data-testid=alarm-panel]');
    await page.waitForSelector('.hub-map-connection[data-state=live]');
    const before = await beeps(page);
    // the link drops: the page is offline and the hub has closed its socket
    await context.setOffline(true);
    th.hub.telemetry.io.disconnectSockets(true);
    await page.waitForSelector('.hub-map-connection:not([data-state=live])');
    const pub = await mosquittoPub(
      { port: th.hub.mqttPort, username: 'cam-away', password: secret },
      'units/cam-away/alarm',
      JSON.stringify({ ts: new Date().toISOString(), type: 'sos', message: 'raised while the wall was away', lat: 22.541, lon: 114.055 }),
    );
    expect(pub.code, pub.stderr).toBe(0);
    await eventually(async () => (await th.api<Alarm[]>('GET', '/api/alarms?unitId=cam-away&kind=sos')).body.length === 1, 10_000, 'the SOS stored');
    await context.setOffline(false);
    // no batch carried it: the wall reads the list again when its feed is live again
    await page.locator('[data-testid=alarm][data-kind=sos]').filter({ hasText: 'cam-away' }).waitFor({ timeout: 30_000 });
    await eventually(async () => (await beeps(page)) > before, 5_000, 'its beep');
    await context.close();
  });

  test('a viewer sees no acknowledge button, and the hub refuses the viewer’s acknowledgement', async () => {
    const viewer = await th.createOperator('watcher', 'viewer');
    const { secret } = await th.createUnit('cam-78', 'bodycam');
    await mosquittoPub({ port: th.hub.mqttPort, username: 'cam-78', password: secret }, 'units/cam-78/alarm', JSON.stringify({ ts: new Date().toISOString(), type: 'sos' }));
    const [sos] = await eventually(
      async () => {
        const list = (await th.api<Alarm[]>('GET', '/api/alarms?unitId=cam-78')).body;
        return list.length ? list : undefined;
      },
      10_000,
      'the SOS stored',
    );
    const { page, context } = await openWall(browser, th.http);
    await login(page, viewer.username, viewer.password);
    const row = page.locator(`[data-testid=alarm][data-alarm-id="${sos!.id}"]`);
    await row.waitFor();
    expect(await row.locator('[data-testid=ack]').count()).toBe(0);
    const res = await page.evaluate(async (id) => {
      const token = JSON.parse(sessionStorage.getItem('wall.session')!).token as string;
      const r = await fetch(`/api/alarms/${id}/ack`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      return { status: r.status, body: await r.json() };
    }, sos!.id);
    expect(res).toMatchObject({ status: 403, body: { code: 'HUB_ERR_FORBIDDEN' } });
    await context.close();
  });

  test('logins are in the audit log', async () => {
    const audit = await th.api<AuditEntry[]>('GET', '/api/audit?action=login');
    expect(audit.body.some((e) => e.actor === 'watcher')).toBe(true);
  });
});

/** The unit list shows exactly these units (in any order), within a few redraws. */
async function listed(page: Page, unitIds: string[], what: string): Promise<void> {
  const want = [...unitIds].sort().join(',');
  let last = '';
  await eventually(
    async () => {
      last = (await page.locator('[data-testid=unit]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-id')))).sort().join(',');
      return last === want;
    },
    10_000,
    `${what}: [${want}] listed`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; listed [${last}]`);
  });
}

/** How many tones the page has started through WebAudio (each alarm sound is a few). */
const beeps = async (page: Page): Promise<number> => (await tones(page)).length;
