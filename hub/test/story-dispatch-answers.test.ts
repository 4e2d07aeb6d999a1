// Story (b) of issue 12, in Chromium against the real hub: a hotline report opens an incident
// on the wall; the coordinator ticks the body-cam wearer (nothing is ticked for them) and
// dispatches; the wearer's phone shows the order and the wearer refuses with a reason; the
// wall shows the refusal and offers the next nearest unit, which the coordinator sends; that
// unit's device confirms receipt but nobody answers, and after acceptTimeoutSeconds the wall
// shows "no answer" and offers the next one; once resolved, the panel offers no dispatch.
// Screenshots under artifacts/story-b/.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { UnitAgent, onDispatch } from '@hub/edge-agent';
import type { AuditEntry, Incident, IncidentDetail } from '@hub/config';
import { artifactDir } from '../../test-support/browser';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { eventually } from '../../test-support/test-hub';
import { login, openWall } from './support/wall-page';

const ACCEPT_TIMEOUT_S = 6;
const world = hubAndBrowser({ 'incidents.dispatch.acceptTimeoutSeconds': ACCEPT_TIMEOUT_S });
const REPORT = { lat: 22.5431, lon: 114.0579 };
const north = (m: number) => ({ lat: REPORT.lat + m / 111_195, lon: REPORT.lon });
const shot = (page: Page, name: string) => page.screenshot({ path: `${artifactDir('story-b')}/${name}.png`, fullPage: true });

test('a dispatch the wearer refuses, and one nobody answers: the next unit is offered on the wall', async () => {
  const { th, browser } = world;
  const agents: UnitAgent[] = [];
  try {
    // the wearer: the body-cam page on a phone, 250 m north of the report (walking: ETA ≈ 232 s)
    const wearer = await th.createUnit('bc-ana', 'bodycam');
    const phone = await browser.newContext({ geolocation: { latitude: north(250).lat, longitude: north(250).lon }, viewport: { width: 412, height: 915 }, deviceScaleFactor: 1 });
    await phone.grantPermissions(['geolocation'], { origin: th.http });
    const cam = await phone.newPage();
    await cam.goto(`${th.http}/bodycam#unit=${wearer.unitId}&secret=${encodeURIComponent(wearer.secret)}`);
    await eventually(async () => (await th.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === 'bc-ana'), 20_000, 'the wearer’s position');

    // two cars: one whose terminal shows orders but nobody answers, one further away
    const vehicle = async (id: string, at: { lat: number; lon: number }) => {
      const { secret } = await th.createUnit(id, 'vehicle');
      const agent = await UnitAgent.start({ unitId: id, secret, broker: th.mqtt, reconnectMs: 100 });
      agents.push(agent);
      onDispatch(agent, () => new Promise<boolean>(() => {})); // shown; the driver never answers
      await eventually(async () => agent.connected, 10_000, `${id} connected`);
      await agent.report({ ts: Date.now(), ...at, speed: 8, heading: 0, accuracy: 4 });
    };
    await vehicle('car-quiet', north(1500)); // 1500 × 1.3 ÷ 8 ≈ 244 s
    await vehicle('car-next', north(3000)); // ≈ 488 s
    await eventually(async () => (await th.api<unknown[]>('GET', '/api/positions/latest')).body.length >= 3, 10_000, 'positions');

    const coordinator = await th.createOperator('coord-b', 'coordinator');
    const { page: wall } = await openWall(browser, th.http);
    await login(wall, coordinator.username, coordinator.password);

    // a hotline report opens an incident; the linkage panel proposes the nearest units by ETA
    const client = await th.api<{ token: string }>('POST', '/api/intake/clients', { name: 'hotline' });
    const report = await fetch(`${th.http}/api/intake/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'hotline', type: 'hotline', ...REPORT, ts: new Date().toISOString(), description: 'Person collapsed at the north gate' }),
    });
    expect(report.status).toBe(201);
    const incidentId = ((await report.json()) as { incidentId: number }).incidentId;
    const listed = async () => wall.locator('[data-testid=nearest-unit]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-id')));
    await eventually(async () => (await listed()).length === 3, 15_000, 'three units proposed');
    expect(await listed()).toEqual(['bc-ana', 'car-quiet', 'car-next']);
    expect(await wall.locator('[data-testid=nearest-unit] input[type=checkbox]:checked').count()).toBe(0);
    await shot(wall, '1-wall-proposed-none-ticked');

    // the coordinator picks the wearer
    await wall.locator('[data-testid=nearest-unit][data-unit-id="bc-ana"] input[type=checkbox]').check();
    await wall.click('[data-testid=dispatch]');
    // on the phone: the order, with where and the note; the device's receipt shows as "delivered" on the wall
    await cam.waitForSelector('[data-testid=order][data-status=waiting]', { timeout: 30_000 });
    expect(await cam.textContent('[data-testid=order-distance]')).toMatch(/^250 m to the south$/);
    expect(await cam.getAttribute('[data-testid=order-compass]', 'data-bearing')).toBe('180');
    expect(await cam.textContent('[data-testid=order-note]')).toBe('Person collapsed at the north gate');
    await wall.waitForSelector('[data-testid=nearest-unit][data-unit-id="bc-ana"][data-dispatch=delivered]', { timeout: 30_000 });
    expect((await th.api<Incident>('GET', `/api/incidents/${incidentId}`)).body.state).toBe('dispatched');
    await shot(cam, '2-phone-order');

    // the wearer refuses, saying why
    await cam.click('[data-testid=order-refuse]');
    await shot(cam, '3-phone-refuse-reason');
    await cam.locator('[data-testid=order-reason]', { hasText: 'On another task' }).click();
    await cam.waitForSelector('[data-testid=order][data-status=refused]');
    await wall.waitForSelector('[data-testid=nearest-unit][data-unit-id="bc-ana"][data-dispatch=refused]', { timeout: 30_000 });
    expect(await wall.textContent('[data-testid=nearest-unit][data-unit-id="bc-ana"] [data-testid=dispatch-reason]')).toBe('On another task');
    const offer = wall.locator('[data-testid=dispatch-offer][data-unit-id="bc-ana"]');
    await offer.waitFor({ timeout: 30_000 });
    expect(await offer.getAttribute('data-next')).toBe('car-quiet');
    expect(await offer.textContent()).toMatch(/bc-ana refused\. Next nearest: (Unit )?car-quiet, ETA 4 min \d+ s/);
    await shot(wall, '4-wall-refused-next-offered');

    // the coordinator takes the offer; the car's terminal confirms receipt, nobody answers
    const sentAt = Date.now();
    await offer.locator('[data-testid=offer-dispatch]').click();
    await wall.waitForSelector('[data-testid=nearest-unit][data-unit-id="car-quiet"][data-dispatch=delivered]', { timeout: 30_000 });
    const timedOut = wall.locator('[data-testid=dispatch-offer][data-unit-id="car-quiet"]');
    await timedOut.waitFor({ timeout: (ACCEPT_TIMEOUT_S + 20) * 1000 });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(ACCEPT_TIMEOUT_S * 1000);
    await wall.waitForSelector('[data-testid=nearest-unit][data-unit-id="car-quiet"][data-dispatch=timed_out]');
    expect(await timedOut.getAttribute('data-next')).toBe('car-next');
    expect(await timedOut.textContent()).toMatch(/car-quiet did not answer\. Next nearest: (Unit )?car-next, ETA 8 min \d+ s/);
    await shot(wall, '5-wall-no-answer-next-offered');

    // the trail and the audit log say what happened, in order
    const detail = (await th.api<IncidentDetail>('GET', `/api/incidents/${incidentId}`)).body;
    expect(detail.state).toBe('dispatched');
    expect(detail.timeline.map((e) => e.kind).filter((k) => k !== 'transition')).toEqual([
      'created',
      'dispatch_sent',
      'unit_delivered',
      'unit_refused',
      'next_unit_offered',
      'dispatch_sent',
      'unit_delivered',
      'unit_timed_out',
      'next_unit_offered',
    ]);
    const audit = (await th.api<AuditEntry[]>('GET', '/api/audit?limit=200')).body.map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['dispatch_refused', 'dispatch_timed_out', 'dispatch_delivered']));
    expect(audit).not.toContain('dispatch_accepted');

    // resolved elsewhere (the API, another wall): the panel offers no more dispatch
    await th.api('POST', `/api/incidents/${incidentId}/transition`, { to: 'resolved' });
    await wall.waitForSelector('[data-testid=linkage-ended]', { timeout: 30_000 });
    expect(await wall.locator('[data-testid=dispatch], [data-testid=offer-dispatch], [data-testid=nearest-unit] input[type=checkbox]').count()).toBe(0);
    await shot(wall, '6-wall-resolved-no-dispatch');
  } finally {
    await Promise.all(agents.map((a) => a.close()));
  }
});
