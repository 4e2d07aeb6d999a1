// The units' grid clustering: units + view → what the map draws (units on their own and
// cluster discs). Pure (no map, no GL): the units layer runs it once per update or zoom level,
// not per frame, and tests run it without a browser.
import type { UnitType } from '@hub/config';
import type { UnitStatusKind } from '../live/types';
import { unitIconName } from './icon-atlas';
import { lngLatFromMercator, mercatorFromLngLat, worldSize } from './mercator';

/** What the layer draws of one unit. */
export interface UnitPoint {
  id: string;
  type: UnitType;
  status: UnitStatusKind;
  /** degrees clockwise from north */
  heading: number;
  /** on the basemap (already shifted for GCJ-02) */
  lon: number;
  lat: number;
}

/** A unit drawn on its own (not in a cluster), as tests and the trails read it. */
export interface DrawnUnit {
  id: string;
  icon: string;
  s: UnitStatusKind;
  lon: number;
  lat: number;
}

export interface DrawnCluster {
  key: string;
  count: number;
  alarming: number;
  lon: number;
  lat: number;
}

/** A drawn unit with where it is in mercator [0..1], its heading and type (for its icon). */
export interface PlacedUnit extends DrawnUnit {
  x: number;
  y: number;
  heading: number;
  type: UnitType;
}

/** A drawn cluster with its centre (the mean of its units) in mercator [0..1]. */
export interface PlacedCluster extends DrawnCluster {
  x: number;
  y: number;
}

export interface GridClusterOptions {
  /** clusters up to this zoom (inclusive); default 13 (UnitsLayer) */
  clusterMaxZoom: number;
  /** a cluster cell's size on screen, px; default 48 (UnitsLayer) */
  clusterRadius: number;
  /**
   * past clusterMaxZoom, still cluster while more units than this are in and around the view:
   * a grid cell draws one disc or icon, so what is drawn stays bounded however dense the fleet
   * (each icon is ~900 px to fill, the cost on a software renderer); default 3,000
   */
  maxUnitsInView?: number;
}

/** The map's view as the clustering reads it. */
export interface ClusterView {
  /** the map's whole zoom level (Math.floor of its zoom): the grid is the same within a level */
  level: number;
  /** what the map shows, degrees on the basemap */
  bounds: { west: number; east: number; south: number; north: number };
}

export interface Clustered {
  units: PlacedUnit[];
  clusters: PlacedCluster[];
}

/** Past clusterMaxZoom, a view is crowded (and still clusters) with more units than this in and around it. */
export const DEFAULT_MAX_UNITS_IN_VIEW = 3000;
/** A cell key's row stride: more cells than any zoom's grid has across (2^22 ≥ world at zoom 22 / 1 px). */
const ROW_STRIDE = 4_194_304;

/** The cluster disc's radius, px, by its count (as the symbol layer's step expression had it). */
export function clusterDiscRadius(count: number): number {
  return count < 10 ? 12 : count < 100 ? 16 : count < 1000 ? 21 : 27;
}

/** Whether this view clusters: up to clusterMaxZoom always; past it while crowded. */
export function clustersAt(points: readonly UnitPoint[], view: ClusterView, opts: GridClusterOptions): boolean {
  if (view.level <= opts.clusterMaxZoom) return true;
  // crowded view: count the units in and around it (a quarter of the view's size on each side)
  const b = view.bounds;
  const padLon = (b.east - b.west) * 0.25;
  const padLat = (b.north - b.south) * 0.25;
  const [w, e, so, n] = [b.west - padLon, b.east + padLon, b.south - padLat, b.north + padLat];
  const cap = opts.maxUnitsInView ?? DEFAULT_MAX_UNITS_IN_VIEW;
  let inView = 0;
  for (const p of points) if (p.lon >= w && p.lon <= e && p.lat >= so && p.lat <= n && ++inView > cap) return true;
  return false;
}

function placed(p: UnitPoint, x: number, y: number): PlacedUnit {
  return { id: p.id, icon: unitIconName(p.type, p.status), s: p.status, lon: p.lon, lat: p.lat, x, y, heading: p.heading, type: p.type };
}

/**
 * Units on a grid of clusterRadius px cells at the view's zoom level: a cell holding one unit
 * draws the unit, a cell holding more draws a cluster at their mean position. One pass.
 */
export function gridCluster(points: readonly UnitPoint[], view: ClusterView, opts: GridClusterOptions): Clustered {
  const units: PlacedUnit[] = [];
  const clusters: PlacedCluster[] = [];
  if (!clustersAt(points, view, opts)) {
    for (const p of points) {
      const { x, y } = mercatorFromLngLat(p.lon, p.lat);
      units.push(placed(p, x, y));
    }
    return { units, clusters };
  }
  const cell = opts.clusterRadius / worldSize(view.level);
  const cells = new Map<number, { n: number; alarming: number; sx: number; sy: number; first: UnitPoint; fx: number; fy: number }>();
  for (const p of points) {
    const { x, y } = mercatorFromLngLat(p.lon, p.lat);
    const key = Math.floor(x / cell) * ROW_STRIDE + Math.floor(y / cell);
    const c = cells.get(key);
    if (c) {
      c.n++;
      c.sx += x;
      c.sy += y;
      if (p.status === 'alarming') c.alarming++;
    } else cells.set(key, { n: 1, alarming: p.status === 'alarming' ? 1 : 0, sx: x, sy: y, first: p, fx: x, fy: y });
  }
  for (const [key, c] of cells) {
    if (c.n === 1) {
      units.push(placed(c.first, c.fx, c.fy));
    } else {
      const x = c.sx / c.n;
      const y = c.sy / c.n;
      const ll = lngLatFromMercator(x, y);
      clusters.push({ key: `${view.level}:${key}`, count: c.n, alarming: c.alarming, lon: ll.lon, lat: ll.lat, x, y });
    }
  }
  return { units, clusters };
}
