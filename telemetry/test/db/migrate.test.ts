// The plain-PostgreSQL branch of the migrations, against the embedded PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test-support/db';
import { createPool } from '@hub/platform';
import { orderMigrations } from '@hub/platform';
import { defaultMigrations, migrate } from '../../src/db/migrate';
import { partitionName, utcDay } from '../../src/db/partitions';
import { insertPositions } from '../../src/store/positions';

const DAY = 86_400_000;
/** identity's and telemetry's migrations, in order of application (the list grows; the order is what matters) */
const ALL = orderMigrations(defaultMigrations).map((m) => m.id);
let tdb: TestDatabase;
let pools: pg.Pool[];

beforeAll(async () => {
  tdb = await createTestDatabase();
  pools = [createPool(tdb.url, 3), createPool(tdb.url, 3)];
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await tdb.drop();
});

describe('migrate on plain PostgreSQL', () => {
  it('applies every migration once even when two hubs start at the same moment', async () => {
    const results = await Promise.all(pools.map((p) => migrate(p, { retentionDays: 30 })));
    expect(results.map((r) => r.timescale)).toEqual([false, false]);
    const applied = results.map((r) => r.applied).sort((a, b) => b.length - a.length);
    expect(applied[0]).toEqual(ALL);
    // identity's first, and each package's own in their order
    expect(ALL[0]).toBe('identity.001_operators');
    expect(ALL.filter((id) => id.startsWith('identity.'))).toEqual(['identity.001_operators', 'identity.002_login_failures']);
    expect(ALL.filter((id) => id.startsWith('telemetry.')).slice(0, 3)).toEqual(['telemetry.001_core', 'telemetry.002_positions', 'telemetry.003_positions_hourly']);
    expect(applied[1]).toEqual([]);
  });

  it('is idempotent', async () => {
    const again = await migrate(pools[0]!, { retentionDays: 30 });
    expect(again).toEqual({ timescale: false, applied: [] });
    const { rows } = await pools[0]!.query('SELECT id, branch FROM schema_migrations ORDER BY id');
    expect(rows).toEqual([...ALL].sort().map((id) => ({ id, branch: 'postgresql' })));
  });

  it('makes positions a range-partitioned table with a BRIN index on ts and no foreign key', async () => {
    const db = pools[0]!;
    const part = await db.query(`SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'positions'::regclass`);
    expect(part.rows).toEqual([{ partstrat: 'r' }]);
    const idx = await db.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'positions'`);
    expect(idx.rows.some((r) => /USING brin \(ts\)/.test(r.indexdef))).toBe(true);
    const fk = await db.query(`SELECT 1 FROM pg_constraint WHERE conrelid = 'positions'::regclass AND contype = 'f'`);
    expect(fk.rows).toHaveLength(0);
  });

  it('creates daily partitions from two days back to a week ahead', async () => {
    const today = utcDay(new Date());
    const names: string[] = [];
    for (let i = -2; i <= 7; i++) names.push(partitionName(today + i * DAY));
    const { rows } = await pools[0]!.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'positions'::regclass`,
    );
    expect(rows.map((r) => r.relname)).toEqual(expect.arrayContaining(names));
  });

  it('serves positions_hourly with the same columns as the continuous aggregate', async () => {
    const db = pools[0]!;
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    await insertPositions(db, [
      { unitId: 'h1', ts: new Date(hour + 1000), lat: 1, lon: 2, speed: 10 },
      { unitId: 'h1', ts: new Date(hour + 2000), lat: 3, lon: 4, speed: 20 },
    ]);
    const { rows } = await db.query(`SELECT * FROM positions_hourly WHERE unit_id = 'h1'`);
    expect(rows).toEqual([{ bucket: new Date(hour), unit_id: 'h1', count: 2, avg_speed: 15, max_speed: 20, lat: 3, lon: 4 }]);
  });

  it('refuses a retention that is not a positive number of days', async () => {
    await expect(migrate(pools[0]!, { retentionDays: 0 })).rejects.toMatchObject({ code: 'HUB_ERR_DB_MIGRATION' });
  });
});
