import type { Migration } from '@hub/platform';

/**
 * Each unit's stream id: opaque and random (issued by the hub at the unit's first
 * stream), so that a unit id, which is printed on the vehicle, does not give away the
 * address of its video. Kept across restarts so that walls and agents reconnect to it.
 */
export const streams: Migration = {
  id: 'hub.001_streams',
  replaces: ['008_streams'],
  after: ['telemetry.001_core'],
  up: () => [
    `CREATE TABLE unit_streams (
       stream_id text COLLATE "C" PRIMARY KEY,
       unit_id text COLLATE "C" NOT NULL UNIQUE REFERENCES units (id) ON DELETE CASCADE,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
};
