// The units' grid clustering as a pure function (no map, no GL): units placed at known pixel
// positions of the grid at a zoom level, and what the map would draw of them.
import { describe, expect, it } from 'vitest';
import { gridCluster, type ClusterView, type GridClusterOptions, type UnitPoint } from '../src/wall/map/grid-cluster';
import { lngLatFromMercator, worldSize } from '../src/wall/map/mercator';

const OPTS: GridClusterOptions = { clusterMaxZoom: 13, clusterRadius: 48 };
/** a cell's index: the grid is 48 px cells; units sit well inside cells so rounding never moves one */
const CELL = 48;
/** a cell's corner near the middle of the world at this level (lon 0, lat 0) */
const corner = (level: number) => Math.floor(worldSize(level) / 2 / CELL) * CELL;

/** A unit at pixel (px, py) of the world at this level. */
function unitAt(id: string, level: number, px: number, py: number, extra: Partial<UnitPoint> = {}): UnitPoint {
  const { lon, lat } = lngLatFromMercator(px / worldSize(level), py / worldSize(level));
  return { id, type: 'vehicle', status: 'online', heading: 0, lon, lat, ...extra };
}

/** A view around pixel (px, py), `half` px each way. */
function viewAt(level: number, px: number, py: number, half = 500): ClusterView {
  const nw = lngLatFromMercator((px - half) / worldSize(level), (py - half) / worldSize(level));
  const se = lngLatFromMercator((px + half) / worldSize(level), (py + half) / worldSize(level));
  return { level, bounds: { west: nw.lon, east: se.lon, north: nw.lat, south: se.lat } };
}

describe('gridCluster', () => {
  it('draws the units sharing a cell as one cluster at their mean position, counting the alarming', () => {
    const level = 10;
    const x0 = corner(level);
    const points = [unitAt('a', level, x0 + 6, x0 + 6), unitAt('b', level, x0 + 30, x0 + 20, { status: 'alarming' }), unitAt('c', level, x0 + 42, x0 + 40)];
    const { units, clusters } = gridCluster(points, viewAt(level, x0, x0), OPTS);
    expect(units).toEqual([]);
    expect(clusters).toHaveLength(1);
    const c = clusters[0]!;
    expect(c).toMatchObject({ count: 3, alarming: 1 });
    expect(c.key.startsWith(`${level}:`)).toBe(true);
    expect(c.x * worldSize(level)).toBeCloseTo(x0 + 26, 3);
    expect(c.y * worldSize(level)).toBeCloseTo(x0 + 22, 3);
    const mean = lngLatFromMercator(c.x, c.y);
    expect(c.lon).toBeCloseTo(mean.lon, 9);
    expect(c.lat).toBeCloseTo(mean.lat, 9);
  });

  it('draws a unit alone in its cell on its own, with its type × status icon and heading', () => {
    const level = 11;
    const x0 = corner(level);
    const lone = unitAt('cam-1', level, x0 + 24, x0 + 24, { type: 'bodycam', status: 'assigned', heading: 90 });
    const { units, clusters } = gridCluster([lone], viewAt(level, x0, x0), OPTS);
    expect(clusters).toEqual([]);
    expect(units).toEqual([expect.objectContaining({ id: 'cam-1', icon: 'unit-bodycam-assigned', s: 'assigned', type: 'bodycam', heading: 90, lon: lone.lon, lat: lone.lat })]);
  });

  it('keeps units in neighbouring cells apart, however close across the cell edge', () => {
    const level = 12;
    const x0 = corner(level);
    // 4 px apart, on either side of a cell edge; each cell also holds a second unit
    const points = [unitAt('w1', level, x0 + CELL - 2, x0 + 10), unitAt('w2', level, x0 + 10, x0 + 10), unitAt('e1', level, x0 + CELL + 2, x0 + 10), unitAt('e2', level, x0 + CELL + 30, x0 + 10)];
    const { units, clusters } = gridCluster(points, viewAt(level, x0, x0), OPTS);
    expect(units).toEqual([]);
    expect(clusters.map((c) => c.count)).toEqual([2, 2]);
    expect(new Set(clusters.map((c) => c.key)).size).toBe(2);
  });

  it('clusters at clusterMaxZoom however few the units', () => {
    const level = OPTS.clusterMaxZoom;
    const x0 = corner(level);
    const { clusters } = gridCluster([unitAt('a', level, x0 + 10, x0 + 10), unitAt('b', level, x0 + 20, x0 + 20)], viewAt(level, x0, x0), { ...OPTS, maxUnitsInView: 1000 });
    expect(clusters.map((c) => c.count)).toEqual([2]);
  });

  it('past clusterMaxZoom draws every unit on its own while the view is not crowded', () => {
    const level = OPTS.clusterMaxZoom + 2;
    const x0 = corner(level);
    const points = ['a', 'b', 'c'].map((id, i) => unitAt(id, level, x0 + 10 + i * 5, x0 + 10));
    const { units, clusters } = gridCluster(points, viewAt(level, x0, x0), { ...OPTS, maxUnitsInView: 3 });
    expect(clusters).toEqual([]);
    expect(units.map((u) => u.id)).toEqual(['a', 'b', 'c']);
  });

  it('past clusterMaxZoom still clusters a crowded view; units far outside it do not crowd it', () => {
    const level = OPTS.clusterMaxZoom + 2;
    const x0 = corner(level);
    const inView = ['a', 'b', 'c', 'd'].map((id, i) => unitAt(id, level, x0 + 10 + i * 5, x0 + 10));
    const crowded = gridCluster(inView, viewAt(level, x0, x0), { ...OPTS, maxUnitsInView: 3 });
    expect(crowded.units).toEqual([]);
    expect(crowded.clusters.map((c) => c.count)).toEqual([4]);

    // three in view (not more than 3) and many far away (well past the quarter-view margin)
    const far = Array.from({ length: 10 }, (_, i) => unitAt(`far-${i}`, level, x0 + 20_000 + i * 100, x0));
    const calm = gridCluster([...inView.slice(0, 3), ...far], viewAt(level, x0, x0), { ...OPTS, maxUnitsInView: 3 });
    expect(calm.clusters).toEqual([]);
    expect(calm.units).toHaveLength(13);
  });

  it('draws nothing for no units', () => {
    expect(gridCluster([], viewAt(8, 0, 0), OPTS)).toEqual({ units: [], clusters: [] });
  });
});
