import type { Migration } from '@hub/platform';

// No foreign key to units: positions of a unit deleted later must not fail the ingest.
const columns = `
  unit_id text COLLATE "C" NOT NULL,
  ts timestamptz NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed double precision,
  heading double precision,
  accuracy double precision,
  alt double precision,
  battery double precision,
  flags text[],
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_id, ts)`;

/**
 * The time series. TimescaleDB: a hypertable of 1-day chunks, compressed per unit after
 * 7 days, dropped after the retention. PostgreSQL: range partitions by day (made by
 * partitions.ts) with a BRIN index on ts, dropped by `maintain()`.
 */
export const positions: Migration = {
  id: 'telemetry.002_positions',
  replaces: ['002_positions'],
  after: ['telemetry.001_core'],
  up: ({ timescale, retentionDays }) =>
    timescale
      ? [
          `CREATE TABLE positions (${columns})`,
          // the pre-2.13 call form: still accepted by current releases, and by older ones
          `SELECT create_hypertable('positions', 'ts', chunk_time_interval => INTERVAL '1 day')`,
          `ALTER TABLE positions SET (
             timescaledb.compress,
             timescaledb.compress_segmentby = 'unit_id',
             timescaledb.compress_orderby = 'ts DESC'
           )`,
          `SELECT add_compression_policy('positions', INTERVAL '7 days')`,
          `SELECT add_retention_policy('positions', INTERVAL '${retentionDays} days')`,
        ]
      : [`CREATE TABLE positions (${columns}) PARTITION BY RANGE (ts)`, `CREATE INDEX positions_ts_brin ON positions USING brin (ts)`],
};
