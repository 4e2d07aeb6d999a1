import { describe, expect, it } from 'vitest';
import type { Alarm, AlarmKind } from '@hub/config';
import { groupAlarms, mostUrgentOpen } from '../src/wall/alarms/alarm-groups';

let nextId = 1;
function alarm(unitId: string, kind: AlarmKind, second: number, more: Partial<Alarm> = {}): Alarm {
  return {
    id: nextId++,
    unitId,
    kind,
    ts: new Date(Date.UTC(2026, 0, 1, 8, 0, second)).toISOString(),
    lat: null,
    lon: null,
    details: {},
    acknowledgedAt: null,
    acknowledgedBy: null,
    note: null,
    repeats: 0,
    lastRepeatAt: null,
    ...more,
  };
}

describe('groupAlarms', () => {
  it('makes one row per unit and kind, counts repeats, and puts the most urgent open group first', () => {
    const acked = { acknowledgedAt: '2026-01-01T08:05:00.000Z', acknowledgedBy: 'ops' };
    const groups = groupAlarms([
      alarm('car-1', 'overspeed', 1),
      alarm('car-1', 'overspeed', 9, { repeats: 4, lastRepeatAt: '2026-01-01T08:00:50.000Z' }),
      alarm('car-2', 'low_battery', 30),
      alarm('cam-1', 'sos', 2),
      alarm('car-3', 'offline', 40, acked),
      alarm('car-2', 'overspeed', 20),
    ]);
    expect(groups.map((g) => `${g.unitId}/${g.kind}`)).toEqual(['cam-1/sos', 'car-1/overspeed', 'car-2/overspeed', 'car-2/low_battery', 'car-3/offline']);
    const car1 = groups[1]!;
    expect(car1.occurrences).toBe(6); // two alarms and the four repeats on the newer one
    expect(car1.latestTs).toBe('2026-01-01T08:00:50.000Z');
    expect(car1.open.map((a) => a.ts)).toEqual(['2026-01-01T08:00:09.000Z', '2026-01-01T08:00:01.000Z']);
    expect(groups[4]!.open).toEqual([]);
  });

  it('in wall mode shows the most urgent open alarm, not the newest', () => {
    const sos = alarm('cam-1', 'sos', 1);
    expect(mostUrgentOpen([alarm('car-1', 'overspeed', 50), sos, alarm('car-2', 'low_battery', 59)])).toBe(sos);
    expect(mostUrgentOpen([alarm('car-1', 'overspeed', 1, { acknowledgedAt: '2026-01-01T08:01:00.000Z' })])).toBeUndefined();
  });
});
