import type { Migration } from '@hub/platform';

/**
 * Flood control counts an alarm's repeats on the alarm instead of storing each one: how many
 * and when the newest came. The alarms table itself is telemetry's (001_core), older than this
 * package.
 */
export const repeats: Migration = {
  id: 'alarms.001_repeats',
  after: ['telemetry.001_core'],
  up: () => [`ALTER TABLE alarms ADD COLUMN repeats integer NOT NULL DEFAULT 0`, `ALTER TABLE alarms ADD COLUMN last_repeat_at timestamptz`],
};
