// Great-circle distance (haversine, mean Earth radius 6,371,008.8 m: IUGG).
const R = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The same distance as an SQL expression of ($lat, $lon) and columns (lat, lon). */
export function distanceSql(latParam: string, lonParam: string, latCol: string, lonCol: string): string {
  return `(2 * ${R} * asin(least(1, sqrt(
      power(sin(radians(${latCol} - ${latParam}) / 2), 2)
    + cos(radians(${latParam})) * cos(radians(${latCol})) * power(sin(radians(${lonCol} - ${lonParam}) / 2), 2)))))`;
}
