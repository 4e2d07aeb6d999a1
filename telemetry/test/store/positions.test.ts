// Positions against the embedded PostgreSQL server: batches with repeats, late
// positions, the latest lookup and tracks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Position } from '@hub/config';
import { createMigratedDatabase, type MigratedDatabase } from '../../../test-support/migrated-db';
import { insertPositions, latestPosition, latestPositions, track } from '../../src/store/positions';

let mdb: MigratedDatabase;
let db: pg.Pool;
// A whole minute, an hour ago: inside today's or yesterday's partition.
const t0 = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
const at = (s: number) => new Date(t0 + s * 1000);

beforeAll(async () => {
  mdb = await createMigratedDatabase(4);
  db = mdb.db;
});
afterAll(() => mdb?.close());

describe('insertPositions', () => {
  it('stores a batch once, skipping repeats inside it, and returns the new ones', async () => {
    const a0: Position = { unitId: 'car-1', ts: at(0), lat: 52.5, lon: 13.4, speed: 12.5, heading: 90, accuracy: 4, alt: 35, battery: 80, flags: ['ignition'] };
    const a1: Position = { unitId: 'car-1', ts: at(10), lat: 52.51, lon: 13.41 };
    const b0: Position = { unitId: 'cam-1', ts: at(5), lat: 48.1, lon: 11.6 };
    const res = await insertPositions(db, [a0, a1, { ...a0 }, b0]);
    expect(res.inserted).toBe(3);
    expect(res.fresh).toEqual([a0, a1, b0]);

    const again = await insertPositions(db, [a0, a1, b0]);
    expect(again).toEqual({ inserted: 0, fresh: [] });

    expect(await track(db, 'car-1', at(-60), at(60))).toEqual([
      { unitId: 'car-1', ts: at(0).toISOString(), lat: 52.5, lon: 13.4, speed: 12.5, heading: 90, accuracy: 4, alt: 35, battery: 80, flags: ['ignition'] },
      { unitId: 'car-1', ts: at(10).toISOString(), lat: 52.51, lon: 13.41, speed: null, heading: null, accuracy: null, alt: null, battery: null, flags: null },
    ]);
  });

  it('stores a late position in its place in time without moving the latest position back', async () => {
    const late: Position = { unitId: 'car-1', ts: at(5), lat: 52.505, lon: 13.405 };
    const res = await insertPositions(db, [late, late]);
    expect(res).toEqual({ inserted: 1, fresh: [late] });
    const t = await track(db, 'car-1', at(-60), at(60));
    expect(t.map((p) => p.ts)).toEqual([at(0), at(5), at(10)].map((d) => d.toISOString()));
    expect((await latestPosition(db, 'car-1'))?.ts).toBe(at(10).toISOString());
  });

  it('keeps every position once when overlapping batches are written concurrently', async () => {
    const batch: Position[] = [];
    for (let u = 0; u < 20; u++) for (let s = 0; s < 50; s++) batch.push({ unitId: `bus-${u}`, ts: at(100 + s), lat: u, lon: s });
    const results = await Promise.all([0, 1, 2, 3].map(() => insertPositions(db, batch)));
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(1000);
    const { rows } = await db.query(`SELECT count(*) AS n FROM positions WHERE unit_id LIKE 'bus-%'`);
    expect(rows[0].n).toBe(1000);
    expect((await latestPosition(db, 'bus-7'))?.ts).toBe(at(149).toISOString());
  });

  it('takes a batch of 5,000 in one call', async () => {
    const batch: Position[] = [];
    for (let i = 0; i < 5000; i++) batch.push({ unitId: `fleet-${i % 500}`, ts: at(200 + Math.floor(i / 500)), lat: 50, lon: 8, speed: i % 30 });
    const res = await insertPositions(db, batch);
    expect(res.inserted).toBe(5000);
    expect(res.fresh).toHaveLength(5000);
  });

  it('returns nothing for an empty batch', async () => {
    expect(await insertPositions(db, [])).toEqual({ inserted: 0, fresh: [] });
  });
});

describe('latestPositions', () => {
  it('lists the latest position of every unit, or of those inside a bounding box', async () => {
    const all = await latestPositions(db);
    expect(all.find((p) => p.unitId === 'cam-1')?.ts).toBe(at(5).toISOString());
    expect(all.length).toBe(2 + 20 + 500);
    const berlin = await latestPositions(db, [13, 52, 14, 53]);
    expect(berlin.map((p) => p.unitId)).toEqual(['car-1']);
    expect(await latestPositions(db, [0, 0, 0.1, 0.1])).toEqual([]);
  });
});

describe('track', () => {
  beforeAll(async () => {
    const points: Position[] = [];
    for (let s = 0; s < 180; s++) points.push({ unitId: 'walker', ts: at(s), lat: 40 + s / 1000, lon: -3 });
    await insertPositions(db, points);
  });

  it('returns the range in time order, up to the limit', async () => {
    const t = await track(db, 'walker', at(10), at(19));
    expect(t.map((p) => p.ts)).toEqual(Array.from({ length: 10 }, (_, i) => at(10 + i).toISOString()));
    expect(await track(db, 'walker', at(0), at(179), { limit: 3 })).toHaveLength(3);
  });

  it('downsamples to the last point of each bucket', async () => {
    const t = await track(db, 'walker', at(0), at(179), { bucketSeconds: 60 });
    expect(t.map((p) => p.ts)).toEqual([at(59), at(119), at(179)].map((d) => d.toISOString()));
    expect(t[0]!.lat).toBeCloseTo(40.059);
    const partial = await track(db, 'walker', at(30), at(90), { bucketSeconds: 60 });
    expect(partial.map((p) => p.ts)).toEqual([at(59), at(90)].map((d) => d.toISOString()));
  });

  it('is empty for an unknown unit', async () => {
    expect(await track(db, 'nobody', at(0), at(100))).toEqual([]);
  });
});
