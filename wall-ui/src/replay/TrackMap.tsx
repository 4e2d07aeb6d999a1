// The incident's GPS tracks over the wall's basemap (MapLibre, the same style as the wall: the
// city's tiles when configured, else the offline layers), fitted to the tracks and the incident
// site, with each unit's position at the video's wall-clock time as a marker.
import { useEffect, useMemo, useRef, useState } from 'react';
import maplibregl, { type LineLayerSpecification, type Map as MapLibreMap } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { BasemapOut } from '@hub/config';
import type { Feature } from 'geojson';
import { positionAt, type TrackPoint } from '../shared/track';
import { basemapStyle } from '../wall/map/basemap-style';
import { makeProjector } from '../wall/map/projection';

export interface UnitTrack {
  unitId: string;
  points: TrackPoint[];
}

const COLORS = ['#ff6b6b', '#4dabf7', '#69db7c', '#b388ff', '#ffa94d'];

export function TrackMap({ tracks, cursor, incident, basemap, label }: { tracks: UnitTrack[]; cursor: number | null; incident: { lat: number; lon: number }; basemap: BasemapOut; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  const projector = useMemo(() => makeProjector(basemap.coordinateSystem), [basemap]);

  useEffect(() => {
    const m = new maplibregl.Map({
      container: container.current!,
      style: basemapStyle(basemap, projector),
      center: projector.toMap(incident.lat, incident.lon),
      zoom: basemap.zoom,
      maxPitch: 0,
      dragRotate: false,
      fadeDuration: 0,
      attributionControl: basemap.attribution ? { compact: true, customAttribution: basemap.attribution } : false,
    });
    m.on('load', () => {
      const features: Feature[] = tracks.map((t, i) => ({
        type: 'Feature',
        properties: { color: COLORS[i % COLORS.length] },
        geometry: { type: 'LineString', coordinates: t.points.map((p) => projector.toMap(p.lat, p.lon)) },
      }));
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: projector.toMap(incident.lat, incident.lon) } });
      m.addSource('replay-tracks', { type: 'geojson', data: { type: 'FeatureCollection', features } });
      // a dark casing under each coloured track, so it reads on any basemap
      const trackLine = (id: string, paint: LineLayerSpecification['paint']) =>
        m.addLayer({ id, type: 'line', source: 'replay-tracks', filter: ['==', ['geometry-type'], 'LineString'], paint, layout: { 'line-cap': 'round', 'line-join': 'round' } });
      trackLine('replay-track-casing', { 'line-color': '#0e1116', 'line-width': 6 });
      trackLine('replay-track', { 'line-color': ['get', 'color'], 'line-width': 3 });
      m.addLayer({
        id: 'replay-site',
        type: 'circle',
        source: 'replay-tracks',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-radius': 9, 'circle-color': 'rgba(255, 77, 79, 0.25)', 'circle-stroke-color': '#ff4d4f', 'circle-stroke-width': 2 },
      });
      const bounds = new maplibregl.LngLatBounds();
      for (const f of features) for (const c of f.geometry.type === 'LineString' ? f.geometry.coordinates : [(f.geometry as GeoJSON.Point).coordinates]) bounds.extend(c as [number, number]);
      m.fitBounds(bounds, { padding: 48, maxZoom: 17, duration: 0 });
      setMap(m);
    });
    return () => {
      setMap(null);
      m.remove();
    };
    // one map per page: the tracks and the basemap are loaded once
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="replay-map" data-testid="replay-map" role="img" aria-label={label}>
      <div ref={container} className="replay-map-canvas" />
      {map &&
        tracks.map((t, i) => {
          const here = cursor === null ? null : positionAt(t.points, cursor);
          return here && <UnitMarker key={t.unitId} map={map} unitId={t.unitId} at={here} to={projector.toMap(here.lat, here.lon)} color={COLORS[i % COLORS.length]!} />;
        })}
    </div>
  );
}

/** A unit's marker at the cursor: a DOM marker, so its position is also readable on the page (data-lat, data-lon). */
function UnitMarker({ map, unitId, at, to, color }: { map: MapLibreMap; unitId: string; at: { lat: number; lon: number }; to: [number, number]; color: string }) {
  const marker = useMemo(() => {
    const el = document.createElement('div');
    el.className = 'replay-marker';
    el.dataset.testid = 'replay-marker';
    el.dataset.unit = unitId;
    el.style.setProperty('--unit-color', color);
    el.textContent = unitId;
    return new maplibregl.Marker({ element: el, anchor: 'left' });
  }, [unitId, color]);
  useEffect(() => {
    marker.setLngLat(to);
    const el = marker.getElement();
    el.dataset.lat = String(at.lat);
    el.dataset.lon = String(at.lon);
  }, [marker, to, at.lat, at.lon]);
  // after the position is set (effects run in order): MapLibre places a marker as it is added
  useEffect(() => {
    marker.addTo(map);
    return () => void marker.remove();
  }, [map, marker]);
  return null;
}
