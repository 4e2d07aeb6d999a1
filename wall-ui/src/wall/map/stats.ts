// Figures of the unit layer, read by the benchmark and tests through window.__hubWall.
export interface MapStats {
  /** setData calls of the units source that completed */
  sourceUpdates: number;
  /** features in the last update */
  features: number;
  /** main-thread ms building the last feature collection */
  buildMs: number;
  /** ms from setData to the worker having the data */
  setDataMs: number;
  /** sampled delays, ms, from a position's own timestamp to the first frame drawn with it */
  markerDelaysMs: number[];
}

export function newMapStats(): MapStats {
  return { sourceUpdates: 0, features: 0, buildMs: 0, setDataMs: 0, markerDelaysMs: [] };
}

export const MAX_DELAY_SAMPLES = 20_000;
