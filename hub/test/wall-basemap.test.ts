// The wall over a city's own street map: basemap.file is a PMTiles file the test builds
// (streets by class, a river, a park, buildings), the hub serves it, the wall draws it with the
// street style, and each unit carries a label with its id and name. Screenshots in
// artifacts/map/ (English and Chinese).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { artifactDir } from '../../test-support/browser';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { eventually, positionPayload } from '../../test-support/test-hub';
import { writeTestCityPmtiles } from '../../test-support/pmtiles';
import { mosquittoPub } from './support/mosquitto';
import { login, openWall } from './support/wall-page';

const file = path.join(mkdtempSync(path.join(tmpdir(), 'hub-city-')), 'city.pmtiles');
writeTestCityPmtiles(file);
const world = hubAndBrowser({ 'basemap.file': file, 'basemap.zoom': 14.5 });
const shots = artifactDir('map');

/** Rendered features of the street style's road layer at the map's centre area (the tiles drew). */
const renderedRoads = (page: Page) =>
  page.evaluate(() => {
    const m = (window as unknown as { __hubWall: { map: { queryRenderedFeatures(o: { layers: string[] }): unknown[]; getLayer(id: string): unknown } } }).__hubWall.map;
    return m.getLayer('basemap-vt-transportation') ? m.queryRenderedFeatures({ layers: ['basemap-vt-transportation'] }).length : -1;
  });

describe('the city basemap from basemap.file', () => {
  test('streets from the file are drawn, and units are labelled with id and name', async () => {
    const { th } = world;
    const units = [
      { id: 'car-7', name: 'Simulated patrol car seven of Futian', lat: 22.541, lon: 114.049 },
      { id: 'bc-12', name: 'Officer Chen', lat: 22.5375, lon: 114.0545 },
    ];
    for (const u of units) {
      const { secret } = await th.createUnit(u.id, u.id.startsWith('bc') ? 'bodycam' : 'vehicle');
      await th.api('PATCH', `/api/units/${u.id}`, { name: u.name });
      const res = await mosquittoPub({ port: th.hub.mqttPort, username: u.id, password: secret }, `units/${u.id}/gps`, [positionPayload(u.id, Date.now(), u.lat, u.lon)]);
      expect(res.code, res.stderr).toBe(0);
    }
    const { page, context } = await openWall(world.browser, th.http, undefined, '?testHooks');
    await login(page);
    const roads = await eventually(async () => ((await renderedRoads(page)) > 5 ? renderedRoads(page) : undefined), 20_000, 'the street layer drawn from the file');
    expect(roads).toBeGreaterThan(5);
    const label = page.locator('.hub-unit-label[data-unit-id="car-7"]');
    await label.waitFor({ timeout: 20_000 });
    expect(await label.textContent()).toBe('car-7 · Simulated patrol car…');
    expect(await page.locator('.hub-unit-label[data-unit-id="bc-12"]').textContent()).toBe('bc-12 · Officer Chen');
    await page.waitForTimeout(500); // let the last tiles fade in for the picture
    await page.locator('[data-testid=live-map]').screenshot({ path: path.join(shots, 'street-basemap-labels.png') });
    await page.selectOption('[data-testid=language]', 'zh-CN');
    await page.locator('[data-testid=live-map]').screenshot({ path: path.join(shots, 'street-basemap-labels-zh.png') });
    await context.close();
  });
});
