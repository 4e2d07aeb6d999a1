// "Locate now" in real Chromium: the popup of a JT/T 808 terminal's unit has the button (en and
// zh-CN); a click asks the terminal (0x8201) and shows the time of the position it answered; an
// MQTT unit's popup has no such button (it reports by itself).
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { GeneralResult, knownItems, RegistrationResult } from '@hub/jt808';
import { provisionUnit, startFleet, type Fleet } from '@hub/edge-agent';
import { artifactDir } from '../../test-support/browser';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { Jt808Terminal, locationReport } from '../../test-support/jt808-terminal';
import { ADMIN_TOKEN, eventually } from '../../test-support/test-hub';
import { login, openWall } from './support/wall-page';

const ctx = hubAndBrowser();
/** the terminal's odometer, fuel and satellites (JT/T 808 additional items), kept with its position */
const READINGS = knownItems({ mileageKm: 80412.3, fuelL: 37.5, satellites: 12 });
let terminal: Jt808Terminal | undefined;
let fleet: Fleet | undefined;
afterAll(async () => {
  await terminal?.close();
  await fleet?.close();
});

describe('Locate now on the wall', () => {
  test('a terminal is asked where it is from its popup; the answer time shows, in en and zh-CN', async () => {
    const { th, browser } = ctx;
    expect((await th.api('POST', '/api/units', { id: 'truck-w1', name: 'Muck truck 1', type: 'vehicle', jt808: { terminalId: '13822220001' } })).status).toBe(201);
    // the position the terminal will answer with: a minute after its last report, a few hundred metres on
    const answerTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 5_000);
    terminal = await Jt808Terminal.connect({
      port: th.hub.jt808Port!,
      phone: '13822220001',
      whereAmI: () => locationReport({ latitude: 22.546, longitude: 114.06, time: answerTime, items: READINGS }),
    });
    const registered = await terminal.register();
    expect(registered.result).toBe(RegistrationResult.ok);
    expect((await terminal.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
    expect((await terminal.location({ time: new Date(answerTime.getTime() - 60_000) })).result).toBe(GeneralResult.ok);
    // an MQTT unit beside it
    const cred = await provisionUnit({ hub: th.http, adminToken: ADMIN_TOKEN }, { id: 'car-w2', name: 'Patrol car 2', type: 'vehicle' });
    fleet = await startFleet({ credentials: [cred], broker: th.mqtt, staggerMs: 0 });
    await eventually(async () => fleet!.stats().acked >= 1, 20_000, 'the MQTT unit reporting');

    const { page, context } = await openWall(browser, th.http, undefined, '?testHooks');
    try {
      await login(page);
      const popup = page.locator('.hub-unit-popup');

      // the MQTT unit's popup: no "Locate now"
      await page.locator('[data-testid=unit][data-unit-id="car-w2"]').click();
      await popup.locator('.hub-open-camera').waitFor();
      await eventually(async () => (await popup.locator('.hub-popup-title').textContent())?.includes('car-w2'), 15_000, "car-w2's popup");
      expect(await popup.locator('.hub-locate-now').isVisible()).toBe(false);

      await page.locator('[data-testid=unit][data-unit-id="truck-w1"]').click();
      await eventually(async () => (await popup.locator('.hub-popup-title').textContent())?.includes('truck-w1'), 15_000, "truck-w1's popup");
      const button = popup.locator('.hub-locate-now');
      expect(await button.textContent()).toBe('Locate now');
      await button.click();
      const result = popup.locator('.hub-locate-result[data-state=done]');
      await result.waitFor({ timeout: 30_000 });
      const hhmmss = answerTime.toLocaleTimeString('en', { hour12: false, timeZone: await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone) });
      expect(await result.textContent()).toBe(`Located: position of ${hhmmss}`);
      // the answer is stored and reaches the wall like any report: the popup's last fix moves to it
      await eventually(async () => (await popup.locator('.hub-popup-details').textContent())?.includes(hhmmss), 15_000, 'the popup showing the located fix');
      // with the vehicle's own readings of that fix
      const details = await popup.locator('.hub-popup-details').textContent();
      expect(details).toContain('Odometer: 80,412.3 km');
      expect(details).toContain('Fuel: 37.5 L');
      expect(details).toContain('Satellites: 12');
      await page.screenshot({ path: path.join(artifactDir('wall-locate'), 'locate-now-en.png') });

      await page.selectOption('[data-testid=language]', 'zh-CN');
      await page.waitForFunction(() => document.querySelector('.hub-unit-popup .hub-locate-now')?.textContent === '立即定位');
      expect(await result.textContent()).toBe(`已定位：${hhmmss} 的位置`);
      expect(await popup.locator('.hub-popup-details').textContent()).toContain('油量');
      await page.screenshot({ path: path.join(artifactDir('wall-locate'), 'locate-now-zh-CN.png') });
    } finally {
      await context.close();
    }
  });
});
