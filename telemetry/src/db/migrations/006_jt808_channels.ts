import type { Migration } from '@hub/platform';

/** A JT/T 808 terminal's cameras: its JT/T 1078 logical channels, each a stream of the unit (default channel 1). */
export const jt808Channels: Migration = {
  id: 'telemetry.006_jt808_channels',
  after: ['telemetry.004_jt808_terminals'],
  up: () => [`ALTER TABLE units ADD COLUMN jt808_channels smallint[] NOT NULL DEFAULT '{1}' CHECK (cardinality(jt808_channels) BETWEEN 1 AND 36)`],
};
