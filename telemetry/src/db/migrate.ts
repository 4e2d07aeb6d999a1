// Telemetry's side of the schema runner: applies the migrations it is given (every package's,
// from the hub; telemetry's and identity's by default) with @hub/platform's runner, then keeps
// the positions' retention: TimescaleDB's policy, or the partitions on plain PostgreSQL.
import { applyMigrations, MigrationError, onOneConnection, type Migration, type Queryable } from '@hub/platform';
import { identityMigrations } from '@hub/identity';
import { telemetryMigrations } from './migrations/index';
import { forgetPartitions, maintain } from './partitions';

export { MigrationError };

export interface MigrateOptions {
  /** days of positions to keep (TimescaleDB retention policy, or partition drops) */
  retentionDays: number;
  /** the steps to apply; default identity's and telemetry's (the hub passes every package's) */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** true when positions is a TimescaleDB hypertable */
  timescale: boolean;
  /** ids applied by this call, in order; empty when the schema was up to date */
  applied: string[];
}

/** identity's and telemetry's migrations: what telemetry's own tables need. */
export const defaultMigrations: readonly Migration[] = [...identityMigrations, ...telemetryMigrations];

/** A retention setting changed since the policy was made: replace the policy. */
async function syncRetentionPolicy(conn: Queryable, retentionDays: number): Promise<void> {
  const { rows } = await conn.query<{ same: boolean }>(
    `SELECT (config->>'drop_after')::interval = make_interval(days => $1) AS same
       FROM timescaledb_information.jobs
      WHERE proc_name = 'policy_retention' AND hypertable_name = 'positions'`,
    [retentionDays],
  );
  if (rows[0]?.same) return;
  await conn.query('BEGIN');
  try {
    await conn.query(`SELECT remove_retention_policy('positions', if_exists => true)`);
    await conn.query(`SELECT add_retention_policy('positions', INTERVAL '${retentionDays} days')`);
    await conn.query('COMMIT');
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => {});
    throw new MigrationError(`could not set the retention policy: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Brings the schema up to date and returns the branch in use. On plain PostgreSQL it
 * then makes the partitions around today and drops expired ones (see `maintain`).
 */
export async function migrate(db: Queryable, opts: MigrateOptions): Promise<MigrateResult> {
  const { retentionDays } = opts;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new MigrationError(`retentionDays must be a positive integer, got ${retentionDays}`);
  }
  const { timescale, applied, before } = await applyMigrations(db, opts.migrations ?? defaultMigrations, retentionDays);
  if (timescale && (before.has('telemetry.002_positions') || applied.includes('telemetry.002_positions'))) {
    await onOneConnection(db, (conn) => syncRetentionPolicy(conn, retentionDays));
  }
  forgetPartitions(db);
  if (!timescale) await maintain(db, { retentionDays });
  return { timescale, applied };
}
