// What is under a point of the map: a unit's icon (the nearest), else a cluster disc, with the
// zoom a click on the cluster expands to. Pure: the layer passes the point already in mercator.
import { ICON_SIZE, iconScale } from './icon-atlas';
import { clusterDiscRadius, type DrawnCluster, type PlacedCluster } from './grid-cluster';
import { worldSize, type MercatorPoint } from './mercator';

export type UnitHit = { kind: 'unit'; unitId: string } | { kind: 'cluster'; cluster: DrawnCluster; expandToZoom: number };

export interface HitOptions {
  /** the map's zoom now (not rounded) */
  zoom: number;
  /** the layer's clusterMaxZoom */
  clusterMaxZoom: number;
  /** px around an icon or disc that still counts as on it; default 4 */
  pad?: number;
}

/** The zoom a click on a cluster eases to: past clusterMaxZoom when the cluster is already at it. */
export function expandToZoom(zoom: number, clusterMaxZoom: number): number {
  const level = Math.floor(zoom);
  return level < clusterMaxZoom ? Math.min(clusterMaxZoom + 1, level + 2) : level + 2;
}

/** What is drawn at `at` (mercator [0..1]), nearest first: a unit's icon, else a cluster disc. */
export function hitTest(at: MercatorPoint, drawn: { units: readonly { id: string; x: number; y: number }[]; clusters: readonly PlacedCluster[] }, opts: HitOptions): UnitHit | null {
  const pad = opts.pad ?? 4;
  const world = worldSize(opts.zoom);
  const iconHalf = (ICON_SIZE * iconScale(opts.zoom)) / 2 + pad;
  let bestUnit: string | undefined;
  let bestD = Infinity;
  for (const u of drawn.units) {
    const d = Math.hypot(u.x - at.x, u.y - at.y) * world;
    if (d <= iconHalf && d < bestD) {
      bestD = d;
      bestUnit = u.id;
    }
  }
  if (bestUnit !== undefined) return { kind: 'unit', unitId: bestUnit };
  let best: PlacedCluster | undefined;
  for (const c of drawn.clusters) {
    const d = Math.hypot(c.x - at.x, c.y - at.y) * world;
    if (d <= clusterDiscRadius(c.count) + pad && d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (!best) return null;
  const { key, count, alarming, lon, lat } = best;
  return { kind: 'cluster', cluster: { key, count, alarming, lon, lat }, expandToZoom: expandToZoom(opts.zoom, opts.clusterMaxZoom) };
}
