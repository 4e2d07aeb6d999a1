// Emergency linkage on the wall: an SOS from a body cam at a known point, responders at known
// distances (real edge agents); the wall lists them soonest first (by ETA), opens the alarming
// unit's camera by itself, none is ticked until the coordinator ticks them; dispatched, each
// agent's person accepts and the wall shows it.
// A viewer sees the list but cannot dispatch, and the hub refuses the viewer too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AuditEntry, Command } from '@hub/config';
import { UnitAgent, onDispatch } from '@hub/edge-agent';
import { launchChromium } from '../../test-support/browser';
import { eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { login, openWall } from './support/wall-page';

let th: TestHub;
let browser: Browser;
const agents: UnitAgent[] = [];
const commands = new Map<string, Command[]>();

const SOS_AT = { lat: 22.54, lon: 114.05 };
// metres from the SOS: near ~300 m north, mid ~1 km east, far ~2.5 km south
const RESPONDERS: [string, 'vehicle' | 'bodycam', number, number][] = [
  ['car-mid', 'vehicle', SOS_AT.lat, SOS_AT.lon + 0.00974],
  ['cam-far', 'bodycam', SOS_AT.lat - 0.0225, SOS_AT.lon],
  ['car-near', 'vehicle', SOS_AT.lat + 0.0027, SOS_AT.lon],
];

async function startAgent(unitId: string, type: 'vehicle' | 'bodycam', lat: number, lon: number): Promise<UnitAgent> {
  const { secret } = await th.createUnit(unitId, type);
  const agent = await UnitAgent.start({ unitId, secret, broker: th.mqtt, reconnectMs: 100 });
  agents.push(agent);
  agent.on('command', (cmd: Command) => commands.set(unitId, [...(commands.get(unitId) ?? []), cmd]));
  onDispatch(agent, () => true); // the person at the terminal accepts
  await eventually(async () => agent.stats.connected, 10_000, `${unitId} connected`);
  await agent.report({ ts: Date.now(), lat, lon, speed: 8, heading: 0 });
  return agent;
}

beforeAll(async () => {
  th = await startTestHub();
  browser = await launchChromium();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await browser?.close();
  await th?.close();
});

describe('emergency linkage', () => {
  test('nearest units in order, the alarming camera opens by itself, dispatch reaches the agents and their answers show', async () => {
    const coordinator = await th.createOperator('coord', 'coordinator');
    const sosAgent = await startAgent('cam-sos', 'bodycam', SOS_AT.lat, SOS_AT.lon);
    for (const [id, type, lat, lon] of RESPONDERS) await startAgent(id, type, lat, lon);
    await eventually(async () => (await th.api<unknown[]>('GET', '/api/positions/latest')).body.length >= 4, 10_000, 'positions stored');

    const { page, context } = await openWall(browser, th.http);
    await login(page, coordinator.username, coordinator.password);
    await sosAgent.sos('officer down');

    // the linkage event: the alarming unit's camera is put on a tile without anyone asking
    await page.waitForSelector('[data-testid=tile][data-unit-id="cam-sos"]', { timeout: 30_000 });
    const alarm = page.locator('[data-testid=alarm][data-kind=sos]').first();
    await alarm.waitFor();
    await alarm.click();
    await page.waitForSelector('[data-testid=nearest-unit]');
    const order = async () => page.locator('[data-testid=nearest-unit]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-id')));
    await eventually(async () => (await order()).length === 3, 10_000, 'three responders listed');
    expect(await order()).toEqual(['car-near', 'car-mid', 'cam-far']);
    const distances = await page.locator('[data-testid=nearest-unit] .distance').allTextContents();
    expect(distances).toEqual([expect.stringMatching(/^(29\d|30\d) m$/), expect.stringMatching(/^1\.0 km$/), expect.stringMatching(/^2\.5 km$/)]);

    // nobody is chosen for the coordinator: the button waits for a tick
    expect(await page.locator('[data-testid=nearest-unit] input[type=checkbox]:checked').count()).toBe(0);
    expect(await page.locator('[data-testid=dispatch]').isDisabled()).toBe(true);
    for (const box of await page.locator('[data-testid=nearest-unit] input[type=checkbox]').all()) await box.check();
    await page.click('[data-testid=dispatch]');
    // each agent got the dispatch command over MQTT, its person accepted; the wall shows the answer
    for (const [id] of RESPONDERS) {
      await eventually(async () => commands.get(id)?.some((c) => c.type === 'dispatch'), 10_000, `${id} received the dispatch`);
      await page.waitForSelector(`[data-testid=nearest-unit][data-unit-id="${id}"]:is([data-dispatch=en_route], [data-dispatch=on_scene])`, { timeout: 30_000 });
    }
    // the dispatched units' cameras join the alarming one on the wall
    for (const [id] of RESPONDERS) await page.waitForSelector(`[data-testid=tile][data-unit-id="${id}"]`, { timeout: 30_000 });
    // the audit log names who dispatched whom
    const audit = await th.api<AuditEntry[]>('GET', '/api/audit?action=dispatch');
    expect(
      audit.body
        .filter((e) => e.actor === 'coord')
        .map((e) => e.target)
        .sort(),
    ).toEqual(['unit:cam-far', 'unit:car-mid', 'unit:car-near']);
    await context.close();
  });

  test('a viewer sees the nearest units but no dispatch button, and the hub refuses the viewer’s dispatch (403)', async () => {
    const viewer = await th.createOperator('viewer1', 'viewer');
    // the responders above are busy now: one more, available, 500 m west
    await startAgent('car-spare', 'vehicle', SOS_AT.lat, SOS_AT.lon - 0.00487);
    const { page, context } = await openWall(browser, th.http);
    await login(page, viewer.username, viewer.password);
    const alarm = page.locator('[data-testid=alarm][data-kind=sos]').first();
    await alarm.waitFor();
    await alarm.click();
    await page.waitForSelector('[data-testid=nearest-unit][data-unit-id="car-spare"]');
    expect(await page.locator('[data-testid=dispatch]').count()).toBe(0);
    const [incident] = (await th.api<{ id: number }[]>('GET', '/api/incidents?state=open')).body;
    const res = await page.evaluate(async (id) => {
      const token = JSON.parse(sessionStorage.getItem('wall.session')!).token as string;
      const r = await fetch(`/api/incidents/${id}/dispatch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ unitIds: ['car-near'] }),
      });
      return { status: r.status, body: await r.json() };
    }, incident!.id);
    expect(res).toMatchObject({ status: 403, body: { code: 'HUB_ERR_FORBIDDEN' } });
    await context.close();
  });
});

describe('linkage from the map', () => {
  test('a point clicked on the map lists the nearest available units to it', async () => {
    const coordinator = await th.createOperator('coord2', 'coordinator');
    const { page, context } = await openWall(browser, th.http, undefined, '?testHooks');
    await login(page, coordinator.username, coordinator.password);
    await page.waitForFunction(() => !!(window as unknown as { __hubWall?: unknown }).__hubWall, undefined, { timeout: 30_000 });
    // select the SOS: the map flies there; then click 150 m west of it, where no unit is
    const alarm = page.locator('[data-testid=alarm][data-kind=sos]').first();
    await alarm.waitFor();
    await alarm.click();
    const point = { lat: SOS_AT.lat, lon: SOS_AT.lon - 0.0015 };
    type Hooks = { map: { isMoving(): boolean; project(p: [number, number]): { x: number; y: number }; getContainer(): HTMLElement }; toMap(lat: number, lon: number): [number, number] };
    await page.waitForFunction(
      () => {
        const h = (window as unknown as { __hubWall: Hooks }).__hubWall;
        return !h.map.isMoving();
      },
      undefined,
      { timeout: 30_000 },
    );
    const xy = await page.evaluate(({ lat, lon }) => {
      const h = (window as unknown as { __hubWall: Hooks }).__hubWall;
      const p = h.map.project(h.toMap(lat, lon));
      const r = h.map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, point);
    await page.mouse.click(xy.x, xy.y);
    await page.waitForSelector('.linkage-target >> text=Point on the map');
    const order = async () => page.locator('[data-testid=nearest-unit]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-id')));
    // the first test's responders are dispatched (not available); the alarming body cam is
    // ~150 m away, the spare car ~350 m
    await eventually(async () => (await order()).length >= 2, 10_000, 'units listed for the point');
    expect((await order()).slice(0, 2)).toEqual(['cam-sos', 'car-spare']);
    await context.close();
  });
});
