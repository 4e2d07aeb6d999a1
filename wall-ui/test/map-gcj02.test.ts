// WGS-84 → GCJ-02 against published reference pairs:
// - googollee/eviltransform's test table (Shanghai, Shenzhen, Beijing), also used by its PHP and Python ports;
// - wandergis/coordtransform's README example (116.404, 39.915), also hutool's CoordinateUtilTest.
import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, outOfChina, wgs84ToGcj02 } from '@hub/config';

const EVILTRANSFORM: [wgsLat: number, wgsLon: number, gcjLat: number, gcjLon: number][] = [
  [31.1774276, 121.5272106, 31.17530398364597, 121.531541859215], // Shanghai
  [22.543847, 113.912316, 22.540796131694766, 113.9171764808363], // Shenzhen
  [39.911954, 116.377817, 39.91334545536069, 116.38404722455657], // Beijing
];

describe('GCJ-02', () => {
  it.each(EVILTRANSFORM)('shifts WGS-84 %f,%f to the reference GCJ-02 point', (wLat, wLon, gLat, gLon) => {
    const g = wgs84ToGcj02(wLat, wLon);
    expect(g.lat).toBeCloseTo(gLat, 9);
    expect(g.lon).toBeCloseTo(gLon, 9);
  });

  it('matches coordtransform for (116.404, 39.915)', () => {
    const g = wgs84ToGcj02(39.915, 116.404);
    expect(g.lon).toBeCloseTo(116.41024449916938, 9);
    expect(g.lat).toBeCloseTo(39.91640428150164, 9);
  });

  it.each(EVILTRANSFORM)('converts a GCJ-02 click back to WGS-84 %f,%f', (wLat, wLon, gLat, gLon) => {
    const w = gcj02ToWgs84(gLat, gLon);
    expect(w.lat).toBeCloseTo(wLat, 8);
    expect(w.lon).toBeCloseTo(wLon, 8);
  });

  it('leaves points outside China unchanged', () => {
    expect(outOfChina(51.5072, -0.1276)).toBe(true);
    expect(wgs84ToGcj02(51.5072, -0.1276)).toEqual({ lat: 51.5072, lon: -0.1276 });
    expect(gcj02ToWgs84(-33.86, 151.21)).toEqual({ lat: -33.86, lon: 151.21 });
  });
});
