// The wall's live map in Debian's Chromium (WebGL2 on SwiftShader) against the real hub:
// simulated units appear and move, a unit that drops off turns grey, the basemap is the
// offline one (no tile server, no network), and the hub's GCJ-02 setting shifts what is drawn.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { wgs84ToGcj02, type BasemapOut } from '@hub/config';
import { provisionUnit, startFleet, type Fleet } from '@hub/edge-agent';
import { artifactDir, launchChromium } from '../../test-support/browser';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';

let th: TestHub;
let browser: Browser;
let page: Page;
let fleet: Fleet;
const foreignRequests: string[] = [];
const CENTRE = { lat: 22.54, lon: 114.05 };
const UNITS = [
  { id: 'map-car-1', type: 'vehicle' as const },
  { id: 'map-car-2', type: 'vehicle' as const },
  { id: 'map-car-3', type: 'vehicle' as const },
  { id: 'map-cam-1', type: 'bodycam' as const },
  { id: 'map-cam-2', type: 'bodycam' as const },
];

interface Drawn {
  id: string;
  icon: string;
  s: string;
  lon: number;
  lat: number;
}

/** The units the map's units layer draws on their own (not in a cluster), with their drawn coordinates. */
function drawnUnits(): Promise<Drawn[]> {
  return page.evaluate(() => window.__hubWall!.drawnUnits());
}

/** The colour the page shows at a point of the map (from a screenshot, decoded in the page). */
async function pixelAt(x: number, y: number): Promise<[number, number, number]> {
  const png = await page.screenshot({ clip: { x: Math.round(x) - 1, y: Math.round(y) - 1, width: 3, height: 3 } });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(1, 1, 1, 1).data;
    return [d[0]!, d[1]!, d[2]!] as [number, number, number];
  }, png.toString('base64'));
}

/** Where a drawn [lon, lat] is on the page. */
function onPage(lon: number, lat: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([lon, lat]) => {
      const p = window.__hubWall!.map.project([lon, lat]);
      return { x: p.x, y: p.y };
    },
    [lon, lat] as [number, number],
  );
}

const near = (c: [number, number, number], hex: string, tol = 40) => {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return c.every((v, i) => Math.abs(v - want[i]!) <= tol);
};

function storeUnit(id: string) {
  return page.evaluate((unitId) => {
    const u = window.__hubWall!.store.units.get(unitId);
    return u ? { lat: u.lat, lon: u.lon, ts: u.ts, online: u.online } : null;
  }, id);
}

/** Flies the map there and waits until it rests on it. */
async function flyAndSettle(lat: number, lon: number): Promise<void> {
  await page.evaluate(({ lat, lon }) => window.__mapTest!.flyTo(lat, lon, 14), { lat, lon });
  await page.waitForFunction(
    ({ lat, lon }) => {
      const { map, toMap } = window.__hubWall!;
      const [x, y] = toMap(lat, lon);
      const c = map.getCenter();
      return !map.isMoving() && Math.abs(c.lng - x) < 1e-6 && Math.abs(c.lat - y) < 1e-6;
    },
    { lat, lon },
    { timeout: 30_000 },
  );
}

beforeAll(async () => {
  // the hub as a command centre in China would run it: a GCJ-02 basemap; no tile server (offline)
  th = await startTestHub({ 'basemap.coordinateSystem': 'gcj02', 'basemap.zoom': 14 });
  const creds = await Promise.all(UNITS.map((u) => provisionUnit({ hub: th.http, adminToken: ADMIN_TOKEN }, { id: u.id, name: `Unit ${u.id}`, type: u.type })));
  fleet = await startFleet({ credentials: creds, broker: th.mqtt, rateHz: 1, staggerMs: 200, centre: CENTRE });
  const viewer = await th.createOperator('wall-viewer', 'viewer');
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await ctx.newPage();
  // nothing but the hub: a request anywhere else would be a download the offline wall must not need
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(th.http) || url.startsWith(th.http.replace('http', 'ws')) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(`${th.http}/maptest.html?testHooks#token=${encodeURIComponent(viewer.token)}`);
  await page.waitForFunction(() => !!window.__hubWall, undefined, { timeout: 30_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.close();
  await th?.close();
});

describe('live map', () => {
  it('serves the basemap settings and the offline GeoJSON to the wall', async () => {
    const res = await th.api<BasemapOut>('GET', '/api/basemap');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tiles: null, coordinateSystem: 'gcj02', geojsonError: null });
    expect(res.body.geojson?.features.length).toBeGreaterThan(5);
    const anonymous = await fetch(`${th.http}/api/basemap`);
    expect(anonymous.status).toBe(401);
  });

  it('draws the simulated units, and they move', async () => {
    const first = await eventually(
      async () => {
        const d = await drawnUnits();
        return d.length === UNITS.length ? d : null;
      },
      30_000,
      'all five units drawn',
    );
    expect(first.map((d) => d.id).sort()).toEqual(UNITS.map((u) => u.id).sort());
    expect(first.find((d) => d.id === 'map-cam-1')!.icon).toBe('unit-bodycam-online');
    expect(first.find((d) => d.id === 'map-car-1')!.icon).toBe('unit-vehicle-online');
    await eventually(
      async () => {
        const now = await drawnUnits();
        const moved = now.filter((d) => {
          const before = first.find((f) => f.id === d.id)!;
          return Math.hypot(d.lon - before.lon, d.lat - before.lat) > 2e-5;
        });
        return moved.length === UNITS.length;
      },
      20_000,
      'every unit to move on the map',
    );
  });

  it('draws a unit published over MQTT where it is, turned to its heading, and moves it with its next position', async () => {
    const { secret } = await th.createUnit('map-pub-1', 'vehicle');
    const client = await mqtt.connectAsync(th.mqtt, { username: 'map-pub-1', password: secret, clientId: `map-pub-1-${Date.now()}`, reconnectPeriod: 0 });
    try {
      const publish = (lat: number, lon: number, heading: number) =>
        client.publishAsync('units/map-pub-1/gps', JSON.stringify({ unitId: 'map-pub-1', ts: new Date().toISOString(), lat, lon, speed: 5, heading, accuracy: 5 }), { qos: 1 });
      // north-east of the simulated loops, so no other icon covers it
      const first = { lat: 22.548, lon: 114.058 };
      const second = { lat: 22.548, lon: 114.061 }; // ~300 m east
      await publish(first.lat, first.lon, 90);
      const at = wgs84ToGcj02(first.lat, first.lon);
      const drawn = await eventually(
        async () => {
          const d = (await drawnUnits()).find((u) => u.id === 'map-pub-1');
          return d && Math.abs(d.lat - at.lat) < 1e-7 && Math.abs(d.lon - at.lon) < 1e-7 ? d : null;
        },
        15_000,
        'map-pub-1 drawn at its published position',
      );
      expect(drawn.icon).toBe('unit-vehicle-online');
      // the pixels: the arrowhead, green (online), points east (heading 90): its tip side is
      // green, north of its centre is the basemap
      const p = await onPage(drawn.lon, drawn.lat);
      let seen: unknown;
      await eventually(
        async () => {
          const [centre, east, north] = [await pixelAt(p.x, p.y), await pixelAt(p.x + 5, p.y), await pixelAt(p.x, p.y - 9)];
          seen = { p, centre, east, north };
          return near(centre, '#2ecc71') && near(east, '#2ecc71') && !near(north, '#2ecc71');
        },
        10_000,
        'a green arrow pointing east drawn there',
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}: ${JSON.stringify(seen)}`);
      });

      await publish(second.lat, second.lon, 90);
      const to = wgs84ToGcj02(second.lat, second.lon);
      await eventually(
        async () => {
          const d = (await drawnUnits()).find((u) => u.id === 'map-pub-1');
          return d && Math.abs(d.lat - to.lat) < 1e-7 && Math.abs(d.lon - to.lon) < 1e-7;
        },
        15_000,
        'map-pub-1 drawn at its next position',
      );
      const q = await onPage(to.lon, to.lat);
      expect(q.x - p.x).toBeGreaterThan(40);
      await eventually(async () => near(await pixelAt(q.x, q.y), '#2ecc71') && !near(await pixelAt(p.x, p.y), '#2ecc71'), 10_000, 'the icon drawn at the new place, gone from the old');
      // a click on the drawn icon is a click on that unit
      expect(await page.evaluate(({ x, y }) => window.__hubWall!.unitAt(x, y), q)).toEqual({ kind: 'unit', unitId: 'map-pub-1' });
      // selected, its trail (its stored track: the two positions) is drawn in white between them
      await page.mouse.click(q.x, q.y);
      await page.waitForFunction(() => document.querySelector('.hub-unit-popup')?.textContent?.includes('map-pub-1'), undefined, { timeout: 30_000 });
      const mid = { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
      await eventually(async () => near(await pixelAt(mid.x, mid.y), '#c6c8cb', 45), 10_000, 'the white trail drawn between the two positions');
    } finally {
      await client.endAsync();
    }
  });

  it('colours a unit offline when its link drops', async () => {
    const id = 'map-car-3';
    await fleet.agents.find((a) => a.unitId === id)!.close();
    const offline = await eventually(async () => (await drawnUnits()).find((d) => d.id === id && d.s === 'offline'), 20_000, `${id} drawn offline`);
    expect(offline.icon).toMatch(/-offline$/);
    // and the page shows it grey where it is drawn
    const p = await onPage(offline.lon, offline.lat);
    await eventually(async () => near(await pixelAt(p.x, p.y), '#8a949e'), 10_000, `${id} grey on the page`);
    expect((await storeUnit(id))!.online).toBe(false);
    // the others stay online
    expect((await drawnUnits()).filter((d) => d.s === 'online' && UNITS.some((u) => u.id === d.id)).length).toBe(UNITS.length - 1);
  });

  it('draws the units again after their canvas loses its WebGL context and gets it back', async () => {
    const d = (await drawnUnits()).find((u) => u.id === 'map-car-3')!;
    const p = await onPage(d.lon, d.lat);
    await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('.hub-units-overlay')!;
      const lose = canvas.getContext('webgl2')!.getExtension('WEBGL_lose_context')!;
      (window as unknown as { __lose: WEBGL_lose_context }).__lose = lose;
      lose.loseContext();
    });
    await eventually(async () => !near(await pixelAt(p.x, p.y), '#8a949e'), 10_000, 'the units gone with the context');
    await page.evaluate(() => (window as unknown as { __lose: WEBGL_lose_context }).__lose.restoreContext());
    await eventually(async () => near(await pixelAt(p.x, p.y), '#8a949e'), 10_000, 'map-car-3 drawn grey again');
  });

  it('draws positions shifted to GCJ-02, and turns clicks back into WGS-84', async () => {
    // map-car-3 is offline now and stands still: where it is drawn is exactly its last position, shifted
    const unit = (await storeUnit('map-car-3'))!;
    const drawn = (await drawnUnits()).find((d) => d.id === 'map-car-3')!;
    const expected = wgs84ToGcj02(unit.lat!, unit.lon!);
    expect(drawn.lat).toBeCloseTo(expected.lat, 5);
    expect(drawn.lon).toBeCloseTo(expected.lon, 5);
    // near Shenzhen GCJ-02 draws a point about 300 m south and 530 m east of its WGS-84 position
    expect(expected.lat - unit.lat!).toBeCloseTo(-0.00272, 4);
    expect(expected.lon - unit.lon!).toBeCloseTo(0.00512, 4);
    expect(Math.abs(drawn.lat - unit.lat!) + Math.abs(drawn.lon - unit.lon!)).toBeGreaterThan(5e-3);

    // a click on empty map at the drawn place of a known WGS-84 point comes back as that point
    const target = { lat: 22.5, lon: 114.0 }; // south-west of every simulated loop
    await flyAndSettle(target.lat, target.lon);
    const point = await page.evaluate(({ lat, lon }) => {
      const p = window.__hubWall!.map.project(window.__hubWall!.toMap(lat, lon));
      return { x: p.x, y: p.y };
    }, target);
    await page.mouse.click(point.x, point.y);
    const click = await eventually(async () => page.evaluate(() => window.__mapTest!.clicks.at(-1)), 5_000, 'the map click');
    expect(click.lat).toBeCloseTo(target.lat, 4);
    expect(click.lon).toBeCloseTo(target.lon, 4);
    await flyAndSettle(CENTRE.lat, CENTRE.lon);
  });

  it('opens a unit popup with "open camera" on click', async () => {
    const d = await eventually(async () => (await drawnUnits()).find((u) => u.id === 'map-car-3'), 10_000, 'map-car-3 drawn');
    const pt = await page.evaluate(([lon, lat]) => window.__hubWall!.map.project([lon, lat]), [d.lon, d.lat] as [number, number]);
    await page.mouse.click(pt.x, pt.y);
    await page.waitForFunction(() => !!document.querySelector('.hub-unit-popup button.hub-open-camera'), undefined, { timeout: 30_000 });
    expect(await page.textContent('.hub-unit-popup')).toContain('map-car-3');
    await page.click('.hub-unit-popup button.hub-open-camera');
    expect(await page.evaluate(() => window.__mapTest!.cameras)).toEqual(['map-car-3']);
    expect(await page.evaluate(() => window.__mapTest!.selected.at(-1))).toBe('map-car-3');
  });

  it('renders the offline basemap (districts, roads, grid) with no request leaving the hub', async () => {
    const layers = await page.evaluate(() => {
      const map = window.__hubWall!.map;
      const count = (id: string) => map.queryRenderedFeatures({ layers: [id] }).length;
      return { districts: count('basemap-districts-fill'), roads: count('basemap-roads'), grid: count('basemap-grid-fine') };
    });
    expect(layers.districts).toBeGreaterThan(0);
    expect(layers.roads).toBeGreaterThan(0);
    expect(layers.grid).toBeGreaterThan(0);
    expect(foreignRequests).toEqual([]);
    expect(await page.getAttribute('.hub-map-connection', 'data-state')).toBe('live');
    await page.screenshot({ path: path.join(artifactDir('wall'), 'map-unit.png') });
    // the whole simulated area: clusters with their counts
    await page.evaluate(() => window.__hubWall!.map.jumpTo({ zoom: 12.5 }));
    await page.waitForFunction(() => document.querySelectorAll('.hub-cluster-label').length > 0 || window.__hubWall!.drawnUnits().length > 0, undefined, { timeout: 30_000 });
    await page.screenshot({ path: path.join(artifactDir('wall'), 'map.png') });
  });

  it('clusters the units when zoomed out (each unit once), and a click on a cluster zooms in', async () => {
    await page.evaluate(({ lat, lon }) => window.__hubWall!.map.jumpTo({ zoom: 10, center: window.__hubWall!.toMap(lat, lon) }), CENTRE);
    // each placed unit drawn once, in a cluster or alone: counted in one frame, since units of the
    // simulated fleet keep getting their first position (a loaded machine draws a frame late)
    const view = await eventually(
      async () => {
        const v = await page.evaluate(() => ({
          clusters: window.__hubWall!.drawnClusters(),
          units: window.__hubWall!.drawnUnits(),
          placed: [...window.__hubWall!.store.units.values()].filter((u) => u.lat !== null).length,
        }));
        return v.clusters.length > 0 && v.clusters.reduce((n, c) => n + c.count, 0) + v.units.length === v.placed ? v : null;
      },
      20_000,
      'clusters at zoom 10, each placed unit drawn once',
    );
    expect(view.clusters.reduce((n, c) => n + c.count, 0) + view.units.length).toBe(view.placed);
    const biggest = view.clusters.sort((a, b) => b.count - a.count)[0]!;
    await eventually(async () => (await page.locator('.hub-cluster-label', { hasText: String(biggest.count) }).count()) > 0, 10_000, 'the cluster labelled with its count');
    const p = await onPage(biggest.lon, biggest.lat);
    expect(await page.evaluate(({ x, y }) => window.__hubWall!.unitAt(x, y)?.kind, p)).toBe('cluster');
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => !window.__hubWall!.map.isMoving() && window.__hubWall!.map.getZoom() > 11, undefined, { timeout: 30_000 });
  });
});
