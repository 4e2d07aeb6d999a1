// Telemetry's migrations, in order of application. Append only: an applied migration never changes.
// (Incidents and presets move to their own packages with their tables.)
import type { Migration } from '@hub/platform';
import { core } from './001_core';
import { positions } from './002_positions';
import { positionsHourly } from './003_positions_hourly';
import { incidents } from './004_incidents';
import { presets } from './005_presets';

export const telemetryMigrations: readonly Migration[] = [core, positions, positionsHourly, incidents, presets];
