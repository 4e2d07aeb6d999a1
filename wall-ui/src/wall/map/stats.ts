// Figures of the unit layer, read by the benchmark and tests through window.__hubWall.
export interface MapStats {
  /** updates of the units layer (each one rebuild of its instances and one redraw) */
  sourceUpdates: number;
  /** units in the last update */
  features: number;
  /** main-thread ms reading the store for the last update */
  buildMs: number;
  /** main-thread ms clustering and filling the instance array for the last update (its upload is part of the next draw) */
  setDataMs: number;
  /** sampled delays, ms, from a position's own timestamp to the first frame drawn with it */
  markerDelaysMs: number[];
}

export function newMapStats(): MapStats {
  return { sourceUpdates: 0, features: 0, buildMs: 0, setDataMs: 0, markerDelaysMs: [] };
}

export const MAX_DELAY_SAMPLES = 20_000;
