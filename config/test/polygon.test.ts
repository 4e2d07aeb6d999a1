import { describe, expect, it } from 'vitest';
import { inPolygon, prepare } from '@hub/config';
import { squareWithHole } from '../../test-support/polygons';

describe('inPolygon', () => {
  const p = prepare(squareWithHole);

  it('finds points in the ring but not in the hole', () => {
    expect(inPolygon(p, 10.1, 50.1)).toBe(true);
    expect(inPolygon(p, 10.9, 50.9)).toBe(true);
    expect(inPolygon(p, 10.5, 50.5)).toBe(false); // in the hole
    expect(inPolygon(p, 9.9, 50.5)).toBe(false); // west of it
    expect(inPolygon(p, 10.5, 51.1)).toBe(false); // north of it
  });

  it('computes the bounding box of the outer ring', () => {
    expect(p.bbox).toEqual([10, 50, 11, 51]);
  });

  it('handles a concave polygon', () => {
    // an L shape: the notch at the top right is outside
    const l = prepare({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 1],
          [1, 1],
          [1, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    });
    expect(inPolygon(l, 0.5, 1.5)).toBe(true);
    expect(inPolygon(l, 1.5, 0.5)).toBe(true);
    expect(inPolygon(l, 1.5, 1.5)).toBe(false);
  });
});
