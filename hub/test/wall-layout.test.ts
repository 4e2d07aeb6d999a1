// The wall's layout in Chromium: grid and tiles saved as a named preset and restored at the
// next login; track replay of a unit's stored positions; the admin's operators page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Operator, Preset } from '@hub/config';
import { launchChromium } from '../../test-support/browser';
import { eventually, positionPayload, startTestHub, type TestHub } from '../../test-support/test-hub';
import { mosquittoPub } from './support/mosquitto';
import { login, openWall } from './support/wall-page';

let th: TestHub;
let browser: Browser;

beforeAll(async () => {
  th = await startTestHub();
  browser = await launchChromium();
  // two units with ten minutes of track, one fix every 20 s
  const t0 = Date.now() - 10 * 60_000;
  for (const id of ['bus-1', 'bus-2']) {
    const { secret } = await th.createUnit(id, 'vehicle');
    const lines = Array.from({ length: 30 }, (_, i) => positionPayload(id, t0 + i * 20_000, 22.54 + i * 0.0005, 114.05 + i * 0.0003));
    const res = await mosquittoPub({ port: th.hub.mqttPort, username: id, password: secret }, `units/${id}/gps`, lines);
    expect(res.code, res.stderr).toBe(0);
  }
});
afterAll(async () => {
  await browser?.close();
  await th?.close();
});

describe('layout', () => {
  test('a grid and its tiles saved as a preset come back at the next login', async () => {
    const op = await th.createOperator('shift-a', 'coordinator');
    const { page, context } = await openWall(browser, th.http);
    await login(page, op.username, op.password);
    await page.click('[data-testid=grid-9]');
    expect(await page.locator('[data-testid=tile]').count()).toBe(9);
    await page.waitForSelector('[data-testid=unit][data-unit-id="bus-2"]');
    await page.dragAndDrop('[data-testid=unit][data-unit-id="bus-2"]', '[data-testid=tile][data-tile-index="4"]');
    await page.waitForSelector('[data-testid=tile][data-tile-index="4"][data-unit-id="bus-2"]');
    await page.click('[data-testid=preset-save-as]');
    await page.fill('[data-testid=preset-name]', 'Night shift');
    await page.click('[data-testid=preset-save-as-confirm]');
    const stored = await eventually(
      async () => {
        const res = await fetch(th.http + '/api/presets/Night%20shift', { headers: { authorization: `Bearer ${op.token}` } });
        return res.status === 200 ? ((await res.json()) as Preset) : undefined;
      },
      10_000,
      'the preset stored',
    );
    expect(stored.layout).toMatchObject({ grid: 9, tiles: [null, null, null, null, 'bus-2', null, null, null, null] });

    await page.click('[data-testid=logout]');
    await page.waitForSelector('[data-testid=login]');
    await login(page, op.username, op.password);
    await page.waitForSelector('[data-testid=tile][data-tile-index="4"][data-unit-id="bus-2"]');
    expect(await page.locator('[data-testid=tile]').count()).toBe(9);
    expect(await page.locator('[data-testid=preset-pick]').inputValue()).toBe('Night shift');
    await context.close();
  });

  test('track replay: a unit picked by search, its stored path in view with the live units dimmed, a time slider and 16× playback', async () => {
    const { page, context } = await openWall(browser, th.http, undefined, '?testHooks');
    await login(page);
    await page.click('[data-testid=tab-replay]');
    await page.click('[data-testid=replay-unit-search]');
    await page.fill('[data-testid=replay-unit-search]', 'us-1');
    expect(await page.locator('[data-testid=replay-unit-option]').count()).toBe(1);
    await page.click('[data-testid=replay-unit-option][data-unit-id="bus-1"]');
    await page.click('[data-testid=replay-load]');
    const cursor = page.locator('[data-testid=replay-cursor]');
    await cursor.waitFor();
    expect(await cursor.textContent()).toContain('30 points');
    expect(await page.getAttribute('[data-testid=live-map]', 'data-replaying')).toBe('true');
    // the map comes to the track: its first and last fix are both in view, close in
    const inView = () =>
      page.evaluate(() => {
        const m = (window as unknown as { __hubWall: { map: { getBounds(): { contains(p: [number, number]): boolean }; getZoom(): number } } }).__hubWall.map;
        const b = m.getBounds();
        return b.contains([114.05, 22.54]) && b.contains([114.05 + 29 * 0.0003, 22.54 + 29 * 0.0005]) && m.getZoom() > 13;
      });
    await eventually(async () => (await inView()) || undefined, 10_000, 'the map zoomed to the track');
    const slider = page.locator('[data-testid=replay-slider]');
    expect(Number(await slider.getAttribute('max'))).toBe(29 * 20_000);
    await page.click('[data-testid=replay-speed-16]');
    await page.click('[data-testid=replay-play]');
    await eventually(async () => Number(await slider.inputValue()) >= 16_000, 10_000, 'the replay moves at 16×');
    await page.click('[data-testid=replay-play]'); // pause
    await slider.fill(String(10 * 20_000));
    expect(Number(await slider.inputValue())).toBe(200_000);
    await context.close();
  });

  test('the admin adds an operator with a role on the operators page; others do not see the page', async () => {
    const { page, context } = await openWall(browser, th.http);
    await login(page);
    await page.click('[data-testid=page-toggle]');
    await page.waitForSelector('[data-testid=operators-page]');
    await page.fill('[data-testid=op-username]', 'zhang.min');
    await page.fill('[data-testid=op-display]', 'Zhang Min');
    await page.selectOption('[data-testid=op-role]', 'viewer');
    await page.fill('[data-testid=op-password]', 'a long enough password');
    await page.click('[data-testid=op-create]');
    await page.waitForSelector('[data-testid=operator-row][data-username="zhang.min"]');
    const ops = await th.api<Operator[]>('GET', '/api/operators');
    expect(ops.body.find((o) => o.username === 'zhang.min')).toMatchObject({ role: 'viewer', displayName: 'Zhang Min' });
    await page.click('[data-testid=logout]');
    await login(page, 'zhang.min', 'a long enough password');
    expect(await page.locator('[data-testid=operator]').getAttribute('data-role')).toBe('viewer');
    expect(await page.locator('[data-testid=page-toggle]').count()).toBe(0);
    await context.close();
  });
});
