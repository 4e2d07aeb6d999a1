// Daily partitions on plain PostgreSQL: on demand for old days, race-safe, dropped for retention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createMigratedDatabase, type MigratedDatabase } from '../../../test-support/migrated-db';
import { createPool } from '@hub/platform';
import { dropExpiredPartitions, ensurePartitions, maintain, oldestAcceptedTs, partitionName, utcDay } from '../../src/db/partitions';
import { insertPositions, track } from '../../src/store/positions';

const DAY = 86_400_000;
let mdb: MigratedDatabase;
let db: pg.Pool;

async function exists(name: string): Promise<boolean> {
  const { rows } = await db.query('SELECT to_regclass($1) IS NOT NULL AS ok', [name]);
  return rows[0].ok;
}

beforeAll(async () => {
  mdb = await createMigratedDatabase(4);
  db = mdb.db;
});
afterAll(() => mdb?.close());

describe('partitions', () => {
  it('oldestAcceptedTs is the retention window back from now', () => {
    const now = new Date('2025-03-10T12:00:00Z');
    expect(oldestAcceptedTs(30, now).toISOString()).toBe('2025-02-08T12:00:00.000Z');
  });

  it('creates the partition of an old day when an insert needs it', async () => {
    const day = utcDay(Date.now() - 20 * DAY);
    expect(await exists(partitionName(day))).toBe(false);
    const ts = new Date(day + 3_600_000);
    const res = await insertPositions(db, [{ unitId: 'old-1', ts, lat: 10, lon: 20 }]);
    expect(res.inserted).toBe(1);
    expect(await exists(partitionName(day))).toBe(true);
    const got = await track(db, 'old-1', new Date(day), new Date(day + DAY));
    expect(got.map((p) => p.ts)).toEqual([ts.toISOString()]);
  });

  it('survives several hubs creating the same partition at once', async () => {
    const day = utcDay(Date.now() - 25 * DAY);
    const others = [createPool(mdb.url, 1), createPool(mdb.url, 1), createPool(mdb.url, 1)];
    try {
      await Promise.all(others.map((p) => ensurePartitions(p, [new Date(day + 1000)])));
      expect(await exists(partitionName(day))).toBe(true);
    } finally {
      await Promise.all(others.map((p) => p.end()));
    }
  });

  it('recreates a partition that another hub dropped after this one cached it', async () => {
    const day = utcDay(Date.now() - 22 * DAY);
    await ensurePartitions(db, [day]);
    await db.query(`DROP TABLE ${partitionName(day)}`);
    const res = await insertPositions(db, [{ unitId: 'old-2', ts: new Date(day + 5000), lat: 1, lon: 1 }]);
    expect(res.inserted).toBe(1);
  });

  it('drops the partitions older than the retention, and their positions with them', async () => {
    const oldDay = utcDay(Date.now() - 20 * DAY);
    expect(await dropExpiredPartitions(db, 30)).toEqual([]);
    const dropped = await dropExpiredPartitions(db, 10);
    expect(dropped).toEqual(expect.arrayContaining([partitionName(oldDay), partitionName(utcDay(Date.now() - 25 * DAY))]));
    expect(await exists(partitionName(oldDay))).toBe(false);
    expect(await exists(partitionName(utcDay(Date.now())))).toBe(true);
    const { rows } = await db.query(`SELECT count(*) AS n FROM positions WHERE unit_id = 'old-1'`);
    expect(rows[0].n).toBe(0);
  });

  it('maintain() makes the days ahead and drops expired ones', async () => {
    const now = new Date(Date.now() + 10 * DAY);
    const res = await maintain(db, { retentionDays: 10, now });
    expect(await exists(partitionName(utcDay(now) + 7 * DAY))).toBe(true);
    expect(res.dropped).toContain(partitionName(utcDay(Date.now() - 2 * DAY)));
  });
});
