// Geofences and alarms against the embedded PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Polygon } from '@hub/config';
import { createMigratedDatabase, type MigratedDatabase } from '../../test-support/migrated-db';
import { createGeofence, deleteGeofence, getGeofence, listGeofences } from '../src/store/geofences';
import { acknowledgeAlarm, insertAlarm, listAlarms } from '../src/store/alarms';

let mdb: MigratedDatabase;
let db: pg.Pool;

beforeAll(async () => {
  mdb = await createMigratedDatabase(2);
  db = mdb.db;
});
afterAll(() => mdb?.close());

const square = (lon: number, lat: number, d: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + d, lat],
      [lon + d, lat + d],
      [lon, lat + d],
      [lon, lat],
    ],
  ],
});

describe('geofences', () => {
  it('creates, reads, lists (also by bounding box) and deletes', async () => {
    const depot = await createGeofence(db, { name: 'Depot', geometry: square(13.3, 52.5, 0.01), alarmOnExit: false });
    expect(depot).toMatchObject({ name: 'Depot', geometry: square(13.3, 52.5, 0.01), alarmOnEnter: true, alarmOnExit: false });
    expect(depot.createdAt).toMatch(/Z$/);
    const park = await createGeofence(db, { name: 'Park', geometry: square(11.5, 48.1, 0.02), alarmOnEnter: false, alarmOnExit: true });

    expect(await getGeofence(db, depot.id)).toEqual(depot);
    expect((await listGeofences(db)).map((g) => g.name)).toEqual(['Depot', 'Park']);
    expect((await listGeofences(db, [13.305, 52.505, 13.306, 52.506])).map((g) => g.id)).toEqual([depot.id]);
    const { rows } = await db.query('SELECT min_lon, min_lat, max_lon, max_lat FROM geofences WHERE id = $1', [park.id]);
    expect(rows[0]).toEqual({ min_lon: 11.5, min_lat: 48.1, max_lon: 11.52, max_lat: 48.120000000000005 });

    expect(await deleteGeofence(db, depot.id)).toBe(true);
    expect(await deleteGeofence(db, depot.id)).toBe(false);
    expect(await getGeofence(db, depot.id)).toBeUndefined();
  });
});

describe('alarms', () => {
  it('stores alarms, lists them newest first with filters', async () => {
    const sos = await insertAlarm(db, { unitId: 'cam-7', kind: 'sos', ts: new Date('2025-05-01T10:00:00Z'), lat: 52.5, lon: 13.4 });
    expect(sos).toMatchObject({ unitId: 'cam-7', kind: 'sos', ts: '2025-05-01T10:00:00.000Z', lat: 52.5, lon: 13.4, details: {}, acknowledgedAt: null, acknowledgedBy: null, note: null });
    expect(typeof sos.id).toBe('number');
    await insertAlarm(db, { unitId: 'car-1', kind: 'overspeed', ts: new Date('2025-05-01T11:00:00Z'), details: { speed: 30, limit: 22 } });
    await insertAlarm(db, { unitId: 'car-1', kind: 'offline', ts: new Date('2025-05-01T12:00:00Z') });

    const all = await listAlarms(db);
    expect(all.map((a) => a.kind)).toEqual(['offline', 'overspeed', 'sos']);
    expect(all[1]!.details).toEqual({ speed: 30, limit: 22 });
    expect(all[0]).toMatchObject({ lat: null, lon: null });
    expect((await listAlarms(db, { unitId: 'car-1', limit: 100 })).map((a) => a.kind)).toEqual(['offline', 'overspeed']);
    expect((await listAlarms(db, { kind: 'sos', limit: 100 })).map((a) => a.id)).toEqual([sos.id]);
    expect((await listAlarms(db, { from: '2025-05-01T10:30:00Z', to: '2025-05-01T11:30:00Z', limit: 100 })).map((a) => a.kind)).toEqual(['overspeed']);
    expect(await listAlarms(db, { limit: 1 })).toHaveLength(1);
  });

  it('acknowledges once: a second acknowledgement keeps the first time and actor', async () => {
    const [sos] = await listAlarms(db, { kind: 'sos', limit: 1 });
    const acked = await acknowledgeAlarm(db, sos!.id, 'operator-anna', 'units dispatched');
    expect(acked).toMatchObject({ acknowledgedBy: 'operator-anna', note: 'units dispatched' });
    expect(acked!.acknowledgedAt).toMatch(/Z$/);
    const again = await acknowledgeAlarm(db, sos!.id, 'operator-ben', 'late');
    expect(again).toEqual(acked);
    expect(await acknowledgeAlarm(db, 999_999, 'x')).toBeUndefined();

    expect((await listAlarms(db, { acknowledged: true, limit: 100 })).map((a) => a.id)).toEqual([sos!.id]);
    expect((await listAlarms(db, { acknowledged: false, limit: 100 })).map((a) => a.kind)).toEqual(['offline', 'overspeed']);
  });
});
