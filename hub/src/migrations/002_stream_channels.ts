import type { Migration } from '@hub/platform';

/**
 * A stream per camera: a JT/T 808 terminal's logical channels (JT/T 1078-2016 Table 2; a truck
 * has several cameras) are each a stream of the unit, with an id of its own. Existing rows are
 * channel 1, the camera an MQTT unit has.
 */
export const streamChannels: Migration = {
  id: 'hub.002_stream_channels',
  after: ['hub.001_streams'],
  up: () => [
    `ALTER TABLE unit_streams ADD COLUMN channel smallint NOT NULL DEFAULT 1 CHECK (channel BETWEEN 1 AND 255)`,
    `ALTER TABLE unit_streams DROP CONSTRAINT unit_streams_unit_id_key`,
    `ALTER TABLE unit_streams ADD CONSTRAINT unit_streams_unit_channel_key UNIQUE (unit_id, channel)`,
  ],
};
