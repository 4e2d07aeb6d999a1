// The wall's tables: each operator's layout presets.
import type { Migration } from '@hub/platform';
import { presets } from './001_presets';

export const wallMigrations: readonly Migration[] = [presets];
