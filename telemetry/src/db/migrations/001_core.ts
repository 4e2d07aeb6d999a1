import type { Migration } from '@hub/platform';

/** Units, their latest position, geofences and alarms: the same on both branches. */
// Unit ids are [A-Za-z0-9_.-] (UnitIdSchema): byte order ("C") sorts them sensibly and
// makes the hot primary keys cheaper to maintain than a linguistic collation would.
export const core: Migration = {
  id: 'telemetry.001_core',
  replaces: ['001_core'],
  up: () => [
    `CREATE TABLE units (
       id text COLLATE "C" PRIMARY KEY,
       name text NOT NULL,
       type text NOT NULL CHECK (type IN ('vehicle', 'bodycam')),
       team text,
       district text,
       disabled boolean NOT NULL DEFAULT false,
       secret_hash text,
       online boolean NOT NULL DEFAULT false,
       status_changed_at timestamptz,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    // One row per unit: the latest position without searching the time series. Every
    // batch rewrites most rows: fillfactor 50 leaves room on each page for HOT updates,
    // which skip the index (measured: about twice as fast as the default 100).
    `CREATE TABLE unit_latest (
       unit_id text COLLATE "C" PRIMARY KEY,
       ts timestamptz NOT NULL,
       lat double precision NOT NULL,
       lon double precision NOT NULL,
       speed double precision,
       heading double precision,
       accuracy double precision,
       alt double precision,
       battery double precision,
       flags text[],
       received_at timestamptz NOT NULL DEFAULT now()
     ) WITH (fillfactor = 50)`,
    `CREATE TABLE geofences (
       id serial PRIMARY KEY,
       name text NOT NULL,
       geometry jsonb NOT NULL,
       min_lon double precision NOT NULL,
       min_lat double precision NOT NULL,
       max_lon double precision NOT NULL,
       max_lat double precision NOT NULL,
       alarm_on_enter boolean NOT NULL DEFAULT true,
       alarm_on_exit boolean NOT NULL DEFAULT true,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX geofences_bbox ON geofences (min_lon, max_lon, min_lat, max_lat)`,
    // No foreign key to units: an alarm outlives any change to its unit.
    `CREATE TABLE alarms (
       id bigserial PRIMARY KEY,
       unit_id text COLLATE "C" NOT NULL,
       kind text NOT NULL,
       ts timestamptz NOT NULL,
       lat double precision,
       lon double precision,
       details jsonb NOT NULL DEFAULT '{}'::jsonb,
       created_at timestamptz NOT NULL DEFAULT now(),
       acknowledged_at timestamptz,
       acknowledged_by text,
       note text
     )`,
    `CREATE INDEX alarms_ts ON alarms (ts DESC, id DESC)`,
    `CREATE INDEX alarms_unit_ts ON alarms (unit_id, ts DESC)`,
    `CREATE INDEX alarms_kind_ts ON alarms (kind, ts DESC)`,
    `CREATE INDEX alarms_unacknowledged_ts ON alarms (ts DESC) WHERE acknowledged_at IS NULL`,
  ],
};
