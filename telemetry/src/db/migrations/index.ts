// Telemetry's migrations, in order of application. Append only: an applied migration never changes.
import type { Migration } from '@hub/platform';
import { core } from './001_core';
import { positions } from './002_positions';
import { positionsHourly } from './003_positions_hourly';
import { jt808Terminals } from './004_jt808_terminals';
import { vehicleReadings } from './005_vehicle_readings';
import { jt808Channels } from './006_jt808_channels';

export const telemetryMigrations: readonly Migration[] = [core, positions, positionsHourly, jt808Terminals, vehicleReadings, jt808Channels];
