import type { Migration } from '@hub/platform';

/**
 * Server-side recordings of live streams (media-server/src/recording) and their HLS
 * segments, each hashed (SHA-256) as it closed. The same on both branches.
 */
// incident_id is text and has no foreign key: the media server knows nothing of incidents
// (the hub passes the id through). No foreign key to units either: a recording outlives its unit.
export const recordings: Migration = {
  id: 'media.001_recordings',
  replaces: ['005_recordings'],
  up: () => [
    `CREATE TABLE recordings (
       id uuid PRIMARY KEY,
       stream_id text COLLATE "C" NOT NULL,
       unit_id text COLLATE "C" NOT NULL,
       incident_id text,
       reason text NOT NULL,
       started_at timestamptz NOT NULL,
       ended_at timestamptz,
       codec text,
       transcoded boolean,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX recordings_started ON recordings (started_at DESC)`,
    `CREATE INDEX recordings_stream_started ON recordings (stream_id, started_at DESC)`,
    `CREATE INDEX recordings_unit_started ON recordings (unit_id, started_at DESC)`,
    `CREATE INDEX recordings_incident ON recordings (incident_id) WHERE incident_id IS NOT NULL`,
    `CREATE INDEX recordings_ended ON recordings (ended_at) WHERE ended_at IS NOT NULL`,
    // path is relative to the recordings folder (dataDir/recordings), so the folder can move
    `CREATE TABLE recording_segments (
       recording_id uuid NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
       seq integer NOT NULL,
       part integer NOT NULL,
       started_at timestamptz NOT NULL,
       duration_ms integer NOT NULL,
       path text NOT NULL,
       bytes bigint NOT NULL,
       sha256 text NOT NULL,
       PRIMARY KEY (recording_id, seq)
     )`,
  ],
};
