// Story (d) of the emergency loop: an alarm flood a person can work through. Three cars keep
// raising the same device alarm over real MQTT; the hub stores three of each (flood control)
// and counts the rest, the wall shows one row per car with its count, an SOS in the middle of
// it goes to the top with its own sound, and one bulk acknowledgement clears the flood.
import { describe, expect, test } from 'vitest';
import path from 'node:path';
import mqtt from 'mqtt';
import type { Alarm } from '@hub/config';
import { artifactDir } from '../../test-support/browser';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { eventually } from '../../test-support/test-hub';
import { login, openWall, recordTones, tones } from './support/wall-page';

const world = hubAndBrowser();
const CARS = ['flood-1', 'flood-2', 'flood-3'];
const EACH = 10;

describe('an alarm flood on the wall', () => {
  test('is thinned to one row per unit and kind, puts SOS first with its own sound, and is cleared by one bulk acknowledgement', async () => {
    const { th, browser } = world;
    const clients = await Promise.all(
      [...CARS, 'flood-sos'].map(async (id) => {
        const { secret } = await th.createUnit(id, id === 'flood-sos' ? 'bodycam' : 'vehicle');
        return mqtt.connectAsync(th.mqtt, { username: id, password: secret, clientId: id, reconnectPeriod: 0 });
      }),
    );
    const { page, context } = await openWall(browser, th.http, undefined, '', recordTones);
    try {
      await login(page);
      await page.waitForSelector('[data-testid=alarm-panel]');

      const t0 = Date.now() - 60_000;
      for (let i = 0; i < EACH; i++) {
        await Promise.all(
          CARS.map((id, c) =>
            clients[c]!.publishAsync(`units/${id}/alarm`, JSON.stringify({ ts: new Date(t0 + i * 1000).toISOString(), type: 'device', code: 'door_open', lat: 22.54, lon: 114.05 }), { qos: 1 }),
          ),
        );
      }
      // the hub kept three of each car's ten and counted seven repeats on the newest
      const stored = (await th.api<Alarm[]>('GET', '/api/alarms?kind=device&limit=1000')).body;
      for (const id of CARS) {
        const mine = stored.filter((a) => a.unitId === id);
        expect(mine).toHaveLength(3);
        expect(mine.reduce((n, a) => n + 1 + a.repeats, 0)).toBe(EACH);
      }
      for (const id of CARS) {
        const row = page.locator(`[data-testid=alarm][data-kind=device]`).filter({ hasText: id });
        await eventually(async () => (await row.getAttribute('data-occurrences')) === String(EACH), 15_000, `${id}: one row counting ${EACH}`);
      }
      expect(await page.locator('[data-testid=alarm]').count()).toBe(CARS.length);
      expect(await tones(page)).not.toContain(1568); // the device alarms' sound is not the SOS one

      // an SOS amid the flood: the top row, and the SOS sound
      await clients[3]!.publishAsync('units/flood-sos/alarm', JSON.stringify({ ts: new Date(t0).toISOString(), type: 'sos', lat: 22.55, lon: 114.06 }), { qos: 1 });
      await eventually(async () => (await page.locator('[data-testid=alarm]').first().getAttribute('data-kind')) === 'sos', 15_000, 'the SOS on top, though older than the flood');
      await eventually(async () => (await tones(page)).includes(1568), 5_000, 'the SOS sound');

      // one row's occurrences, each with its repeats
      await page.locator('[data-testid=alarm]').filter({ hasText: 'flood-2' }).locator('[data-testid=alarm-count]').click();
      expect(await page.locator('[data-testid=alarm-occurrences] li').count()).toBe(3);
      await page.screenshot({ path: path.join(artifactDir('wall'), 'alarm-flood.png') });

      // one acknowledgement for every device alarm shown
      await page.selectOption('[data-testid=alarm-kind]', 'device');
      await page.click('[data-testid=ack-all-shown]');
      await page.fill('[data-testid=ack-note]', 'door sensors faulty, workshop told');
      await page.click('[data-testid=ack-confirm]');
      await page.locator('[data-testid=alarm]').first().waitFor({ state: 'detached', timeout: 30_000 });
      expect((await th.api<Alarm[]>('GET', '/api/alarms?kind=device&acknowledged=false')).body).toEqual([]);
      const acked = (await th.api<Alarm[]>('GET', '/api/alarms?kind=device&acknowledged=true&limit=1000')).body;
      expect(acked).toHaveLength(9);
      expect(new Set(acked.map((a) => a.note))).toEqual(new Set(['door sensors faulty, workshop told']));
      // the SOS stays open: the bulk acknowledgement took only what was shown
      await page.selectOption('[data-testid=alarm-kind]', 'all');
      expect(await page.locator('[data-testid=alarm]').count()).toBe(1);
      await page.screenshot({ path: path.join(artifactDir('wall'), 'alarm-flood-acknowledged.png') });
    } finally {
      await context.close();
      await Promise.all(clients.map((c) => c.endAsync()));
    }
  });
});
