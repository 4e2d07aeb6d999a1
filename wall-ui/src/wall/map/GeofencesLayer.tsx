// Geofences (GET /api/geofences) as translucent areas with an outline; refreshed every minute.
import { useEffect } from 'react';
import type { GeoJSONSource } from 'maplibre-gl';
import type { Geofence } from '@hub/config';
import type { UnitStore } from '../live/unit-store';
import { addSourceWithLayers, useMapContext } from './map-context';
import { projectGeometryCoords } from './projection';
import { UNITS_LAYER } from './UnitsLayer';

export function GeofencesLayer({ store, refreshMs = 60_000 }: { store: UnitStore; refreshMs?: number }) {
  const { map, projector } = useMapContext();
  useEffect(() => {
    const remove = addSourceWithLayers(
      map,
      'geofences',
      { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      [
        { id: 'geofences-fill', type: 'fill', source: 'geofences', paint: { 'fill-color': '#ff9f1a', 'fill-opacity': 0.12 } },
        { id: 'geofences-line', type: 'line', source: 'geofences', paint: { 'line-color': '#ff9f1a', 'line-width': 2, 'line-dasharray': [2, 1] } },
      ],
      UNITS_LAYER,
    );
    let stopped = false;
    const load = async () => {
      let fences: Geofence[];
      try {
        fences = await store.api.geofences();
      } catch (err) {
        console.warn('wall: geofences could not be loaded', err);
        return;
      }
      if (stopped) return;
      (map.getSource('geofences') as GeoJSONSource | undefined)?.setData({
        type: 'FeatureCollection',
        features: fences.map((f) => ({
          type: 'Feature',
          properties: { id: f.id, name: f.name },
          geometry: { type: 'Polygon', coordinates: projectGeometryCoords(f.geometry.coordinates, projector) },
        })),
      });
    };
    void load();
    const timer = setInterval(() => void load(), refreshMs);
    return () => {
      stopped = true;
      clearInterval(timer);
      remove();
    };
  }, [map, projector, store, refreshMs]);
  return null;
}
