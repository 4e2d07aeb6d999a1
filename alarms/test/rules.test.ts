import { describe, expect, it } from 'vitest';
import type { Geofence, Position } from '@hub/config';
import { AlarmRules, type AlarmsConfig } from '../src/rules';
import { squareWithHole } from '../../test-support/polygons';

const config: AlarmsConfig = {
  offlineAfterSeconds: 120,
  noPositionAfterSeconds: 60,
  lowBatteryPercent: 15,
  overspeedKmh: { vehicle: 80, bodycam: 25 },
  flood: { windowSeconds: 300, maxPerWindow: 0 },
};
const T0 = Date.parse('2025-06-01T10:00:00Z');

function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}

let seq = 0;
function pos(unitId: string, lat: number, lon: number, extra: Partial<Position> & { at?: number } = {}): Position {
  const { at, ...rest } = extra;
  return { unitId, ts: new Date(at ?? T0 + ++seq * 1000), lat, lon, ...rest };
}

const fence = (over: Partial<Geofence> = {}): Geofence => ({
  id: 7,
  name: 'Old town',
  geometry: squareWithHole,
  alarmOnEnter: true,
  alarmOnExit: true,
  createdAt: '2025-01-01T00:00:00Z',
  ...over,
});

const kmh = (v: number) => v / 3.6;

describe('SOS and device alarms', () => {
  it('uses the message position, else the last known one, and drops a QoS 1 redelivery', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    const sos = { unitId: 'u1', ts: new Date(T0), type: 'sos' as const, lat: 48.1, lon: 11.5 };
    expect(rules.onDeviceAlarm(sos)).toEqual([{ unitId: 'u1', kind: 'sos', ts: new Date(T0), lat: 48.1, lon: 11.5, details: { position: 'message' } }]);
    expect(rules.onDeviceAlarm(sos)).toEqual([]);

    rules.onPositions([pos('u1', 48.2, 11.6, { at: T0 + 5000 })]);
    const [tamper] = rules.onDeviceAlarm({ unitId: 'u1', ts: new Date(T0 + 6000), type: 'device', code: 'tamper' });
    expect(tamper).toMatchObject({ kind: 'device', lat: 48.2, lon: 11.6, details: { code: 'tamper', position: 'last_known' } });

    const [blind] = rules.onDeviceAlarm({ unitId: 'u2', ts: new Date(T0), type: 'sos' });
    expect(blind).toMatchObject({ lat: null, lon: null, details: { position: 'unknown' } });
  });
});

describe('geofence enter and exit', () => {
  it('initialises on the first position, then alarms on entering and exiting (the hole is outside)', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setGeofences([fence()]);
    expect(rules.onPositions([pos('u1', 50.1, 10.1)])).toEqual([]); // first position: inside, no alarm
    expect(rules.onPositions([pos('u1', 50.2, 10.2)])).toEqual([]);
    const [exit] = rules.onPositions([pos('u1', 50.5, 10.5)]); // into the hole
    expect(exit).toMatchObject({ kind: 'geofence_exit', unitId: 'u1', lat: 50.5, lon: 10.5, details: { geofenceId: 7, geofenceName: 'Old town' } });
    const [enter] = rules.onPositions([pos('u1', 50.9, 10.9)]);
    expect(enter).toMatchObject({ kind: 'geofence_enter', details: { geofenceId: 7 } });
    expect(rules.onPositions([pos('u1', 52, 10.9)]).map((a) => a.kind)).toEqual(['geofence_exit']);
  });

  it('respects alarmOnEnter and alarmOnExit', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setGeofences([fence({ alarmOnEnter: false })]);
    rules.onPositions([pos('u1', 49, 10.5)]);
    expect(rules.onPositions([pos('u1', 50.1, 10.1)])).toEqual([]);
    expect(rules.onPositions([pos('u1', 49, 10.5)]).map((a) => a.kind)).toEqual(['geofence_exit']);
  });

  it('orders a batch by time, and a fence drawn around a unit raises nothing', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.onPositions([pos('u1', 50.1, 10.1, { at: T0 })]);
    rules.setGeofences([fence()]);
    expect(rules.onPositions([pos('u1', 50.15, 10.15, { at: T0 + 1000 })])).toEqual([]);
    // out then back in, delivered in reverse order
    const alarms = rules.onPositions([pos('u1', 50.1, 10.1, { at: T0 + 3000 }), pos('u1', 49, 10.1, { at: T0 + 2000 })]);
    expect(alarms.map((a) => a.kind)).toEqual(['geofence_exit', 'geofence_enter']);
  });

  it('is seeded from the latest positions, so a restart neither repeats nor misses', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setGeofences([fence()]);
    rules.seed([{ unitId: 'u1', ts: new Date(T0).toISOString(), lat: 50.1, lon: 10.1, speed: null, heading: null, accuracy: null, alt: null, battery: null, flags: null }]);
    expect(rules.onPositions([pos('u1', 50.2, 10.1, { at: T0 + 1000 })])).toEqual([]);
    expect(rules.onPositions([pos('u1', 49, 10.1, { at: T0 + 2000 })]).map((a) => a.kind)).toEqual(['geofence_exit']);
  });
});

describe('overspeed', () => {
  it('alarms once per episode and re-arms below 90 % of the limit', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setUnits([{ id: 'car', type: 'vehicle', disabled: false }]);
    const drive = (v: number) => rules.onPositions([pos('car', 48, 11, { speed: kmh(v) })]);
    expect(drive(79)).toEqual([]);
    const [alarm] = drive(95);
    expect(alarm).toMatchObject({ kind: 'overspeed', details: { speedKmh: 95, limitKmh: 80, unitType: 'vehicle' } });
    expect(drive(100)).toEqual([]);
    expect(drive(75)).toEqual([]); // above 72: still the same episode
    expect(drive(85)).toEqual([]);
    expect(drive(71)).toEqual([]); // below 72: re-armed
    expect(drive(81).map((a) => a.kind)).toEqual(['overspeed']);
  });

  it('uses the limit of the unit type; an unknown unit counts as a vehicle', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setUnits([{ id: 'cam', type: 'bodycam', disabled: false }]);
    expect(rules.onPositions([pos('cam', 48, 11, { speed: kmh(30) })])).toMatchObject([{ details: { limitKmh: 25, unitType: 'bodycam' } }]);
    expect(rules.onPositions([pos('ghost', 48, 11, { speed: kmh(30) })])).toEqual([]);
    expect(rules.onPositions([pos('ghost', 48, 11, { speed: kmh(90) })])).toMatchObject([{ details: { limitKmh: 80 } }]);
  });
});

describe('low battery', () => {
  it('alarms at the threshold once, and again only after recovering 5 points', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    const report = (battery: number) => rules.onPositions([pos('u1', 48, 11, { battery })]).map((a) => a.details?.battery);
    expect(report(16)).toEqual([]);
    expect(report(15)).toEqual([15]);
    expect(report(14)).toEqual([]);
    expect(report(19)).toEqual([]);
    expect(report(15)).toEqual([]);
    expect(report(20)).toEqual([]); // recovered: re-armed
    expect(report(12)).toEqual([12]);
  });
});

describe('offline', () => {
  it('alarms once after offlineAfterSeconds of silence and re-arms when the unit is heard again', () => {
    const c = clock();
    const rules = new AlarmRules({ config, now: c.now });
    rules.onPositions([pos('u1', 48, 11)]);
    c.advance(119_000);
    expect(rules.checkOffline()).toEqual([]);
    c.advance(1_000);
    const [alarm] = rules.checkOffline();
    expect(alarm).toMatchObject({
      kind: 'offline',
      unitId: 'u1',
      lat: 48,
      lon: 11,
      ts: new Date(c.now()),
      details: { reason: 'no_position', lastSeen: new Date(T0).toISOString(), offlineAfterSeconds: 120 },
    });
    c.advance(600_000);
    expect(rules.checkOffline()).toEqual([]);
    rules.onPositions([pos('u1', 48, 11, { at: c.now() })]);
    c.advance(120_000);
    expect(rules.checkOffline().map((a) => a.details?.reason)).toEqual(['no_position']);
  });

  it('alarms on a last will, not again for the silence that follows, and ignores stragglers', () => {
    const c = clock();
    const rules = new AlarmRules({ config, now: c.now });
    rules.onPositions([pos('u1', 48, 11, { at: T0 })]);
    const [will] = rules.onStatus({ unitId: 'u1', state: 'offline', ts: new Date(T0 + 2000).toISOString(), reason: 'last_will' });
    expect(will).toMatchObject({ kind: 'offline', details: { reason: 'last_will' } });
    expect(rules.onStatus({ unitId: 'u1', state: 'offline', ts: new Date(T0 + 3000).toISOString(), reason: 'last_will' })).toEqual([]);
    // a position sent before the will but committed after it does not end the episode
    rules.onPositions([pos('u1', 48, 11, { at: T0 + 1000 })]);
    c.advance(300_000);
    expect(rules.checkOffline()).toEqual([]);
    // back online: re-armed
    rules.onStatus({ unitId: 'u1', state: 'online', ts: new Date(c.now()).toISOString(), reason: 'connected' });
    expect(rules.onStatus({ unitId: 'u1', state: 'offline', ts: new Date(c.now() + 1).toISOString(), reason: 'last_will' })).toHaveLength(1);
  });

  it('raises nothing when a unit signs off cleanly, nor for the silence after it', () => {
    const c = clock();
    const rules = new AlarmRules({ config, now: c.now });
    rules.onPositions([pos('u1', 48, 11, { at: T0 })]);
    expect(rules.onStatus({ unitId: 'u1', state: 'offline', ts: new Date(T0 + 1000).toISOString(), reason: 'disconnected' })).toEqual([]);
    c.advance(600_000);
    expect(rules.checkOffline()).toEqual([]);
    // and a later lost link of the same unit, once back, does alarm
    rules.onStatus({ unitId: 'u1', state: 'online', ts: new Date(c.now()).toISOString(), reason: 'connected' });
    expect(rules.onStatus({ unitId: 'u1', state: 'offline', ts: new Date(c.now() + 1).toISOString(), reason: 'last_will' })).toHaveLength(1);
  });

  it('tells a connected unit without a position (no_position) from a disconnected one (offline)', () => {
    const c = clock();
    const rules = new AlarmRules({ config, now: c.now });
    const status = (state: 'online' | 'offline', reason: 'connected' | 'last_will') => rules.onStatus({ unitId: 'u1', state, ts: new Date(c.now()).toISOString(), reason });
    status('online', 'connected');
    rules.onPositions([pos('u1', 48, 11, { at: c.now() })]);
    // connected, streaming perhaps, but no fix: no_position after 60 s, never "offline"
    c.advance(59_000);
    expect(rules.checkOffline()).toEqual([]);
    c.advance(1_000);
    const [alarm] = rules.checkOffline();
    expect(alarm).toMatchObject({ kind: 'no_position', unitId: 'u1', lat: 48, lon: 11, details: { noPositionAfterSeconds: 60 } });
    c.advance(600_000);
    expect(rules.checkOffline()).toEqual([]); // one per episode
    // a position ends the episode; the next silence alarms again
    rules.onPositions([pos('u1', 48, 11, { at: c.now() })]);
    c.advance(60_000);
    expect(rules.checkOffline().map((a) => a.kind)).toEqual(['no_position']);
    // the link drops: that is "offline", even during a no-position episode
    expect(status('offline', 'last_will').map((a) => a.kind)).toEqual(['offline']);
    c.advance(600_000);
    expect(rules.checkOffline()).toEqual([]);
    // a connected unit that never sent a position alarms too, counted from its connect
    c.advance(1_000);
    rules.onStatus({ unitId: 'u2', state: 'online', ts: new Date(c.now()).toISOString(), reason: 'connected' });
    c.advance(60_000);
    expect(rules.checkOffline()).toMatchObject([{ kind: 'no_position', unitId: 'u2', details: { lastPositionTs: null } }]);
  });

  it('raises nothing for a disabled unit', () => {
    const c = clock();
    const rules = new AlarmRules({ config, now: c.now });
    rules.setUnits([{ id: 'u1', type: 'vehicle', disabled: true }]);
    rules.onPositions([pos('u1', 48, 11)]);
    expect(rules.onStatus({ unitId: 'u1', state: 'offline', ts: new Date(T0 + 5000).toISOString(), reason: 'last_will' })).toEqual([]);
    c.advance(600_000);
    expect(rules.checkOffline()).toEqual([]);
  });

  it('after a restart counts silence from the start, and does not repeat an alarmed episode', () => {
    const c = clock(T0 + 3_600_000); // the hub starts an hour after the last positions
    const rules = new AlarmRules({ config, now: c.now });
    const latest = (unitId: string, at: number) => ({ unitId, ts: new Date(at), lat: 48, lon: 11 });
    rules.seed([latest('alarmed', T0), latest('unalarmed', T0)], {
      offlineAlarms: [{ unitId: 'alarmed', ts: new Date(T0 + 120_000) }],
    });
    expect(rules.checkOffline()).toEqual([]);
    c.advance(120_000);
    expect(rules.checkOffline()).toMatchObject([{ unitId: 'unalarmed', details: { lastSeen: new Date(T0).toISOString() } }]);
  });
});

describe('late positions', () => {
  it('drive no state-based rule', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setGeofences([fence()]);
    rules.onPositions([pos('u1', 49, 10.5, { at: T0 + 10_000, speed: 0, battery: 90 })]);
    // older than the newest: inside the fence, too fast, low battery — all ignored
    expect(rules.onPositions([pos('u1', 50.1, 10.1, { at: T0 + 5_000, speed: kmh(150), battery: 3 })])).toEqual([]);
    expect(rules.onPositions([pos('u1', 49, 10.5, { at: T0 + 10_000, speed: kmh(150) })])).toEqual([]); // same time: not newer
    // the state is unchanged: entering now alarms
    expect(rules.onPositions([pos('u1', 50.1, 10.1, { at: T0 + 11_000 })]).map((a) => a.kind)).toEqual(['geofence_enter']);
  });
});

describe('geofence edge hysteresis', () => {
  // a 1 km square fence in Shenzhen; the east edge at lon 114.0
  const lat0 = 22.5;
  const mPerDegLon = 111_195 * Math.cos((lat0 * Math.PI) / 180);
  const east = (metres: number) => 114.0 + metres / mPerDegLon;
  const square: Geofence = fence({
    id: 9,
    name: 'Market',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [113.99, 22.495],
          [114.0, 22.495],
          [114.0, 22.505],
          [113.99, 22.505],
          [113.99, 22.495],
        ],
      ],
    },
  });

  it('a unit wobbling across the edge within its accuracy raises no alarm; a clear crossing does', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setGeofences([square]);
    rules.onPositions([pos('w1', lat0, east(-30), { accuracy: 10 })]); // inside, 30 m from the edge
    const wobble = [4, -4, 6, -5, 8, -3].flatMap((m) => rules.onPositions([pos('w1', lat0, east(m), { accuracy: 10 })]));
    expect(wobble).toEqual([]);
    const [exit] = rules.onPositions([pos('w1', lat0, east(15), { accuracy: 10 })]);
    expect(exit).toMatchObject({ kind: 'geofence_exit', unitId: 'w1' });
    expect(rules.onPositions([pos('w1', lat0, east(-5), { accuracy: 10 })])).toEqual([]);
    expect(rules.onPositions([pos('w1', lat0, east(-12), { accuracy: 10 })]).map((a) => a.kind)).toEqual(['geofence_enter']);
  });

  it('a fix without accuracy needs only the minimum margin; a very poor one is capped', () => {
    const rules = new AlarmRules({ config, now: clock().now });
    rules.setGeofences([square]);
    rules.onPositions([pos('w2', lat0, east(-100))]);
    expect(rules.onPositions([pos('w2', lat0, east(2))])).toEqual([]);
    expect(rules.onPositions([pos('w2', lat0, east(5))]).map((a) => a.kind)).toEqual(['geofence_exit']);
    // accuracy 500 m: capped at 50 m, so a crossing by 60 m still counts
    expect(rules.onPositions([pos('w2', lat0, east(-60), { accuracy: 500 })]).map((a) => a.kind)).toEqual(['geofence_enter']);
  });
});
