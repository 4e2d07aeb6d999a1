import type { Migration } from '@hub/platform';

/**
 * Failed operator logins, by source address and username, while they count towards the
 * lock-out (auth.lockout). In the database, not in one hub's memory: the hubs of a cluster
 * share the lock-out (an address locked on one is locked on all), and a restart does not lift it.
 */
export const loginFailures: Migration = {
  id: 'identity.002_login_failures',
  after: ['identity.001_operators'],
  up: () => [
    `CREATE TABLE operator_login_failures (
       source text COLLATE "C" NOT NULL,
       username text COLLATE "C" NOT NULL,
       at timestamptz NOT NULL DEFAULT clock_timestamp()
     )`,
    `CREATE INDEX operator_login_failures_source ON operator_login_failures (source, at)`,
    `CREATE INDEX operator_login_failures_at ON operator_login_failures (at)`,
  ],
};
