// The great-circle distance of config/src/geo.ts as an SQL expression, with the same Earth radius.
import { EARTH_RADIUS_M } from '@hub/config';

/** Distance in metres between ($lat, $lon) parameters and (lat, lon) columns. */
export function distanceSql(latParam: string, lonParam: string, latCol: string, lonCol: string): string {
  return `(2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(
      power(sin(radians(${latCol} - ${latParam}) / 2), 2)
    + cos(radians(${latParam})) * cos(radians(${latCol})) * power(sin(radians(${lonCol} - ${lonParam}) / 2), 2)))))`;
}
