import type { Migration } from '@hub/platform';

/**
 * A vehicle's readings with a fix (config's VehicleReadingsSchema: odometer, fuel, recorder
 * speed, signal, satellites), one jsonb beside the position: most units report none, and a
 * column per reading would grow with every terminal's additional item. Nullable without a
 * default, so TimescaleDB adds it to a compressed hypertable without rewriting it.
 */
export const vehicleReadings: Migration = {
  id: 'telemetry.005_vehicle_readings',
  after: ['telemetry.002_positions'],
  up: () => [`ALTER TABLE positions ADD COLUMN vehicle jsonb`, `ALTER TABLE unit_latest ADD COLUMN vehicle jsonb`],
};
