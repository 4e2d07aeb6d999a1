// Wall presets over the real API: each operator's named layouts, kept apart per operator; and
// in Chromium, the map's view saved with a preset and restored when it is applied.
import { describe, expect, it } from 'vitest';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import pg from 'pg';
import type { Page } from 'playwright-core';
import type { Preset } from '@hub/config';
import { eventually } from '../../test-support/test-hub';
import { login, openWall } from './support/wall-page';

const env = hubAndBrowser();

async function as<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(env.th.http + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const layout = { grid: 4, tiles: ['car-1', null, 'cam-2'], wallMode: false };

describe('wall presets', () => {
  it('saves, lists, replaces and deletes an operator’s presets', async () => {
    const op = await env.th.createOperator('wall-op', 'viewer');
    const saved = await as<Preset>(op.token, 'PUT', '/api/presets/Night shift', { layout });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ name: 'Night shift', operator: 'wall-op', layout: { grid: 4, tiles: ['car-1', null, 'cam-2'], wallMode: false } });

    const replaced = await as<Preset>(op.token, 'PUT', `/api/presets/${encodeURIComponent('Night shift')}`, { layout: { ...layout, grid: 9, wallMode: true } });
    expect(replaced.body.layout).toMatchObject({ grid: 9, wallMode: true });
    await as(op.token, 'PUT', '/api/presets/交通', { layout: { grid: 1, tiles: ['car-1'] } });

    const list = await as<Preset[]>(op.token, 'GET', '/api/presets');
    expect(list.body.map((p) => p.name)).toEqual(['Night shift', '交通']);
    expect((await as<Preset>(op.token, 'GET', '/api/presets/交通')).body.layout.grid).toBe(1);

    expect((await as(op.token, 'DELETE', '/api/presets/交通')).status).toBe(204);
    const gone = await as<{ code: string }>(op.token, 'GET', '/api/presets/交通');
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('HUB_ERR_PRESET_NOT_FOUND');
  });

  it('keeps each operator’s presets apart', async () => {
    const a = await env.th.createOperator('op-a', 'coordinator');
    const b = await env.th.createOperator('op-b', 'coordinator');
    await as(a.token, 'PUT', '/api/presets/mine', { layout });
    expect((await as<Preset[]>(b.token, 'GET', '/api/presets')).body).toEqual([]);
    expect((await as(b.token, 'GET', '/api/presets/mine')).status).toBe(404);
    expect((await as(b.token, 'DELETE', '/api/presets/mine')).status).toBe(404);
    expect((await as(a.token, 'GET', '/api/presets/mine')).status).toBe(200);
  });

  it('refuses a bad layout with the reason and keeps the stored one', async () => {
    const op = await env.th.createOperator('op-c', 'viewer');
    await as(op.token, 'PUT', '/api/presets/p1', { layout });
    const bad = await as<{ code: string; message: string }>(op.token, 'PUT', '/api/presets/p1', { layout: { grid: 5, tiles: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('HUB_ERR_VALIDATION');
    const tooMany = await as<{ code: string; message: string }>(op.token, 'PUT', '/api/presets/p1', { layout: { grid: 1, tiles: ['a', 'b'] } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('1-tile grid');
    const badName = await as<{ code: string }>(op.token, 'PUT', '/api/presets/a%2Fb', { layout });
    expect(badName.status).toBe(400);
    expect((await as<Preset>(op.token, 'GET', '/api/presets/p1')).body.layout.grid).toBe(4);
  });

  it('keeps a map view with the layout; a preset without one still loads; a bad view is refused', async () => {
    const op = await env.th.createOperator('op-d', 'viewer');
    const map = { center: { lat: 22.6, lon: 114.1 }, zoom: 13.5, bearing: 0 };
    const saved = await as<Preset>(op.token, 'PUT', '/api/presets/with-view', { layout: { ...layout, map } });
    expect(saved.status).toBe(200);
    expect(saved.body.layout.map).toEqual(map);
    // a view without a bearing is north-up
    const north = await as<Preset>(op.token, 'PUT', '/api/presets/north', { layout: { ...layout, map: { center: map.center, zoom: 12 } } });
    expect(north.body.layout.map).toEqual({ center: map.center, zoom: 12, bearing: 0 });
    // stored before presets kept a view: the layout column holds no `map`
    await sql(`INSERT INTO wall_presets (operator, name, layout) VALUES ('op-d', 'old', $1::jsonb)`, [JSON.stringify({ grid: 9, tiles: [], wallMode: true })]);
    const list = await as<Preset[]>(op.token, 'GET', '/api/presets');
    expect(list.status).toBe(200);
    expect(list.body.find((p) => p.name === 'old')!.layout).toEqual({ grid: 9, tiles: [], wallMode: true });
    const bad = await as<{ code: string; message: string }>(op.token, 'PUT', '/api/presets/with-view', { layout: { ...layout, map: { center: { lat: 95, lon: 114 }, zoom: 30 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('HUB_ERR_VALIDATION');
    expect((await as<Preset>(op.token, 'GET', '/api/presets/with-view')).body.layout.map).toEqual(map);
  });

  it('needs a login', async () => {
    const res = await fetch(env.th.http + '/api/presets');
    expect(res.status).toBe(401);
  });
});

/** The wall map's view as the page has it, and whether it is `want` (a WGS-84 centre, drawn in the map's datum). */
function mapViewOf(page: Page, want: { lat: number; lon: number; zoom: number }): Promise<{ at: boolean; lng: number; lat: number; zoom: number; bearing: number }> {
  return page.evaluate((w) => {
    const { map, toMap } = window.__hubWall!;
    const c = map.getCenter();
    const [lng, lat] = toMap(w.lat, w.lon);
    const at = Math.abs(c.lng - lng) < 1e-4 && Math.abs(c.lat - lat) < 1e-4 && Math.abs(map.getZoom() - w.zoom) < 1e-3;
    return { at, lng: c.lng, lat: c.lat, zoom: map.getZoom(), bearing: map.getBearing() };
  }, want);
}

/** A statement on the hub's database, as an older hub version would have left it. */
async function sql(text: string, params: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: env.th.db.url });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

async function moveMap(page: Page, lat: number, lon: number, zoom: number): Promise<void> {
  await page.evaluate(
    ([lat, lon, zoom]) => {
      const { map, toMap } = window.__hubWall!;
      map.jumpTo({ center: toMap(lat!, lon!), zoom });
    },
    [lat, lon, zoom],
  );
}

async function saveAs(page: Page, name: string): Promise<void> {
  await page.click('[data-testid=preset-save-as]');
  await page.fill('[data-testid=preset-name]', name);
  await page.click('[data-testid=preset-save-as-confirm]');
  await page.waitForFunction((n) => (document.querySelector('[data-testid=preset-pick]') as HTMLSelectElement | null)?.value === n, name);
}

describe('a preset in the wall keeps the map view', () => {
  it('saves where the map looks, and a reload or an apply brings it back; an old preset leaves the map alone', async () => {
    const op = await env.th.createOperator('map-op', 'coordinator');
    const { page, context, errors } = await openWall(env.browser, env.th.http, undefined, '?testHooks');
    await login(page, op.username, op.password);
    await page.waitForFunction(() => !!window.__hubWall, undefined, { timeout: 30_000 });

    const harbour = { lat: 22.4862, lon: 113.9085, zoom: 14.25 };
    const centre = { lat: 22.5431, lon: 114.0579, zoom: 11.5 };
    await moveMap(page, harbour.lat, harbour.lon, harbour.zoom);
    await saveAs(page, 'Harbour');
    await moveMap(page, centre.lat, centre.lon, centre.zoom);
    await saveAs(page, 'Centre');
    const stored = await eventually(
      async () => {
        const res = await as<Preset>(op.token, 'GET', '/api/presets/Harbour');
        return res.status === 200 ? res.body : undefined;
      },
      10_000,
      'the preset stored',
    );
    expect(stored.layout.map!.center.lat).toBeCloseTo(harbour.lat, 4);
    expect(stored.layout.map!.center.lon).toBeCloseTo(harbour.lon, 4);
    expect(stored.layout.map!.zoom).toBeCloseTo(harbour.zoom, 4);

    // away from both, then a reload: the last preset used here (Centre) comes back with its view
    await moveMap(page, 22.7, 114.3, 9);
    await page.reload();
    await page.waitForSelector('[data-testid=wall]');
    await page.waitForFunction(() => !!window.__hubWall, undefined, { timeout: 30_000 });
    expect(await page.locator('[data-testid=preset-pick]').inputValue()).toBe('Centre');
    await eventually(async () => (await mapViewOf(page, centre)).at, 10_000, 'the map back at the Centre view after a reload');

    // applying the other preset jumps there
    await page.selectOption('[data-testid=preset-pick]', 'Harbour');
    await eventually(async () => (await mapViewOf(page, harbour)).at, 10_000, 'the map at the Harbour view after applying it');
    expect((await mapViewOf(page, harbour)).bearing).toBe(0);

    // a preset saved before views were kept: its layout applies, the map stays where it is
    await sql(`INSERT INTO wall_presets (operator, name, layout) VALUES ('map-op', 'Old', $1::jsonb)`, [JSON.stringify({ grid: 9, tiles: [], wallMode: false })]);
    await page.reload();
    await page.waitForFunction(() => !!window.__hubWall, undefined, { timeout: 30_000 });
    await eventually(async () => (await mapViewOf(page, harbour)).at, 10_000, 'the Harbour view after a reload');
    await page.selectOption('[data-testid=preset-pick]', 'Old');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tile]').length === 9);
    expect((await mapViewOf(page, harbour)).at).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
