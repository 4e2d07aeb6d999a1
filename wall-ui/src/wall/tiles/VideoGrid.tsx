// The video wall grid: 1, 4, 9 or 16 tiles; one tile may be enlarged over the whole grid.
import { useState } from 'react';
import type { GridSize } from '@hub/config';
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
