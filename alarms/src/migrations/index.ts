// The alarms package's migrations, in order of application. Append only.
import type { Migration } from '@hub/platform';
import { repeats } from './001_repeats';

export const alarmMigrations: readonly Migration[] = [repeats];
