// Hit-testing the units layer as a pure function: a point (mercator) against units and cluster
// discs placed at known pixel distances, at a known zoom.
import { describe, expect, it } from 'vitest';
import type { PlacedCluster } from '../src/wall/map/grid-cluster';
import { ICON_SIZE, iconScale } from '../src/wall/map/icon-atlas';
import { worldSize } from '../src/wall/map/mercator';
import { expandToZoom, hitTest } from '../src/wall/map/unit-hit';

const ZOOM = 12;
const MAX = 13;
const ORIGIN = 0.5;
/** a mercator point `dx`, `dy` px from the origin at ZOOM */
const px = (dx: number, dy = 0) => ({ x: ORIGIN + dx / worldSize(ZOOM), y: ORIGIN + dy / worldSize(ZOOM) });
const unit = (id: string, dx: number, dy = 0) => ({ id, ...px(dx, dy) });
const cluster = (key: string, count: number, dx: number, dy = 0): PlacedCluster => ({ key, count, alarming: 0, lon: 0, lat: 0, ...px(dx, dy) });
/** half an icon's edge at ZOOM, plus the default 4 px pad */
const ICON_REACH = (ICON_SIZE * iconScale(ZOOM)) / 2 + 4;

describe('hitTest', () => {
  it('finds a unit within half its icon plus the pad, and nothing just beyond', () => {
    const drawn = { units: [unit('car-1', 0)], clusters: [] };
    expect(hitTest(px(ICON_REACH - 0.5), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toEqual({ kind: 'unit', unitId: 'car-1' });
    expect(hitTest(px(0, -(ICON_REACH - 0.5)), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toEqual({ kind: 'unit', unitId: 'car-1' });
    expect(hitTest(px(ICON_REACH + 0.5), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toBeNull();
    // no pad: the icon's own edge
    expect(hitTest(px(ICON_REACH - 2), drawn, { zoom: ZOOM, clusterMaxZoom: MAX, pad: 0 })).toBeNull();
  });

  it('picks the nearest of overlapping units', () => {
    const drawn = { units: [unit('far', -8), unit('near', 6), unit('other', 40)], clusters: [] };
    expect(hitTest(px(2), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toEqual({ kind: 'unit', unitId: 'near' });
    expect(hitTest(px(-5), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toEqual({ kind: 'unit', unitId: 'far' });
  });

  it('prefers a unit to a cluster disc under the same point', () => {
    const drawn = { units: [unit('car-1', 10)], clusters: [cluster('12:1', 5, 0)] };
    expect(hitTest(px(0), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toEqual({ kind: 'unit', unitId: 'car-1' });
  });

  it('finds a cluster within its disc (bigger for more units) plus the pad', () => {
    // 5 units: a 12 px disc; 150 units: a 21 px disc
    const drawn = { units: [], clusters: [cluster('small', 5, 0), cluster('big', 150, 200)] };
    const small = hitTest(px(15.5), drawn, { zoom: ZOOM, clusterMaxZoom: MAX });
    expect(small).toMatchObject({ kind: 'cluster', cluster: { key: 'small', count: 5 } });
    expect(hitTest(px(16.5), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toBeNull();
    expect(hitTest(px(200 + 24.5), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toMatchObject({ kind: 'cluster', cluster: { key: 'big' } });
    expect(hitTest(px(200 + 25.5), drawn, { zoom: ZOOM, clusterMaxZoom: MAX })).toBeNull();
    // what a hit reports of a cluster is what the map draws of it, without its mercator position
    expect(Object.keys(small!.kind === 'cluster' ? small!.cluster : {}).sort()).toEqual(['alarming', 'count', 'key', 'lat', 'lon']);
  });

  it('nothing drawn: nothing hit', () => {
    expect(hitTest(px(0), { units: [], clusters: [] }, { zoom: ZOOM, clusterMaxZoom: MAX })).toBeNull();
  });
});

describe('expandToZoom', () => {
  it('zooms two levels in, stopping one past clusterMaxZoom while below it', () => {
    expect(expandToZoom(10.5, 13)).toBe(12);
    expect(expandToZoom(12.2, 13)).toBe(14);
    expect(expandToZoom(12.9, 13)).toBe(14);
  });
  it('past clusterMaxZoom (a crowded view) zooms two more levels in', () => {
    expect(expandToZoom(13.4, 13)).toBe(15);
    expect(expandToZoom(15, 13)).toBe(17);
  });
});
