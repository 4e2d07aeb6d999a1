import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type pg from 'pg';
import type { Alarm, AlarmKind, Position } from '@hub/config';
import { createTestDatabase, type TestDatabase } from '../../test-support/db';
import type { Queryable } from '@hub/platform';
import { createPool } from '@hub/platform';
import { createUnit, defaultMigrations, insertPositions, migrate, TelemetryBus } from '@hub/telemetry';
import { alarmMigrations } from '../src/migrations/index';
import { createGeofence } from '../src/store/geofences';
import { listAlarms } from '../src/store/alarms';
import { startAlarmService, type AlarmService } from '../src/service';
import { boxPolygon } from '../../test-support/polygons';

const config = { offlineAfterSeconds: 120, noPositionAfterSeconds: 60, lowBatteryPercent: 15, overspeedKmh: { vehicle: 80, bodycam: 25 }, flood: { windowSeconds: 300, maxPerWindow: 0 } };
const square = boxPolygon;

let database: TestDatabase;
let pool: pg.Pool;
const T0 = Date.now() - 600_000;
let now = T0;
const clock = () => now;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url, 4);
  await migrate(pool, { retentionDays: 30, migrations: [...defaultMigrations, ...alarmMigrations] });
  await createUnit(pool, { id: 'car-1', name: 'Patrol 1', type: 'vehicle' });
  await createUnit(pool, { id: 'cam-1', name: 'Officer 1', type: 'bodycam' });
  await createGeofence(pool, { name: 'Old town', geometry: square(11, 48, 12, 49) });
  // Before the hub starts, car-1 is already inside the old town.
  await insertPositions(pool, [{ unitId: 'car-1', ts: new Date(T0), lat: 48.5, lon: 11.5 }]);
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

/** Positions go through the database as ingest would send them, then onto the bus. */
async function commit(bus: TelemetryBus, positions: Position[]) {
  const { fresh } = await insertPositions(pool, positions);
  bus.emit('positions', fresh);
}

function start(bus: TelemetryBus, db: Queryable = pool, log = pino({ level: 'silent' })): Promise<AlarmService> {
  return startAlarmService({ db, bus, config, log, now: clock, checkIntervalMs: 3_600_000, retryDelayMs: 10 });
}

describe('alarm service', () => {
  it('stores each alarm the rules raise and pushes the stored row on the bus; a restart repeats none', async () => {
    const bus = new TelemetryBus();
    const pushed: Alarm[] = [];
    bus.on('alarm', (a) => pushed.push(a));
    const service = await start(bus);
    const at = (s: number) => new Date(T0 + s * 1000);

    now = T0 + 1_000;
    // still inside (seeded: no enter), then out of the fence at 100 km/h
    await commit(bus, [{ unitId: 'car-1', ts: at(1), lat: 48.6, lon: 11.6, speed: 10 }]);
    await commit(bus, [{ unitId: 'car-1', ts: at(2), lat: 47.9, lon: 11.6, speed: 100 / 3.6 }]);
    // the body cam walks at 30 km/h with 12 % battery
    await commit(bus, [{ unitId: 'cam-1', ts: at(2), lat: 48.1, lon: 12.5, speed: 30 / 3.6, battery: 12 }]);
    await service.handleDeviceAlarm({ unitId: 'cam-1', ts: at(3), type: 'sos' });
    await service.handleDeviceAlarm({ unitId: 'car-1', ts: at(3), type: 'device', code: 'tamper', lat: 47.9, lon: 11.6 });
    bus.emit('status', { unitId: 'cam-1', state: 'offline', ts: at(4).toISOString(), reason: 'last_will' });
    // a fence drawn around the car raises nothing until the car leaves it
    await createGeofence(pool, { name: 'Depot', geometry: square(11.5, 47.8, 11.7, 48.0), alarmOnEnter: true, alarmOnExit: true });
    bus.emit('geofencesChanged');
    await service.flush();
    await commit(bus, [{ unitId: 'car-1', ts: at(5), lat: 47.5, lon: 11.6, speed: 10 }]);
    // then silence
    now = T0 + 5_000 + 120_000;
    await service.checkOffline();
    await service.flush();

    const stored = await listAlarms(pool, { limit: 100 });
    const summary = (a: Alarm) => `${a.unitId} ${a.kind}`;
    expect(stored.map(summary).sort()).toEqual(
      ['car-1 geofence_exit', 'car-1 overspeed', 'cam-1 overspeed', 'cam-1 low_battery', 'cam-1 sos', 'car-1 device', 'cam-1 offline', 'car-1 geofence_exit', 'car-1 offline'].sort(),
    );
    // what the bus carried is exactly what was stored, row for row
    expect([...pushed].sort((a, b) => a.id - b.id)).toEqual([...stored].sort((a, b) => a.id - b.id));

    const find = (unitId: string, kind: AlarmKind) => stored.filter((a) => a.unitId === unitId && a.kind === kind);
    expect(
      find('car-1', 'geofence_exit')
        .map((a) => a.details.geofenceName)
        .sort(),
    ).toEqual(['Depot', 'Old town']);
    expect(find('car-1', 'overspeed')[0]).toMatchObject({ lat: 47.9, lon: 11.6, details: { speedKmh: 100, limitKmh: 80 } });
    expect(find('cam-1', 'overspeed')[0]!.details).toMatchObject({ limitKmh: 25, unitType: 'bodycam' });
    expect(find('cam-1', 'low_battery')[0]!.details).toMatchObject({ battery: 12 });
    expect(find('cam-1', 'sos')[0]).toMatchObject({ lat: 48.1, lon: 12.5, details: { position: 'last_known' } });
    expect(find('cam-1', 'offline')[0]!.details).toMatchObject({ reason: 'last_will' });
    expect(find('car-1', 'offline')[0]!.details).toMatchObject({ reason: 'no_position' });

    // A restart: the same state is loaded back and nothing is raised twice.
    await service.close();
    await service.close();
    const again = await start(bus);
    now += 600_000;
    await again.checkOffline();
    await commit(bus, [{ unitId: 'cam-1', ts: at(1), lat: 48.1, lon: 12.5, speed: 50, battery: 1 }]); // late
    await again.flush();
    expect(await listAlarms(pool, { limit: 100 })).toHaveLength(stored.length);
    await again.close();
    bus.emit('status', { unitId: 'car-1', state: 'offline', ts: new Date(now).toISOString(), reason: 'last_will' });
    expect(bus.listenerCount('positions')).toBe(0);
  });

  it('retries a failed write once, and lets a device alarm that could not be stored be sent again', async () => {
    const bus = new TelemetryBus();
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    let failures = 0;
    // The real database, except that the next `failures` alarm inserts fail.
    const flaky: Queryable = {
      query: (text, params) => {
        if (failures > 0 && text.startsWith('INSERT INTO alarms')) {
          failures--;
          return Promise.reject(new Error('connection lost'));
        }
        return pool.query(text, params as unknown[]) as never;
      },
    };
    const service = await start(bus, flaky, log);
    const before = (await listAlarms(pool, { unitId: 'cam-1', kind: 'sos' })).length;
    const sos = { unitId: 'cam-1', ts: new Date(now), type: 'sos' as const, message: 'help' };

    failures = 1;
    await service.handleDeviceAlarm(sos);
    expect(lines.map((l) => l.msg)).toContain('storing an alarm failed; retrying once');

    const resent = { ...sos, ts: new Date(now + 1000) };
    failures = 2;
    await expect(service.handleDeviceAlarm(resent)).rejects.toThrow('connection lost');
    await service.handleDeviceAlarm(resent); // the unit's resend is not taken for a duplicate
    await service.handleDeviceAlarm(resent); // but a second resend is
    expect((await listAlarms(pool, { unitId: 'cam-1', kind: 'sos' })).length).toBe(before + 2);

    // a write that fails twice is logged as given up (and the unit, not acknowledged, resends)
    failures = 2;
    await expect(service.handleDeviceAlarm({ ...sos, ts: new Date(now + 2000) })).rejects.toThrow();
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toContain('storing an alarm failed twice; giving up');
    await service.close();
    await expect(service.handleDeviceAlarm(sos)).rejects.toMatchObject({ code: 'HUB_ERR_ALARMS_CLOSED' });
  });
});

describe('flood control', () => {
  it('stores at most maxPerWindow alarms of a kind per unit and window, counts the rest on the newest, and never thins SOS', async () => {
    const bus = new TelemetryBus();
    const flood = { windowSeconds: 60, maxPerWindow: 2 };
    const service = await startAlarmService({ db: pool, bus, config: { ...config, flood }, log: pino({ level: 'silent' }), now: clock, checkIntervalMs: 3_600_000 });
    const announced: Alarm[] = [];
    bus.on('alarm', (a) => announced.push(a));
    const t0 = now;
    for (let i = 0; i < 5; i++) await service.handleDeviceAlarm({ unitId: 'flood-1', ts: new Date(t0 + i * 1000), type: 'device', code: 'tamper' });
    for (let i = 0; i < 3; i++) await service.handleDeviceAlarm({ unitId: 'flood-1', ts: new Date(t0 + i * 1000), type: 'sos' });

    const device = await listAlarms(pool, { unitId: 'flood-1', kind: 'device' });
    expect(device.map((a) => a.repeats)).toEqual([3, 0]); // newest first: it carries the three repeats
    expect(device[0]!.lastRepeatAt).toBe(new Date(t0 + 4000).toISOString());
    expect(await listAlarms(pool, { unitId: 'flood-1', kind: 'sos' })).toHaveLength(3);
    // each repeat is announced as the same alarm with its new count, so walls update the row
    expect(announced.filter((a) => a.kind === 'device').map((a) => [a.id, a.repeats])).toEqual([
      [device[1]!.id, 0],
      [device[0]!.id, 0],
      [device[0]!.id, 1],
      [device[0]!.id, 2],
      [device[0]!.id, 3],
    ]);

    // once the window has passed, the unit's next one is an alarm again
    now += 61_000;
    await service.handleDeviceAlarm({ unitId: 'flood-1', ts: new Date(now), type: 'device', code: 'tamper' });
    expect((await listAlarms(pool, { unitId: 'flood-1', kind: 'device' })).map((a) => a.repeats)).toEqual([0, 3, 0]);
    await service.close();
  });
});
