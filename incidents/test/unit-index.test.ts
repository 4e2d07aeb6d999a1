// The in-memory unit index behind the nearest-units ranking: loaded from the database, kept
// by the bus (newest position only, online state, unit changes), and ranking as the SQL does.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '@hub/config/node';
import { insertPositions, TelemetryBus } from '@hub/telemetry';
import { UnitIndex } from '../src/unit-index';
import { nearestUnits, nearestUnitsSql } from '../src/nearest';
import { createMigratedDatabase, type MigratedDatabase } from '../../test-support/migrated-db';
import { eventually } from '../../test-support/wait';

let m: MigratedDatabase;
const bus = new TelemetryBus();
let index: UnitIndex;
const eta = loadConfig({ env: {} }).linkage;
const north = (metres: number) => 22.5 + metres / 111_195;

beforeAll(async () => {
  m = await createMigratedDatabase();
  await m.db.query(`INSERT INTO units (id, name, type, online) VALUES ('a', 'A', 'vehicle', true), ('b', 'B', 'bodycam', true), ('c', 'C', 'vehicle', false)`);
  const now = Date.now();
  await insertPositions(m.db, [
    { unitId: 'a', ts: new Date(now), lat: north(500), lon: 114 },
    { unitId: 'b', ts: new Date(now), lat: north(100), lon: 114 },
    { unitId: 'c', ts: new Date(now), lat: north(50), lon: 114 },
  ]);
  index = await UnitIndex.load(m.db, bus);
});
afterAll(async () => {
  index?.close();
  await m?.close();
});

const ids = (lat: number, limit = 5, accept: Parameters<UnitIndex['nearest']>[3] = (u) => u.online && !u.disabled) => index.nearest(lat, 114, limit, accept).map((u) => u.id);

it('ranks what it loaded, by distance, with the filter applied', () => {
  expect(ids(22.5)).toEqual(['b', 'a']);
  expect(ids(22.5, 5, () => true)).toEqual(['c', 'b', 'a']);
  expect(ids(22.5, 1, (u) => u.type === 'vehicle')).toEqual(['c']);
});

it('follows positions (the newest only), status and new units from the bus', async () => {
  bus.emit('positionAccepted', { unitId: 'a', ts: new Date(Date.now() + 1000), lat: north(10), lon: 114 });
  expect(ids(22.5)).toEqual(['a', 'b']);
  bus.emit('positionAccepted', { unitId: 'a', ts: new Date(Date.now() - 60_000), lat: north(900), lon: 114 }); // late: ignored
  expect(ids(22.5)).toEqual(['a', 'b']);
  bus.emit('status', { unitId: 'c', state: 'online', ts: new Date().toISOString(), reason: 'connected' });
  expect(ids(22.5)[0]).toBe('a');
  expect(ids(22.5)).toContain('c');
  await m.db.query(`INSERT INTO units (id, name, type, online) VALUES ('d', 'D', 'vehicle', true)`);
  bus.emit('positionAccepted', { unitId: 'd', ts: new Date(), lat: north(1), lon: 114 }); // before the index read the unit
  await index.settled();
  expect(ids(22.5)[0]).toBe('d');
  await m.db.query(`UPDATE units SET disabled = true WHERE id = 'd'`);
  bus.emit('unitChanged', 'd');
  await index.settled();
  expect(ids(22.5)).not.toContain('d');
});

it('agrees with the SQL ranking on a random fleet', async () => {
  // the database catches up with what the bus told the index above
  await m.db.query(`UPDATE units SET online = true WHERE id = 'c'`);
  await insertPositions(m.db, [{ unitId: 'a', ts: new Date(Date.now() + 2000), lat: north(10), lon: 114 }]);
  bus.emit('positionAccepted', { unitId: 'a', ts: new Date(Date.now() + 2000), lat: north(10), lon: 114 });
  const units = Array.from({ length: 300 }, (_, i) => `r-${i}`);
  await m.db.query(`INSERT INTO units (id, name, type, online) SELECT id, id, 'vehicle', true FROM unnest($1::text[]) AS id`, [units]);
  const positions = units.map((unitId) => ({ unitId, ts: new Date(), lat: 22.5 + (Math.random() - 0.5) / 10, lon: 114 + (Math.random() - 0.5) / 10 }));
  await insertPositions(m.db, positions);
  for (const u of units) bus.emit('unitChanged', u);
  for (const p of positions) bus.emit('positionAccepted', p);
  await index.settled();
  await eventually(async () => index.size >= 304, 5000, 'units read');
  // the fleet's centre (where a, b, c, d are) and random points
  const points = [{ lat: 22.5, lon: 114 }, ...Array.from({ length: 20 }, () => ({ lat: 22.5 + (Math.random() - 0.5) / 10, lon: 114 + (Math.random() - 0.5) / 10 }))];
  for (const p of points) {
    const q = { lat: p.lat, lon: p.lon, limit: 7 };
    // both rank by ETA over the same nearest candidates (no unit here is busy)
    const mem = (await nearestUnits(index, m.db, q, eta)).map((u) => u.unitId);
    const sql = (await nearestUnitsSql(m.db, q, eta)).map((u) => u.unitId);
    expect(mem).toEqual(sql);
  }
});
