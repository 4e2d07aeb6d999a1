// A truck's cameras on the wall in real Chromium: the JT/T 808 terminal's emergency button opens
// an incident and its camera (JT/T 1078 channel 1, pushed by the simulated terminal's camera as
// H.264, forwarded by the SFU without transcoding) plays on a wall tile by itself; the unit's
// popup offers each of its cameras and channel 2 goes on another tile, which says which it is.
// Screenshots under artifacts/jt1078-wall/.
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { Incident } from '@hub/config';
import { GeneralResult, RegistrationResult } from '@hub/jt808';
import { artifactDir } from '../../test-support/browser';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { Jt808Terminal } from '../../test-support/jt808-terminal';
import { eventually } from '../../test-support/test-hub';
import { login, openWall } from './support/wall-page';

const ctx = hubAndBrowser({ 'media.additionalHostAddresses': ['127.0.0.1'], 'linkage.rules.sos.escalateAfterSeconds': 0 });
let terminal: Jt808Terminal | undefined;
afterAll(async () => {
  await terminal?.close();
});

/** The tile's picture: its size and play time, once decoded frames show. */
const picture = (page: Page, camera: string) =>
  page.evaluate((key) => {
    const v = document.querySelector<HTMLVideoElement>(`[data-testid=tile][data-unit-id="${key}"] video`);
    return v ? { width: v.videoWidth, height: v.videoHeight, time: v.currentTime } : undefined;
  }, camera);

/** Waits until the tile's video is decoded and its time moves on. */
async function playing(page: Page, camera: string): Promise<{ width: number; height: number }> {
  await page.locator(`[data-testid=tile][data-unit-id="${camera}"][data-state=live]`).waitFor({ timeout: 60_000 });
  const first = await eventually(
    async () => {
      const p = await picture(page, camera);
      return p && p.width > 0 ? p : undefined;
    },
    30_000,
    `${camera}'s picture decoded`,
  );
  await eventually(async () => ((await picture(page, camera))?.time ?? 0) > first.time + 1, 30_000, `${camera}'s video playing on`);
  return first;
}

describe('JT/T 1078 cameras on the wall', () => {
  test("a terminal's SOS plays its truck camera on a tile; its second camera goes on another tile", async () => {
    const { th, browser } = ctx;
    expect((await th.api('POST', '/api/units', { id: 'truck-c1', name: 'Muck truck 1', type: 'vehicle', jt808: { terminalId: '13833330001', channels: [1, 2] } })).status).toBe(201);
    terminal = await Jt808Terminal.connect({ port: th.hub.jt808Port!, phone: '13833330001' });
    const registered = await terminal.register();
    expect(registered.result).toBe(RegistrationResult.ok);
    expect((await terminal.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
    expect((await terminal.location()).result).toBe(GeneralResult.ok);

    const { page, context } = await openWall(browser, th.http);
    try {
      await login(page);
      await page.locator('[data-testid=unit][data-unit-id="truck-c1"]').waitFor({ timeout: 30_000 });

      // the emergency button (JT/T 808 alarm bit 0): an SOS, with the MQTT SOS's linkage
      expect((await terminal.location({ alarm: 1 })).result).toBe(GeneralResult.ok);
      await eventually(async () => (await th.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === 'truck-c1' && i.type === 'sos'), 20_000, 'the SOS incident');
      const main = await playing(page, 'truck-c1');
      expect([main.width, main.height]).toEqual([320, 240]);
      expect(terminal.cameras.has(1)).toBe(true);
      await page.screenshot({ path: path.join(artifactDir('jt1078-wall'), '1-sos-truck-camera.png') });

      // the popup offers both cameras; channel 2 onto a tile of its own
      await page.locator('[data-testid=unit][data-unit-id="truck-c1"]').click();
      const popup = page.locator('.hub-unit-popup');
      await eventually(async () => (await popup.locator('.hub-open-camera').count()) === 2, 15_000, 'a button per camera');
      expect(await popup.locator('.hub-open-camera').allTextContents()).toEqual(['Camera 1', 'Camera 2']);
      await popup.locator('.hub-open-camera[data-channel="2"]').click();
      await playing(page, 'truck-c1@2');
      expect(terminal.cameras.has(2)).toBe(true);
      expect(await page.locator('[data-testid=tile][data-unit-id="truck-c1@2"] .tile-unit').textContent()).toBe('Muck truck 1 · camera 2');
      await page.screenshot({ path: path.join(artifactDir('jt1078-wall'), '2-second-camera.png') });

      await page.selectOption('[data-testid=language]', 'zh-CN');
      await page.waitForFunction(() => document.querySelector('[data-testid=tile][data-unit-id="truck-c1@2"] .tile-unit')?.textContent === 'Muck truck 1 · 摄像头2');
      expect(await popup.locator('.hub-open-camera').allTextContents()).toEqual(['摄像头 1', '摄像头 2']);
      await page.screenshot({ path: path.join(artifactDir('jt1078-wall'), '3-second-camera-zh-CN.png') });
    } finally {
      await context.close();
    }
  });
});
