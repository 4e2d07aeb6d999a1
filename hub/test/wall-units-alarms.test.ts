// The wall at work in Chromium against the real hub: the simulated fleet in the unit list and
// on the map, an SOS from mosquitto_pub in the alarm panel acknowledged with a note, a viewer
// who may look but not acknowledge.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Alarm, AuditEntry } from '@hub/config';
import { provisionUnit, startFleet, type Fleet } from '@hub/edge-agent';
import { launchChromium } from '../../test-support/browser';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from './support/test-hub';
import { mosquittoPub } from './support/mosquitto';
import { drawnUnits, login, openWall } from './support/wall-page';

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
    fleet = await startFleet({ credentials: creds, broker: th.mqtt, rateHz: 2, staggerMs: 100 });
    await eventually(async () => fleet!.stats().acked >= 6, 20_000, 'positions acknowledged');

    const { page, context } = await openWall(browser, th.http, undefined, '?testHooks');
    await login(page);
    for (const id of ids) await page.waitForSelector(`[data-testid=unit][data-unit-id="${id}"][data-online=true]`, { timeout: 15_000 });

    // search and filters
    await page.fill('[data-testid=unit-search]', 'patrol 2');
    await eventually(async () => (await page.locator('[data-testid=unit]').count()) === 1, 5_000, 'one match');
    expect(await page.locator('[data-testid=unit]').getAttribute('data-unit-id')).toBe('patrol-2');
    await page.fill('[data-testid=unit-search]', '');
    await page.selectOption('[data-testid=unit-type]', 'bodycam');
    await eventually(async () => (await page.locator('[data-testid=unit]').count()) === 0, 5_000, 'no body cams');
    await page.selectOption('[data-testid=unit-type]', 'all');
    await page.selectOption('[data-testid=unit-online]', 'offline');
    await eventually(async () => (await page.locator('[data-testid=unit]').count()) === 0, 5_000, 'nobody offline');
    await page.selectOption('[data-testid=unit-online]', 'all');

    // the row follows the live feed: the unit's newest position time moves on
    const row = page.locator('[data-testid=unit][data-unit-id="patrol-1"]');
    const first = Date.parse((await row.getAttribute('data-ts'))!);
    await eventually(async () => Date.parse((await row.getAttribute('data-ts'))!) > first, 15_000, 'a newer position in the list');

    // on the map: selecting the unit flies there (zoom 15: the others may be out of view);
    // it is drawn, and its symbol moves as its positions come in
    await row.click();
    const drawn = await eventually(async () => (await drawnUnits(page))['patrol-1'], 20_000, 'patrol-1 drawn on the map');
    await eventually(async () => {
      const now = (await drawnUnits(page))['patrol-1'];
      return now && (now[0] !== drawn[0] || now[1] !== drawn[1]);
    }, 20_000, 'patrol-1 moved on the map');
    await context.close();
  });

  test('an SOS published with mosquitto_pub shows in the alarm panel, flashing, and is acknowledged with a note', async () => {
    const { secret } = await th.createUnit('cam-77', 'bodycam');
    const { page, context } = await openWall(browser, th.http);
    await login(page);
    await page.waitForSelector('[data-testid=alarm-panel]');

    const published = Date.now();
    const pub = await mosquittoPub({ port: th.hub.mqttPort, username: 'cam-77', password: secret }, 'units/cam-77/alarm', JSON.stringify({ ts: new Date().toISOString(), type: 'sos', message: 'officer needs help', lat: 22.5405, lon: 114.0552 }));
    expect(pub.code, pub.stderr).toBe(0);
    const row = page.locator('[data-testid=alarm][data-kind=sos]').filter({ hasText: 'cam-77' });
    await row.waitFor({ timeout: 15_000 });
    // a figure, not an assertion: from starting mosquitto_pub to the row on the wall
    console.log(`SOS on the wall ${Date.now() - published} ms after mosquitto_pub started`);
    expect(await row.getAttribute('class')).toContain('fresh');

    const id = Number(await row.getAttribute('data-alarm-id'));
    await row.locator('[data-testid=ack]').click();
    await row.locator('[data-testid=ack-note]').fill('patrol 3 on the way');
    await row.locator('[data-testid=ack-confirm]').click();
    const stored = await eventually(async () => {
      const a = (await th.api<Alarm[]>('GET', '/api/alarms?unitId=cam-77&kind=sos')).body.find((x) => x.id === id);
      return a?.acknowledgedAt ? a : undefined;
    }, 10_000, 'acknowledged in the API');
    expect(stored).toMatchObject({ acknowledgedBy: 'admin', note: 'patrol 3 on the way' });
    // the open filter no longer lists it; the acknowledged filter does, with the note
    await row.waitFor({ state: 'detached' });
    await page.selectOption('[data-testid=alarm-state]', 'acknowledged');
    await page.locator('[data-testid=alarm]').filter({ hasText: 'patrol 3 on the way' }).waitFor();
    await context.close();
  });

  test('a viewer sees no acknowledge button, and the hub refuses the viewer’s acknowledgement', async () => {
    const viewer = await th.createOperator('watcher', 'viewer');
    const { secret } = await th.createUnit('cam-78', 'bodycam');
    await mosquittoPub({ port: th.hub.mqttPort, username: 'cam-78', password: secret }, 'units/cam-78/alarm', JSON.stringify({ ts: new Date().toISOString(), type: 'sos' }));
    const [sos] = await eventually(async () => {
      const list = (await th.api<Alarm[]>('GET', '/api/alarms?unitId=cam-78')).body;
      return list.length ? list : undefined;
    }, 10_000, 'the SOS stored');
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
