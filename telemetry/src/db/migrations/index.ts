// Every migration, in order of application. Append only: an applied migration never changes.
import { core } from './001_core';
import { positions } from './002_positions';
import { positionsHourly } from './003_positions_hourly';
import { operators } from './004_operators';
import { recordings } from './005_recordings';
import { presets } from './007_presets';
import { streams } from './008_streams';
import { incidents } from './006_incidents';
import type { Migration } from './types';

export type { Migration, MigrationContext } from './types';

export const migrations: readonly Migration[] = [core, positions, positionsHourly, operators, recordings, incidents, presets, streams];
