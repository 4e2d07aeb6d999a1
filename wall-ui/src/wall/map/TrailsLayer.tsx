// Trails of the last minutes for the selected and highlighted units, and for every unit in
// view once zoomed in far enough that they are few. The store keeps points only for these.
import { useEffect, useRef } from 'react';
import type { GeoJSONSource } from 'maplibre-gl';
import type { UnitStore } from '../live/unit-store';
import { addSourceWithLayers, useMapContext } from './map-context';
import { UNITS_LAYER } from './UnitsLayer';
import { unitsLayerOf } from './units-gl';
import type { Feature, LineString } from 'geojson';

export interface TrailsLayerProps {
  store: UnitStore;
  selectedUnitId?: string;
  highlightUnitIds?: string[];
  /** trails for every unit in view from this zoom; default 15 */
  visibleFromZoom?: number;
  /** most units in view with a trail; default 200 */
  maxVisible?: number;
}

export function TrailsLayer(props: TrailsLayerProps) {
  const { map, projector } = useMapContext();
  const latest = useRef(props);
  latest.current = props;
  const highlightKey = (props.highlightUnitIds ?? []).join(',');

  useEffect(() => {
    const remove = addSourceWithLayers(
      map,
      'trails',
      { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      [
        {
          id: 'trails',
          type: 'line',
          source: 'trails',
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': ['case', ['get', 'selected'], '#ffffff', '#7fd1ff'], 'line-width': ['case', ['get', 'selected'], 3, 2], 'line-opacity': 0.75 },
        },
      ],
      UNITS_LAYER,
    );
    let visibleIds: string[] = [];
    const watch = () => {
      const { store, selectedUnitId, highlightUnitIds } = latest.current;
      const ids = new Set<string>(highlightUnitIds ?? []);
      if (selectedUnitId) ids.add(selectedUnitId);
      for (const id of visibleIds) ids.add(id);
      store.watchTrails(ids);
    };
    const onMoveEnd = () => {
      const { visibleFromZoom = 15, maxVisible = 200 } = latest.current;
      visibleIds = [];
      if (map.getZoom() >= visibleFromZoom) {
        const bounds = map.getBounds();
        for (const u of unitsLayerOf(map)?.drawn() ?? []) {
          if (!bounds.contains([u.lon, u.lat])) continue;
          visibleIds.push(u.id);
          if (visibleIds.length >= maxVisible) break;
        }
      }
      watch();
    };
    map.on('moveend', onMoveEnd);
    let drawn = '';
    const draw = () => {
      const { store, selectedUnitId } = latest.current;
      const ids = new Set<string>(latest.current.highlightUnitIds ?? []);
      if (selectedUnitId) ids.add(selectedUnitId);
      for (const id of visibleIds) ids.add(id);
      const features: Feature[] = [];
      for (const id of ids) {
        const trail = store.trail(id);
        if (trail.length < 2) continue;
        features.push({
          type: 'Feature',
          properties: { id, selected: id === selectedUnitId },
          geometry: { type: 'LineString', coordinates: trail.map((p) => projector.toMap(p[1], p[0])) },
        });
      }
      // a repaint is the costly part on a software renderer: only when a trail changed
      const signature = features.map((f) => `${String(f.properties?.id)}:${(f.geometry as LineString).coordinates.length}:${JSON.stringify((f.geometry as LineString).coordinates.at(-1))}`).join('|') + `|${selectedUnitId ?? ''}`;
      if (signature === drawn) return;
      drawn = signature;
      (map.getSource('trails') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
    };
    const timer = setInterval(draw, 1000);
    watch();
    return () => {
      clearInterval(timer);
      map.off('moveend', onMoveEnd);
      remove();
    };
  }, [map, projector]);

  useEffect(() => {
    const { store, selectedUnitId, highlightUnitIds } = props;
    const ids = new Set<string>(highlightUnitIds ?? []);
    if (selectedUnitId) ids.add(selectedUnitId);
    store.watchTrails(ids);
    if (selectedUnitId) store.loadTrail(selectedUnitId).catch((err: unknown) => console.warn('wall: track could not be loaded', err));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.store, props.selectedUnitId, highlightKey]);
  return null;
}
