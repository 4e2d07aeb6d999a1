// Failed operator logins while they count towards the lock-out (migration
// identity.002_login_failures). Times are the database's, so hubs with clocks apart agree.
import type { Queryable } from '@hub/platform';

/** A source's failures in the window: ms ago each happened, oldest first, by username. */
export type RecentFailures = Map<string, number[]>;

export async function recentFailures(db: Queryable, source: string, windowSeconds: number): Promise<RecentFailures> {
  const { rows } = await db.query<{ username: string; ago_ms: number }>(
    `SELECT username, (extract(epoch FROM clock_timestamp() - at) * 1000)::float8 AS ago_ms
       FROM operator_login_failures
      WHERE source = $1 AND at > clock_timestamp() - make_interval(secs => $2)
      ORDER BY at`,
    [source, windowSeconds],
  );
  const bySource: RecentFailures = new Map();
  for (const r of rows) bySource.set(r.username, [...(bySource.get(r.username) ?? []), Number(r.ago_ms)]);
  return bySource;
}

/** Notes a failure, and forgets every failure older than the window (there are few: logins are scrypt-slow). */
export async function noteFailure(db: Queryable, source: string, username: string, windowSeconds: number): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM operator_login_failures WHERE at <= clock_timestamp() - make_interval(secs => $3))
     INSERT INTO operator_login_failures (source, username) VALUES ($1, $2)`,
    [source, username, windowSeconds],
  );
}

/** A successful login from `source` forgives that username's failures there. */
export async function forgetFailures(db: Queryable, source: string, username: string): Promise<void> {
  await db.query('DELETE FROM operator_login_failures WHERE source = $1 AND username = $2', [source, username]);
}
