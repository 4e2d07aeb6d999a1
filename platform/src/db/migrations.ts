// Versioned schema migrations of every package, applied by one runner at every start. Each
// package owns its migrations (ids prefixed by the package, `after` naming what they build on);
// the hub hands the runner all of them. Each is applied once, in its own transaction, and
// recorded in schema_migrations with the branch it was written for. A session advisory lock
// makes hubs that start together take turns.
import pg from 'pg';
import type { Queryable } from './queryable';

/** What a migration's SQL may depend on: the branch, chosen once, and the settings. */
export interface MigrationContext {
  /** true on TimescaleDB (hypertables), false on plain PostgreSQL (native partitions) */
  timescale: boolean;
  /** days of positions to keep; a positive integer */
  retentionDays: number;
}

/** One versioned step of the schema, applied once, in one transaction. Append only: an applied migration never changes. */
export interface Migration {
  /** `<package>.<NNN>_<what>`, recorded in schema_migrations */
  id: string;
  /** ids this step had before (when the packages did not own their migrations yet); a database that recorded one has it */
  replaces?: readonly string[];
  /** ids of the steps this one builds on (tables it references); they are applied first */
  after?: readonly string[];
  /** the statements, one per query (PGlite's extended protocol takes one at a time) */
  up(ctx: MigrationContext): string[];
}

/** A migration (or the setup around it) failed; `cause` is the database's error. */
export class MigrationError extends Error {
  readonly code = 'HUB_ERR_DB_MIGRATION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/**
 * The order of application: every step after the steps it names in `after`, otherwise in the
 * order given. Refuses duplicate ids, unknown `after` ids and cycles.
 */
export function orderMigrations(list: readonly Migration[]): Migration[] {
  const byId = new Map<string, Migration>();
  for (const m of list) {
    if (byId.has(m.id)) throw new MigrationError(`two migrations have the id ${m.id}`);
    byId.set(m.id, m);
  }
  const ordered: Migration[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: Migration, from?: string) => {
    const s = state.get(m.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new MigrationError(`migrations depend on each other in a cycle through ${m.id}`);
    state.set(m.id, 'visiting');
    for (const dep of m.after ?? []) {
      const d = byId.get(dep);
      if (!d) throw new MigrationError(`migration ${m.id} comes after ${dep}, which is not among the migrations given${from ? ` (reached from ${from})` : ''}`);
      visit(d, m.id);
    }
    state.set(m.id, 'done');
    ordered.push(m);
  };
  for (const m of list) visit(m);
  return ordered;
}

export type Branch = 'timescaledb' | 'postgresql';

export interface ApplyResult {
  /** true when the schema is on TimescaleDB */
  timescale: boolean;
  /** ids applied by this call, in order; empty when the schema was up to date */
  applied: string[];
  /** ids recorded before this call (legacy ids already renamed to their new ones) */
  before: ReadonlySet<string>;
}

// Arbitrary constant shared by every hub: the key of the migration lock.
const LOCK_KEY = 7_236_051_453_001;

/** Runs `fn` on one connection: a pool lends a client, anything else is one already. */
export async function onOneConnection<T>(db: Queryable, fn: (conn: Queryable) => Promise<T>): Promise<T> {
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

/**
 * Applies the steps not yet recorded, in their order. A database made before the packages
 * owned their migrations recorded the old ids: those rows take the new ids first, in one
 * transaction, so that nothing is applied twice.
 */
export async function applyMigrations(db: Queryable, list: readonly Migration[], retentionDays: number): Promise<ApplyResult> {
  const steps = orderMigrations(list);
  return onOneConnection(db, async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        id text PRIMARY KEY,
        branch text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const renames = steps.filter((m) => (m.replaces?.length ?? 0) > 0);
      if (renames.length > 0) {
        await conn.query('BEGIN');
        try {
          for (const m of renames) await conn.query('UPDATE schema_migrations SET id = $1 WHERE id = ANY($2::text[])', [m.id, m.replaces]);
          await conn.query('COMMIT');
        } catch (err) {
          await conn.query('ROLLBACK').catch(() => {});
          throw new MigrationError(`could not rename the recorded migrations: ${(err as Error).message}`, { cause: err });
        }
      }
      const { rows } = await conn.query<{ id: string; branch: Branch }>('SELECT id, branch FROM schema_migrations ORDER BY applied_at, id');
      const before = new Set(rows.map((r) => r.id));
      // The branch is chosen once, by the first migration applied; installing
      // TimescaleDB later does not convert an existing plain schema.
      const branch: Branch = rows[0]?.branch ?? (await detectBranch(conn));
      const ctx: MigrationContext = { timescale: branch === 'timescaledb', retentionDays };
      const applied: string[] = [];
      for (const m of steps) {
        if (before.has(m.id)) continue;
        await applyOne(conn, m, ctx, branch);
        applied.push(m.id);
      }
      return { timescale: ctx.timescale, applied, before };
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
}
