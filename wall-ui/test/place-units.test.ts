import { describe, expect, it } from 'vitest';
import { placeUnits } from '../src/wall/tiles/place-units';

describe('placeUnits', () => {
  it('fills empty tiles first and keeps units already shown', () => {
    expect(placeUnits(4, ['a', null, 'b', null], ['b', 'c'])).toEqual({ grid: 4, tiles: ['a', 'c', 'b', null] });
  });
  it('grows the grid to fit the alarming unit and the nearest ones', () => {
    expect(placeUnits(4, ['a', 'b', 'c', 'd'], ['x', 'y', 'z'])).toEqual({ grid: 9, tiles: ['a', 'b', 'c', 'd', 'x', 'y', 'z', null, null] });
  });
  it('replaces from the end at 16 tiles, never a unit asked for', () => {
    const full = Array.from({ length: 16 }, (_, i) => `u${i}`);
    const { grid, tiles } = placeUnits(16, full, ['u15', 'n1']);
    expect(grid).toBe(16);
    expect(tiles[15]).toBe('u15');
    expect(tiles[14]).toBe('n1');
  });
  it('opens one camera on a one-tile grid by replacing it', () => {
    expect(placeUnits(1, ['a'], ['b'])).toEqual({ grid: 4, tiles: ['a', 'b', null, null] });
  });
});
