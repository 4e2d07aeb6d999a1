// Trails of the last minutes for the selected and highlighted units, and for every unit in
// view once zoomed in far enough that they are few. The store keeps points only for these.
// Drawn by the units layer (units-gl.ts), under the units: a trail update once a second redraws
// the units' canvas, not the whole map.
import { useEffect, useRef } from 'react';
import type { UnitStore } from '../live/unit-store';
import { useMapContext } from './map-context';
import { unitsLayerOf, type TrailLine } from './units-gl';

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
      const lines: (TrailLine & { id: string })[] = [];
      for (const id of ids) {
        const trail = store.trail(id);
        if (trail.length < 2) continue;
        lines.push({ id, selected: id === selectedUnitId, coords: trail.map((p) => projector.toMap(p[1], p[0])) });
      }
      // a redraw is the costly part on a software renderer: only when a trail changed
      const signature = lines.map((l) => `${l.id}:${l.coords.length}:${JSON.stringify(l.coords.at(-1))}`).join('|') + `|${selectedUnitId ?? ''}`;
      const layer = unitsLayerOf(map);
      if (signature === drawn || !layer) return;
      drawn = signature;
      layer.setTrails(lines);
    };
    const timer = setInterval(draw, 1000);
    watch();
    return () => {
      clearInterval(timer);
      map.off('moveend', onMoveEnd);
      unitsLayerOf(map)?.setTrails([]);
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
