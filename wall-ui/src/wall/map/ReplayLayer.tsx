// Track replay: the unit's path as a line and a marker at the cursor's time, placed between
// the two fixes around it and turned to the direction of travel. A new track brings the map to
// it; the live units are dimmed meanwhile (LiveMap's `replaying` class).
import { useEffect, useMemo } from 'react';
import type { GeoJSONSource } from 'maplibre-gl';
import type { PositionOut } from '@hub/config';
import { addSourceWithLayers, useMapContext } from './map-context';
import type { Feature } from 'geojson';
import { positionAt, type TrackPosition } from '../../shared/track';

export interface ReplayProps {
  points: PositionOut[];
  /** ISO time of the marker; default the first point */
  cursorTs?: string;
}

/** The marker's heading: the fix's own, else the direction of travel between the fixes around it. */
function headingAt(at: TrackPosition<{ t: number; lat: number; lon: number; heading: number | null }>): number {
  const { from: a, to: b } = at;
  if (a.heading !== null || a === b) return a.heading ?? 0;
  const bearing = (Math.atan2((b.lon - a.lon) * Math.cos((a.lat * Math.PI) / 180), b.lat - a.lat) * 180) / Math.PI;
  return (bearing + 360) % 360;
}

export function ReplayLayer({ points, cursorTs }: ReplayProps) {
  const { map, projector } = useMapContext();
  const sorted = useMemo(() => points.map((p) => ({ lat: p.lat, lon: p.lon, t: Date.parse(p.ts), heading: p.heading })).sort((a, b) => a.t - b.t), [points]);
  useEffect(
    () =>
      addSourceWithLayers(map, 'replay', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } }, [
        {
          id: 'replay-track',
          type: 'line',
          source: 'replay',
          filter: ['==', ['geometry-type'], 'LineString'],
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': '#b388ff', 'line-width': 4, 'line-opacity': 0.9 },
        },
        {
          id: 'replay-marker',
          type: 'symbol',
          source: 'replay',
          filter: ['==', ['geometry-type'], 'Point'],
          layout: {
            'icon-image': 'unit-vehicle-assigned',
            'icon-rotate': ['get', 'heading'],
            'icon-rotation-alignment': 'map',
            'icon-allow-overlap': true,
            'icon-ignore-placement': true,
            'icon-size': 1.3,
          },
        },
      ]),
    [map],
  );
  // a new track: the map shows all of it (once; the operator may then pan and zoom)
  useEffect(() => {
    if (sorted.length === 0) return;
    const corners = sorted.map((p) => projector.toMap(p.lat, p.lon));
    const lons = corners.map((c) => c[0]);
    const lats = corners.map((c) => c[1]);
    map.fitBounds(
      [
        [Math.min(...lons), Math.min(...lats)],
        [Math.max(...lons), Math.max(...lats)],
      ],
      { padding: 60, maxZoom: 17, duration: 600 },
    );
  }, [map, projector, sorted]);
  useEffect(() => {
    const features: Feature[] = [];
    if (sorted.length > 1) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: sorted.map((p) => projector.toMap(p.lat, p.lon)) } });
    const at = positionAt(sorted, cursorTs ? Date.parse(cursorTs) : (sorted[0]?.t ?? 0));
    if (at) features.push({ type: 'Feature', properties: { heading: headingAt(at) }, geometry: { type: 'Point', coordinates: projector.toMap(at.lat, at.lon) } });
    (map.getSource('replay') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
  }, [map, projector, sorted, cursorTs]);
  return null;
}
