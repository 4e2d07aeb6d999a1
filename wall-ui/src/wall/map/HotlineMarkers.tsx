// 12319 hotline cases on the map: where the caller said, with the complaint's category, as DOM
// markers (MapLibre would need glyph files to draw text). A click selects the case. Markers are
// kept by incident id and moved or removed as the list changes, never rebuilt wholesale.
import { useEffect, useRef } from 'react';
import maplibregl from 'maplibre-gl';
import type { HotlinePlace } from '@hub/config';
import { useT, type MessageKey } from '../i18n';
import { useMapContext } from './map-context';

/** the label's pointed corner up and right of the place, so the incident's diamond drawn there stays in view (px) */
export const MARKER_OFFSET: [number, number] = [10, -10];

export function HotlineMarkers({ places, onSelect }: { places: readonly HotlinePlace[]; onSelect?(incidentId: number): void }) {
  const { map, projector } = useMapContext();
  const t = useT();
  const markers = useRef(new Map<number, maplibregl.Marker>());
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    const current = markers.current;
    const seen = new Set<number>();
    for (const p of places) {
      seen.add(p.incidentId);
      let marker = current.get(p.incidentId);
      if (!marker) {
        const el = document.createElement('button');
        el.type = 'button';
        el.className = 'hotline-marker';
        el.dataset.testid = 'hotline-marker';
        el.dataset.incidentId = String(p.incidentId);
        // the map would take the click as one on the map (a hotline place pick, a linkage target)
        el.addEventListener('click', (e) => {
          e.stopPropagation();
          select.current?.(Number(el.dataset.incidentId));
        });
        // placed before it is added: MapLibre positions a marker as it joins the map
        marker = new maplibregl.Marker({ element: el, anchor: 'bottom-left', offset: MARKER_OFFSET }).setLngLat(projector.toMap(p.lat, p.lon));
        current.set(p.incidentId, marker);
        marker.addTo(map);
      }
      const el = marker.getElement();
      el.dataset.category = p.category;
      el.textContent = `12319 · ${t(`hotline.category.${p.category}` as MessageKey)}`;
      el.title = t('hotline.markerTitle', { incident: p.incidentId });
      marker.setLngLat(projector.toMap(p.lat, p.lon));
    }
    for (const [id, marker] of current) {
      if (seen.has(id)) continue;
      marker.remove();
      current.delete(id);
    }
  }, [map, projector, places, t]);

  useEffect(() => {
    const current = markers.current;
    return () => {
      for (const m of current.values()) m.remove();
      current.clear();
    };
  }, [map]);
  return null;
}
