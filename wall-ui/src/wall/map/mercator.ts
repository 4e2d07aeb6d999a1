// Web Mercator as MapLibre places things (x, y in [0, 1] across the world, y down), without
// the map: the units' grid clustering and hit-testing are pure and run in tests without a
// browser. The same formulas as MapLibre's MercatorCoordinate, so both agree to the bit.

export interface MercatorPoint {
  x: number;
  y: number;
}

export function mercatorFromLngLat(lon: number, lat: number): MercatorPoint {
  return {
    x: (180 + lon) / 360,
    y: (180 - (180 / Math.PI) * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360))) / 360,
  };
}

export function lngLatFromMercator(x: number, y: number): { lon: number; lat: number } {
  const y2 = 180 - y * 360;
  return { lon: x * 360 - 180, lat: (360 / Math.PI) * Math.atan(Math.exp((y2 * Math.PI) / 180)) - 90 };
}

/** The world's edge in px at a zoom (MapLibre's tiles are 512 px). */
export function worldSize(zoom: number): number {
  return 512 * Math.pow(2, zoom);
}
