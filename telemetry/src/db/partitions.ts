// Daily range partitions of `positions` on plain PostgreSQL (TimescaleDB makes its own
// chunks): made ahead of time and on demand for the days an insert needs, dropped for
// retention. On a hypertable every function here is a no-op.
import type { Queryable } from '../store/types';

const DAY_MS = 86_400_000;
const NAME_RE = /^positions_p(\d{4})(\d{2})(\d{2})$/;

interface PartitionState {
  /** true when positions is a natively partitioned table */
  partitioned: boolean;
  /** UTC day starts (epoch ms) known to have a partition */
  days: Set<number>;
}

// Per database handle (a pool, a client, a PGlite): partitions known to exist, so that
// a batch whose days are known costs no query.
const cache = new WeakMap<Queryable, Promise<PartitionState>>();

/** Start of the UTC day of `d`, in epoch ms. */
export function utcDay(d: Date | number): number {
  const t = typeof d === 'number' ? d : d.getTime();
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** `positions_pYYYYMMDD` of the UTC day starting at `day` (epoch ms). */
export function partitionName(day: number): string {
  return `positions_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function dayOfName(name: string): number | undefined {
  const m = NAME_RE.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/**
 * The oldest position timestamp still inside the retention window. The ingest refuses
 * older positions: their partition (or chunk) is, or is about to be, dropped.
 */
export function oldestAcceptedTs(retentionDays: number, now: Date = new Date()): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

async function loadState(db: Queryable): Promise<PartitionState> {
  const { rows } = await db.query<{ partitioned: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass('positions')) AS partitioned`);
  return { partitioned: rows[0]?.partitioned === true, days: new Set() };
}

function state(db: Queryable): Promise<PartitionState> {
  let s = cache.get(db);
  if (!s) {
    s = loadState(db);
    cache.set(db, s);
    s.catch(() => cache.delete(db));
  }
  return s;
}

/** Forget what is known about `db`'s partitions (after a migration, or a partition missing on insert). */
export function forgetPartitions(db: Queryable): void {
  cache.delete(db);
}

// Errors another session's simultaneous creation of the same partition can raise.
const RACE_CODES = new Set([
  '42P07', // duplicate_table
  '23505', // unique_violation on pg_class / pg_type
  '42P17', // invalid_object_definition: "would overlap partition"
]);

async function createPartition(db: Queryable, day: number): Promise<void> {
  const name = partitionName(day);
  const from = new Date(day).toISOString();
  const to = new Date(day + DAY_MS).toISOString();
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF positions FOR VALUES FROM ('${from}') TO ('${to}')`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!code || !RACE_CODES.has(code)) throw err;
    // Another hub made it at the same moment: fine if it is there now.
    const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [name]);
    if (!rows[0]?.ok) throw err;
  }
}

/** Makes sure a partition exists for the UTC day of each of `days`. */
export async function ensurePartitions(db: Queryable, days: Iterable<Date | number>): Promise<void> {
  const s = await state(db);
  if (!s.partitioned) return;
  const wanted = new Set<number>();
  for (const d of days) {
    const day = utcDay(d);
    if (!s.days.has(day)) wanted.add(day);
  }
  for (const day of [...wanted].sort((a, b) => a - b)) {
    await createPartition(db, day);
    s.days.add(day);
  }
}

/**
 * Drops the daily partitions whose whole day lies before the retention window
 * (`retentionDays` before `now`). Returns the names dropped.
 */
export async function dropExpiredPartitions(db: Queryable, retentionDays: number, now: Date = new Date()): Promise<string[]> {
  const s = await state(db);
  if (!s.partitioned) return [];
  const cutoff = oldestAcceptedTs(retentionDays, now).getTime();
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = to_regclass('positions') ORDER BY 1`,
  );
  const dropped: string[] = [];
  for (const { name } of rows) {
    const day = dayOfName(name);
    if (day === undefined || day + DAY_MS > cutoff) continue;
    await db.query(`DROP TABLE IF EXISTS ${name}`);
    s.days.delete(day);
    dropped.push(name);
  }
  return dropped;
}

export interface MaintainOptions {
  /** days of positions to keep */
  retentionDays: number;
  /** default: the current time */
  now?: Date;
}

/**
 * Plain-PostgreSQL upkeep, to run at start and then every hour or so: partitions for
 * today-2 … today+7, and retention. On TimescaleDB its background jobs do this: no-op.
 */
export async function maintain(db: Queryable, opts: MaintainOptions): Promise<{ dropped: string[] }> {
  const s = await state(db);
  if (!s.partitioned) return { dropped: [] };
  const today = utcDay(opts.now ?? new Date());
  // not before the oldest day still kept, or retention would drop what was just made
  const first = Math.max(today - 2 * DAY_MS, utcDay(oldestAcceptedTs(opts.retentionDays, opts.now)));
  const ahead: number[] = [];
  for (let day = first; day <= today + 7 * DAY_MS; day += DAY_MS) ahead.push(day);
  await ensurePartitions(db, ahead);
  const dropped = await dropExpiredPartitions(db, opts.retentionDays, opts.now);
  return { dropped };
}
