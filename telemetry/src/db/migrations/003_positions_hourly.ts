import type { Migration } from '@hub/platform';

/**
 * Hourly figures per unit: bucket, unit_id, count, avg_speed, max_speed, and the last
 * lat/lon of the hour. TimescaleDB: a continuous aggregate kept fresh by a policy
 * (WITH NO DATA, because WITH DATA cannot run inside the migration's transaction);
 * PostgreSQL: a plain view with the same columns.
 */
export const positionsHourly: Migration = {
  id: 'telemetry.003_positions_hourly',
  replaces: ['003_positions_hourly'],
  after: ['telemetry.002_positions'],
  up: ({ timescale, retentionDays }) =>
    timescale
      ? [
          `CREATE MATERIALIZED VIEW positions_hourly
             WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
           SELECT time_bucket(INTERVAL '1 hour', ts) AS bucket,
                  unit_id,
                  count(*) AS count,
                  avg(speed) AS avg_speed,
                  max(speed) AS max_speed,
                  last(lat, ts) AS lat,
                  last(lon, ts) AS lon
             FROM positions
            GROUP BY bucket, unit_id
           WITH NO DATA`,
          // refreshing a window that retention already dropped would empty those buckets
          `SELECT add_continuous_aggregate_policy('positions_hourly',
             start_offset => INTERVAL '${Math.min(3, retentionDays)} days',
             end_offset => INTERVAL '1 hour',
             schedule_interval => INTERVAL '1 hour')`,
        ]
      : [
          `CREATE VIEW positions_hourly AS
           SELECT date_trunc('hour', ts, 'UTC') AS bucket,
                  unit_id,
                  count(*) AS count,
                  avg(speed) AS avg_speed,
                  max(speed) AS max_speed,
                  (array_agg(lat ORDER BY ts DESC))[1] AS lat,
                  (array_agg(lon ORDER BY ts DESC))[1] AS lon
             FROM positions
            GROUP BY 1, 2`,
        ],
};
