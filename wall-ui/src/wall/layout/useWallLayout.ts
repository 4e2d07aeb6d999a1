// Owns the wall's layout (grid, tiles, wall mode) and where the map looks: the fly-to requests
// the map follows and the view it reports back (saved with a preset).
import { useCallback, useRef, useState, type RefObject } from 'react';
import type { GridSize, MapView, WallLayout } from '@hub/config';
import { placeUnits } from '../tiles/place-units';

/** The grids an operator picks from. */
export const GRIDS: readonly GridSize[] = [1, 4, 9, 16];
const DEFAULT_LAYOUT: WallLayout = { grid: 4, tiles: [], wallMode: false };

/** A request for the map to move; a new `key` each time, so the same place twice moves twice. */
export interface FlyTo {
  lat: number;
  lon: number;
  zoom?: number;
  bearing?: number;
  /** jump (a preset's view) rather than fly */
  instant?: boolean;
  key: number;
}

export interface WallLayoutState {
  layout: WallLayout;
  flyTo: FlyTo | undefined;
  /** where the map looks now; a ref, not state: the map moves often and nothing renders from it */
  mapView: RefObject<MapView | undefined>;
  fly(lat: number, lon: number, zoom?: number): void;
  /** a preset's layout, and its map view when it has one (older presets have none: the map stays) */
  applyLayout(l: WallLayout): void;
  /** puts these units' cameras on tiles (free tiles first) */
  openOnTiles(unitIds: string[]): void;
  setTile(index: number, unitId: string | null): void;
  setGrid(grid: GridSize): void;
  toggleWallMode(): void;
  viewChanged(v: MapView): void;
}

export function useWallLayout(): WallLayoutState {
  const [layout, setLayout] = useState<WallLayout>(DEFAULT_LAYOUT);
  const [flyTo, setFlyTo] = useState<FlyTo | undefined>();
  const mapView = useRef<MapView | undefined>(undefined);
  const flyKey = useRef(0);

  const fly = useCallback((lat: number, lon: number, zoom?: number) => setFlyTo({ lat, lon, zoom, key: ++flyKey.current }), []);

  const applyLayout = useCallback((l: WallLayout) => {
    setLayout(l);
    if (l.map) setFlyTo({ lat: l.map.center.lat, lon: l.map.center.lon, zoom: l.map.zoom, bearing: l.map.bearing, instant: true, key: ++flyKey.current });
  }, []);

  const openOnTiles = useCallback((unitIds: string[]) => {
    setLayout((l) => ({ ...l, ...placeUnits(l.grid, l.tiles, unitIds) }));
  }, []);

  const setTile = useCallback(
    (index: number, unitId: string | null) =>
      setLayout((l) => {
        const tiles = Array.from({ length: l.grid }, (_, i) => l.tiles[i] ?? null);
        tiles[index] = unitId;
        return { ...l, tiles };
      }),
    [],
  );

  const setGrid = useCallback((grid: GridSize) => setLayout((l) => ({ ...l, grid })), []);

  const toggleWallMode = useCallback(() => {
    setLayout((l) => {
      const on = !l.wallMode;
      try {
        if (on) void document.documentElement.requestFullscreen?.().catch(() => undefined);
        else if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      } catch {
        // no full screen here: the layout still fills the window
      }
      return { ...l, wallMode: on };
    });
  }, []);

  const viewChanged = useCallback((v: MapView) => {
    mapView.current = v;
  }, []);

  return { layout, flyTo, mapView, fly, applyLayout, openOnTiles, setTile, setGrid, toggleWallMode, viewChanged };
}
