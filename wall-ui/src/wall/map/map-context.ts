// What the map's layer components share: the one map instance and the datum conversion.
import { createContext, useContext } from 'react';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Projector } from './projection';

export interface MapContextValue {
  map: MapLibreMap;
  projector: Projector;
}

export const MapContext = createContext<MapContextValue | null>(null);

export function useMapContext(): MapContextValue {
  const ctx = useContext(MapContext);
  if (!ctx) throw new Error('a map layer must be rendered inside LiveMap');
  return ctx;
}

/** Adds a source and its layers; returns the cleanup that removes them (when the map still has them). */
export function addSourceWithLayers(
  map: MapLibreMap,
  sourceId: string,
  source: Parameters<MapLibreMap['addSource']>[1],
  layers: Parameters<MapLibreMap['addLayer']>[0][],
  beforeId?: string,
): () => void {
  map.addSource(sourceId, source);
  for (const layer of layers) map.addLayer(layer, beforeId && map.getLayer(beforeId) ? beforeId : undefined);
  return () => {
    // the map may be gone already (LiveMap unmounting removes it first)
    if (!map.style || !map.getSource(sourceId)) return;
    for (const layer of layers) if (map.getLayer(layer.id)) map.removeLayer(layer.id);
    map.removeSource(sourceId);
  };
}
