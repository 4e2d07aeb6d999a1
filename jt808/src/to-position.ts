// A decoded 0x0200 → the hub's position (config/src/wire.ts PositionMessageSchema), with the
// known additional items as its vehicle readings, and every item kept beside it. Values the
// schema cannot hold (a speed over 540 km/h, a direction of 360 or more, an altitude over 20 km)
// are left out of the position, not refused: the raw report still has them.
import type { PositionMessage, VehicleReadings } from '@hub/config';
import { Jt808Error } from './errors';
import { readKnownItems, StatusBit, type KnownItems, type LocationReport } from './messages/location';

export interface Jt808Position {
  /** passes PositionMessageSchema */
  position: PositionMessage;
  /** the additional items: the known ones as numbers, every item (known or not) as hex by its id (e.g. "30": "1f") */
  additional: KnownItems & { raw: Record<string, string> };
  /** status bit 1: whether the terminal had a valid fix (the gateway decides what to store without one) */
  fix: boolean;
}

const KMH_PER_MS = 3.6;
/** PositionMessageSchema's bounds */
const MAX_SPEED_MS = 150;
const ALT_RANGE = [-1000, 20000] as const;
const MAX_RECORDER_KMH = 600;

export function toPosition(unitId: string, report: LocationReport): Jt808Position {
  if (report.time === null) throw new Jt808Error('bad_field', 'the position carries no time (all zeros): it cannot be placed in time');
  const position: PositionMessage = { unitId, ts: report.time.getTime(), lat: report.latitude, lon: report.longitude };
  const speed = report.speedKmh / KMH_PER_MS;
  if (speed <= MAX_SPEED_MS) position.speed = speed;
  if (report.direction < 360) position.heading = report.direction;
  if (report.altitude >= ALT_RANGE[0] && report.altitude <= ALT_RANGE[1]) position.alt = report.altitude;
  const fix = (report.status & StatusBit.fix) !== 0;
  const flags = [...(report.status & StatusBit.acc ? ['acc_on'] : []), ...(fix ? [] : ['no_fix'])];
  if (flags.length > 0) position.flags = flags;
  const raw: Record<string, string> = {};
  for (const item of report.items) raw[item.id.toString(16).padStart(2, '0')] = item.value.toString('hex');
  const known = readKnownItems(report.items);
  const vehicle = vehicleReadings(known);
  if (vehicle) position.vehicle = vehicle;
  return { position, additional: { ...known, raw }, fix };
}

/** The known additional items the position keeps (config's VehicleReadingsSchema), within its bounds; undefined when none. */
function vehicleReadings(known: KnownItems): VehicleReadings | undefined {
  const v: VehicleReadings = {};
  if (known.mileageKm !== undefined) v.odometerKm = known.mileageKm;
  if (known.fuelL !== undefined) v.fuelL = known.fuelL;
  // a recorder speed past the schema's bound is a faulty tachograph: kept in the raw report only
  if (known.recorderSpeedKmh !== undefined && known.recorderSpeedKmh <= MAX_RECORDER_KMH) v.recorderSpeedKmh = known.recorderSpeedKmh;
  if (known.signal !== undefined) v.signal = known.signal;
  if (known.satellites !== undefined) v.satellites = known.satellites;
  return Object.keys(v).length > 0 ? v : undefined;
}
