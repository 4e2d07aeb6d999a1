// Test geometry shared by the polygon and geofence tests.
import type { Polygon } from '@hub/config';

/** A 1°×1° square (10–11 E, 50–51 N) with a 0.5°×0.5° hole in the middle. */
export const squareWithHole: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [10, 50],
      [11, 50],
      [11, 51],
      [10, 51],
      [10, 50],
    ],
    [
      [10.25, 50.25],
      [10.75, 50.25],
      [10.75, 50.75],
      [10.25, 50.75],
      [10.25, 50.25],
    ],
  ],
};

/** The rectangle from (w, s) to (e, n), closed, as GeoJSON wants it. */
export function boxPolygon(w: number, s: number, e: number, n: number): Polygon {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}
