// Which tile each unit goes to when cameras open by themselves (linkage, "open camera").
import type { GridSize } from '@hub/config';

/** Puts units on tiles: those already shown stay, the rest fill empty tiles, then the last ones. Grows the grid when needed. */
export function placeUnits(grid: GridSize, tiles: (string | null)[], unitIds: string[]): { grid: GridSize; tiles: (string | null)[] } {
  // only the tiles the grid shows count (a smaller grid keeps no hidden tiles)
  const shown = Array.from({ length: grid }, (_, i) => tiles[i] ?? null);
  const wanted = unitIds.filter((id, i) => unitIds.indexOf(id) === i);
  const missing = wanted.filter((id) => !shown.includes(id));
  let size = grid;
  const need = shown.filter((x) => x !== null).length + missing.length;
  for (const g of [1, 4, 9, 16] as const) {
    if (g >= size && (g >= need || g === 16)) {
      size = g;
      break;
    }
  }
  const out = Array.from({ length: size }, (_, i) => shown[i] ?? null);
  const keep = new Set(wanted);
  for (const id of missing) {
    let i = out.indexOf(null);
    if (i < 0) {
      // replace from the end, never a unit that was asked for
      for (let j = out.length - 1; j >= 0; j--) {
        if (!keep.has(out[j]!)) {
          i = j;
          break;
        }
      }
    }
    if (i < 0) break;
    out[i] = id;
  }
  return { grid: size, tiles: out };
}
