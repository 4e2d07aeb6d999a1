// Alarm and incident markers: unacknowledged alarms with a position as red rings, incidents
// as amber diamonds (resolved or closed ones greyed out).
import { useEffect } from 'react';
import type { GeoJSONSource } from 'maplibre-gl';
import type { Alarm } from '@hub/config';
import { addSourceWithLayers, useMapContext } from './map-context';
import type { Feature } from 'geojson';

export interface IncidentMarker {
  id: string | number;
  lat: number;
  lon: number;
  state: string;
}

export function MarkersLayer({ alarms, incidents }: { alarms?: Alarm[]; incidents?: IncidentMarker[] }) {
  const { map, projector } = useMapContext();
  useEffect(
    () =>
      addSourceWithLayers(map, 'markers', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } }, [
        {
          id: 'alarm-markers',
          type: 'circle',
          source: 'markers',
          filter: ['==', ['get', 'kind'], 'alarm'],
          paint: { 'circle-radius': 16, 'circle-color': 'rgba(255,59,48,0.25)', 'circle-stroke-color': '#ff3b30', 'circle-stroke-width': 3 },
        },
        {
          id: 'incident-markers',
          type: 'symbol',
          source: 'markers',
          filter: ['==', ['get', 'kind'], 'incident'],
          layout: { 'icon-image': 'incident', 'icon-allow-overlap': true, 'icon-ignore-placement': true, 'icon-size': 1.2 },
          paint: { 'icon-opacity': ['case', ['get', 'open'], 1, 0.45] },
        },
      ]),
    [map],
  );
  useEffect(() => {
    const features: Feature[] = [];
    for (const a of alarms ?? []) {
      if (a.acknowledgedAt || a.lat === null || a.lon === null) continue;
      features.push({ type: 'Feature', properties: { kind: 'alarm', id: a.id, unitId: a.unitId, alarm: a.kind }, geometry: { type: 'Point', coordinates: projector.toMap(a.lat, a.lon) } });
    }
    for (const i of incidents ?? []) {
      const open = !/^(closed|resolved|cancel)/.test(i.state);
      features.push({ type: 'Feature', properties: { kind: 'incident', id: i.id, open }, geometry: { type: 'Point', coordinates: projector.toMap(i.lat, i.lon) } });
    }
    (map.getSource('markers') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
  }, [map, projector, alarms, incidents]);
  return null;
}
