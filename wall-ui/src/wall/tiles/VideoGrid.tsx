// The video wall grid: 1, 4, 9 or 16 tiles; one tile may be enlarged over the whole grid.
import { useState } from 'react';
import type { GridSize } from '@hub/config/presets';
import { Tile } from './Tile';

export interface VideoGridProps {
  grid: GridSize;
  tiles: (string | null)[];
  unitName(unitId: string): string | undefined;
  onSetTile(index: number, unitId: string | null): void;
}

export function VideoGrid({ grid, tiles, unitName, onSetTile }: VideoGridProps) {
  const [enlarged, setEnlarged] = useState<number | null>(null);
  const side = Math.sqrt(grid);
  return (
    <div className="video-grid" data-testid="video-grid" data-grid={grid} style={{ gridTemplateColumns: `repeat(${side}, 1fr)`, gridTemplateRows: `repeat(${side}, 1fr)` }}>
      {Array.from({ length: grid }, (_, i) => {
        const unitId = tiles[i] ?? null;
        return (
          <Tile
            // a tile keeps its player while its unit stays; a new unit makes a new player
            key={i}
            index={i}
            unitId={unitId}
            unitName={unitId ? unitName(unitId) : undefined}
            enlarged={enlarged === i}
            onDropUnit={(id) => onSetTile(i, id)}
            onClear={() => {
              if (enlarged === i) setEnlarged(null);
              onSetTile(i, null);
            }}
            onToggleEnlarge={() => setEnlarged((e) => (e === i ? null : i))}
          />
        );
      })}
    </div>
  );
}

/** Puts units on tiles: those already shown stay, the rest fill empty tiles, then the last ones. Grows the grid when needed. */
export function placeUnits(grid: GridSize, tiles: (string | null)[], unitIds: string[]): { grid: GridSize; tiles: (string | null)[] } {
  const wanted = unitIds.filter((id, i) => unitIds.indexOf(id) === i);
  const missing = wanted.filter((id) => !tiles.includes(id));
  let size = grid;
  const need = tiles.filter((x) => x !== null).length + missing.length;
  for (const g of [1, 4, 9, 16] as const) {
    if (g >= size && (g >= need || g === 16)) {
      size = g;
      break;
    }
  }
  const out = Array.from({ length: size }, (_, i) => tiles[i] ?? null);
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
