// A fresh database on the test run's PostgreSQL server with the whole hub's schema (every
// package's migrations), behind the hub's pool.
import type pg from 'pg';
import { schemaMigrations } from '@hub/server';
import { createPool } from '@hub/platform';
import { migrate } from '@hub/telemetry';
import { createTestDatabase } from './db';

export interface MigratedDatabase {
  db: pg.Pool;
  url: string;
  /** ends the pool and drops the database */
  close(): Promise<void>;
}

export async function createMigratedDatabase(poolSize = 2, retentionDays = 30): Promise<MigratedDatabase> {
  const tdb = await createTestDatabase();
  const db = createPool(tdb.url, poolSize);
  await migrate(db, { retentionDays, migrations: schemaMigrations });
  return {
    db,
    url: tdb.url,
    async close() {
      await db.end();
      await tdb.drop();
    },
  };
}
