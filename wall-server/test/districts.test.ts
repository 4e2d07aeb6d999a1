// The district a point lies in, from a basemap GeoJSON: polygons and multipolygons named as
// districts, holes respected, other features (roads, unnamed shapes) ignored.
import { describe, expect, it } from 'vitest';
import { districtMap } from '../src/basemap/districts';
import { readBasemapGeojson, sampleCityGeojsonPath } from '../src/basemap/geojson';

const square = (w: number, s: number, e: number, n: number) => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s],
];

describe('districtMap', () => {
  it('finds the sample city’s districts by point', async () => {
    const { geojson, geojsonError } = await readBasemapGeojson(sampleCityGeojsonPath());
    expect(geojsonError).toBeNull();
    const d = districtMap(geojson);
    expect(d.names).toHaveLength(9);
    expect(d.at(22.54, 114.05)).toBe('Centre district (illustrative)');
    expect(d.at(22.515, 114.075)).toBe('South-East district (illustrative)');
    expect(d.at(22.6, 114.05)).toBeNull(); // north of the sample city
  });

  it('reads multipolygons and holes, and skips what is not a named district', () => {
    const d = districtMap({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { kind: 'road', name: 'Ring road' },
          geometry: {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [5, 5],
            ],
          },
        },
        { type: 'Feature', properties: { kind: 'district' }, geometry: { type: 'Polygon', coordinates: [square(0, 0, 10, 10)] } },
        { type: 'Feature', properties: { kind: 'district', name: 'Islands' }, geometry: { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(5, 5, 6, 6)]] } },
        { type: 'Feature', properties: { kind: 'district', name: 'Ring' }, geometry: { type: 'Polygon', coordinates: [square(2, 2, 4, 4), square(2.5, 2.5, 3.5, 3.5)] } },
        { type: 'Feature', properties: { kind: 'district', name: 'Broken' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1]]] } },
      ],
    });
    expect(d.names).toEqual(['Islands', 'Ring']);
    expect(d.at(0.5, 0.5)).toBe('Islands');
    expect(d.at(5.5, 5.5)).toBe('Islands');
    expect(d.at(2.2, 2.2)).toBe('Ring');
    expect(d.at(3, 3)).toBeNull(); // in the ring's hole
    expect(d.at(8, 8)).toBeNull();
  });

  it('has no districts without a GeoJSON', () => {
    expect(districtMap(null).at(22.54, 114.05)).toBeNull();
  });
});
