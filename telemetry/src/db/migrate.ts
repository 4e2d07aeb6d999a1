// Versioned schema migrations, run at every start. Each is applied once, in its own
// transaction, and recorded in schema_migrations with the branch it was written for.
// A session advisory lock makes hubs that start together take turns.
import pg from 'pg';
import type { Queryable } from '../store/types';
import { migrations as allMigrations, type Migration, type MigrationContext } from './migrations/index';
import { forgetPartitions, maintain } from './partitions';

/** A migration (or the setup around it) failed; `cause` is the database's error. */
export class MigrationError extends Error {
  readonly code = 'HUB_ERR_DB_MIGRATION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export interface MigrateOptions {
  /** days of positions to keep (TimescaleDB retention policy, or partition drops) */
  retentionDays: number;
  /** the steps to apply; default: every migration of this package (tests pass fewer) */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** true when positions is a TimescaleDB hypertable */
  timescale: boolean;
  /** ids applied by this call, in order; empty when the schema was up to date */
  applied: string[];
}

// Arbitrary constant shared by every hub: the key of the migration lock.
const LOCK_KEY = 7_236_051_453_001;
type Branch = 'timescaledb' | 'postgresql';

/** Runs `fn` on one connection: a pool lends a client, anything else is one already. */
async function onOneConnection<T>(db: Queryable, fn: (conn: Queryable) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return fn(db);
  const client = await db.connect();
  let failed: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    failed = err as Error;
    throw err;
  } finally {
    // A failed client may still hold the session lock: destroy it rather than pool it.
    client.release(failed);
  }
}

/**
 * TimescaleDB when the server offers the extension and lets us create it; otherwise
 * plain PostgreSQL. `CREATE EXTENSION` also fails where the library is not in
 * shared_preload_libraries, or the user may not create it: that is plain PostgreSQL too.
 */
async function detectBranch(conn: Queryable): Promise<Branch> {
  const { rows } = await conn.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  if (rows.length === 0) return 'postgresql';
  try {
    await conn.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    return 'timescaledb';
  } catch {
    return 'postgresql';
  }
}

async function applyOne(conn: Queryable, m: Migration, ctx: MigrationContext, branch: Branch): Promise<void> {
  await conn.query('BEGIN');
  try {
    for (const sql of m.up(ctx)) await conn.query(sql);
    await conn.query('INSERT INTO schema_migrations (id, branch) VALUES ($1, $2)', [m.id, branch]);
    await conn.query('COMMIT');
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => {});
    throw new MigrationError(`migration ${m.id} (${branch}) failed: ${(err as Error).message}`, { cause: err });
  }
}

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
  const steps = opts.migrations ?? allMigrations;
  const result = await onOneConnection(db, async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        id text PRIMARY KEY,
        branch text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await conn.query<{ id: string; branch: Branch }>('SELECT id, branch FROM schema_migrations');
      const done = new Set(rows.map((r) => r.id));
      // The branch is chosen once, by the first migration applied; installing
      // TimescaleDB later does not convert an existing plain schema.
      const branch: Branch = rows[0]?.branch ?? (await detectBranch(conn));
      const ctx: MigrationContext = { timescale: branch === 'timescaledb', retentionDays };
      const applied: string[] = [];
      for (const m of steps) {
        if (done.has(m.id)) continue;
        await applyOne(conn, m, ctx, branch);
        applied.push(m.id);
      }
      if (ctx.timescale && (done.has('002_positions') || applied.includes('002_positions'))) {
        await syncRetentionPolicy(conn, retentionDays);
      }
      return { timescale: ctx.timescale, applied };
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
  forgetPartitions(db);
  if (!result.timescale) await maintain(db, { retentionDays });
  return result;
}
