// A dark street style for a city's vector tiles, for the names of the two common schemas:
// OpenMapTiles (water, park, landcover, landuse, building, waterway, transportation with
// `class`) and Protomaps' basemap (earth, water, landuse, buildings, roads with `kind`).
// Roads are drawn by class, a darker casing under a lighter line, wider as one zooms in, so
// an avenue reads as an avenue. A source layer it does not know is drawn as thin outlines.
import type { ExpressionSpecification, LayerSpecification } from 'maplibre-gl';

const SOURCE = 'basemap-tiles';
const polygon: ExpressionSpecification = ['==', ['geometry-type'], 'Polygon'];

const AREAS: Record<string, string> = {
  earth: '#1b2330',
  landcover: '#1d2b2a',
  landuse: '#202a36',
  park: '#1e3327',
  water: '#14304d',
  building: '#2c3646',
  buildings: '#2c3646',
};
const WATERWAYS = new Set(['waterway']);
const ROADS = new Set(['transportation', 'roads']);

/** The road's class from either schema (OpenMapTiles `class`, Protomaps `kind`). */
const roadClass: ExpressionSpecification = ['coalesce', ['get', 'class'], ['get', 'kind'], 'minor'];

/** Line width in pixels by class, at zoom 10 and zoom 17. */
function width(major: number, minor: number, factor = 1): ExpressionSpecification {
  return [
    'interpolate',
    ['exponential', 1.5],
    ['zoom'],
    10,
    ['match', roadClass, ['motorway', 'trunk', 'highway'], major * 0.5 * factor, ['primary', 'major_road'], major * 0.35 * factor, minor * 0.2 * factor],
    17,
    ['match', roadClass, ['motorway', 'trunk', 'highway'], major * 2 * factor, ['primary', 'major_road'], major * 1.6 * factor, ['secondary', 'tertiary'], major * 1.2 * factor, minor * factor],
  ];
}

const roadColour: ExpressionSpecification = [
  'match',
  roadClass,
  ['motorway', 'trunk', 'highway'],
  '#c99a3b',
  ['primary', 'major_road'],
  '#a8b3c2',
  ['secondary', 'tertiary'],
  '#8794a6',
  ['path', 'track', 'footway'],
  '#4d5a6b',
  '#6b778a',
];

/** The layers drawing `sourceLayers` of the vector source, areas first, then waterways, then roads. */
export function streetLayers(sourceLayers: string[]): LayerSpecification[] {
  const areas: LayerSpecification[] = [];
  const lines: LayerSpecification[] = [];
  const roads: LayerSpecification[] = [];
  // water over land use, buildings over both
  const order = (l: string) => ['earth', 'landcover', 'landuse', 'park', 'water', 'building', 'buildings'].indexOf(l);
  for (const layer of [...sourceLayers].sort((a, b) => order(a) - order(b))) {
    const base = { source: SOURCE, 'source-layer': layer };
    if (AREAS[layer]) {
      areas.push({ id: `basemap-vt-${layer}`, type: 'fill', ...base, filter: polygon, paint: { 'fill-color': AREAS[layer], 'fill-opacity': 0.95 } });
    } else if (WATERWAYS.has(layer)) {
      lines.push({ id: `basemap-vt-${layer}`, type: 'line', ...base, paint: { 'line-color': '#1f4a73', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 16, 4] } });
    } else if (ROADS.has(layer)) {
      const layout = { 'line-cap': 'round', 'line-join': 'round' } as const;
      const lineOnly: ExpressionSpecification = ['==', ['geometry-type'], 'LineString'];
      roads.push(
        { id: `basemap-vt-${layer}-casing`, type: 'line', ...base, filter: lineOnly, layout, paint: { 'line-color': '#0d1218', 'line-width': width(8, 4, 1.4) } },
        { id: `basemap-vt-${layer}`, type: 'line', ...base, filter: lineOnly, layout, paint: { 'line-color': roadColour, 'line-width': width(8, 4) } },
      );
    } else {
      areas.push(
        { id: `basemap-vt-${layer}-fill`, type: 'fill', ...base, filter: polygon, paint: { 'fill-color': '#243042', 'fill-opacity': 0.6 } },
        { id: `basemap-vt-${layer}-line`, type: 'line', ...base, paint: { 'line-color': '#4a5d78', 'line-width': 1 } },
      );
    }
  }
  return [...areas, ...lines, ...roads];
}

/** Road layers of the street style, whose `name` the hover label shows (no glyphs offline). */
export function namedStreetLayers(sourceLayers: string[]): string[] {
  return sourceLayers.filter((l) => ROADS.has(l) || l === 'park').map((l) => `basemap-vt-${l}`);
}
