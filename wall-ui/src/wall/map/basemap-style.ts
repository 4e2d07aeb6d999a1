// The map's style from the hub's basemap settings: the city's tiles when configured, and
// always the offline layers above them (a grid, districts and roads from the config's GeoJSON,
// fainter over tiles), so a wall with no tile server, or with it unreachable, still shows the
// city. Vector tiles (a tile server or the hub's own basemap.file) get a street style
// (street-style.ts). No text
// layers: MapLibre would need glyph files, and there are no downloads; names show on hover.
import type { StyleSpecification, LayerSpecification, SourceSpecification } from 'maplibre-gl';
import type { BasemapOut } from '@hub/config';
import { projectFeatureCollection, type Projector } from './projection';
import type { Feature, FeatureCollection } from 'geojson';
import { namedStreetLayers, streetLayers } from './street-style';

export const DEFAULT_BASEMAP: BasemapOut = {
  tiles: null,
  attribution: '',
  coordinateSystem: 'wgs84',
  center: { lat: 22.54, lon: 114.05 },
  zoom: 12,
  background: '#1b2330',
  geojson: null,
  geojsonError: null,
  fileError: null,
};

const lineFeature = (from: [number, number], to: [number, number]): Feature => ({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [from, to] } });

/** Graticule lines every `step` degrees within `span` degrees of the centre: a parallel and a meridian per step. */
function grid(center: { lat: number; lon: number }, step: number, span: number) {
  const features: Feature[] = [];
  const lat0 = Math.floor((center.lat - span) / step) * step;
  const lon0 = Math.floor((center.lon - span) / step) * step;
  const n = Math.ceil((2 * span) / step) + 1;
  for (let i = 0; i <= n; i++) {
    const lat = lat0 + i * step;
    const lon = lon0 + i * step;
    features.push(lineFeature([lon0, lat], [lon0 + n * step, lat]), lineFeature([lon, lat0], [lon, lat0 + n * step]));
  }
  return { type: 'FeatureCollection' as const, features };
}

/** Layer ids of the offline basemap that carry a `name` (for the hover label). */
export const NAMED_BASEMAP_LAYERS = ['basemap-districts-fill', 'basemap-roads', ...namedStreetLayers(['transportation', 'roads', 'park'])];

export function basemapStyle(b: BasemapOut, projector: Projector): StyleSpecification {
  const sources: Record<string, SourceSpecification> = {
    // the grid is drawn in map coordinates: it is a reference, not a position
    'basemap-grid-fine': { type: 'geojson', data: grid(b.center, 0.01, 0.3) },
    'basemap-grid-coarse': { type: 'geojson', data: grid(b.center, 0.1, 3) },
  };
  const layers: LayerSpecification[] = [{ id: 'basemap-background', type: 'background', paint: { 'background-color': b.background } }];

  if (b.tiles?.kind === 'raster') {
    sources['basemap-tiles'] = {
      type: 'raster',
      tiles: [b.tiles.url],
      tileSize: b.tiles.tileSize,
      minzoom: b.tiles.minzoom,
      maxzoom: b.tiles.maxzoom,
      attribution: b.attribution || undefined,
    };
    layers.push({ id: 'basemap-tiles', type: 'raster', source: 'basemap-tiles' });
  } else if (b.tiles?.kind === 'vector') {
    sources['basemap-tiles'] = { type: 'vector', tiles: [b.tiles.url], minzoom: b.tiles.minzoom, maxzoom: b.tiles.maxzoom, attribution: b.attribution || undefined };
    layers.push(...streetLayers(b.tiles.vectorLayers));
  }

  const withTiles = !!b.tiles;
  layers.push(
    { id: 'basemap-grid-coarse', type: 'line', source: 'basemap-grid-coarse', maxzoom: 11, paint: { 'line-color': '#3a4a60', 'line-width': 1, 'line-opacity': withTiles ? 0.3 : 0.8 } },
    { id: 'basemap-grid-fine', type: 'line', source: 'basemap-grid-fine', minzoom: 11, paint: { 'line-color': '#2c394b', 'line-width': 1, 'line-opacity': withTiles ? 0.3 : 0.9 } },
  );

  if (b.geojson) {
    sources['basemap-geojson'] = { type: 'geojson', data: projectFeatureCollection(b.geojson as unknown as FeatureCollection, projector) };
    const polygon: ['==', ['geometry-type'], string] = ['==', ['geometry-type'], 'Polygon'];
    const line: ['==', ['geometry-type'], string] = ['==', ['geometry-type'], 'LineString'];
    layers.push(
      { id: 'basemap-districts-fill', type: 'fill', source: 'basemap-geojson', filter: polygon, paint: { 'fill-color': '#2a3a52', 'fill-opacity': withTiles ? 0.1 : 0.45 } },
      { id: 'basemap-districts-line', type: 'line', source: 'basemap-geojson', filter: polygon, paint: { 'line-color': '#5f7594', 'line-width': 1.2, 'line-dasharray': [3, 2] } },
      {
        id: 'basemap-roads',
        type: 'line',
        source: 'basemap-geojson',
        filter: line,
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': ['match', ['get', 'class'], 'ring', '#c9a227', '#8b97a8'],
          'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1.5, 15, 6],
          'line-opacity': withTiles ? 0.4 : 0.85,
        },
      },
    );
  }

  return { version: 8, sources, layers };
}
