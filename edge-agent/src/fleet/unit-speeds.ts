// How fast a simulated unit moves: as its kind does in a city, so that a demo is not an alarm
// flood. Body cams walk (4-6 km/h); patrol cars drive 29-54 km/h on their loops, under the
// hub's default vehicle limit (alarms.overspeedKmh.vehicle, 80); a car told to speed drives
// 90-101 km/h, over it.
import type { UnitType } from '@hub/config';
import { seededRandom } from '../gps/routes';

/** The simulator's kind for unit number `index` (0-based): every fifth is a body cam. */
export function simulatedUnitType(index: number): UnitType {
  return index % 5 === 4 ? 'bodycam' : 'vehicle';
}

/** m/s for unit number `index` of `type`; `routeSpeed` is its loop's car speed. */
export function unitSpeed(type: UnitType, index: number, routeSpeed: number, speeding: boolean): number {
  const rnd = seededRandom(index + 101)();
  if (type === 'bodycam') return Math.round((1.1 + rnd * 0.6) * 10) / 10;
  if (speeding) return Math.round((25 + rnd * 3) * 10) / 10;
  return routeSpeed;
}
