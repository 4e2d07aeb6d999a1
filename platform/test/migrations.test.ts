// The runner's order: every step after what it builds on, otherwise as given; bad lists refused.
import { describe, expect, it } from 'vitest';
import { orderMigrations, type Migration } from '../src';

const step = (id: string, after?: string[]): Migration => ({ id, after, up: () => [] });

describe('orderMigrations', () => {
  it('puts each step after the steps it names, keeping the given order otherwise', () => {
    const list = [step('hub.001_streams', ['telemetry.001_core']), step('identity.001_operators'), step('telemetry.001_core'), step('telemetry.002_positions', ['telemetry.001_core'])];
    expect(orderMigrations(list).map((m) => m.id)).toEqual(['telemetry.001_core', 'hub.001_streams', 'identity.001_operators', 'telemetry.002_positions']);
  });

  it('refuses a step after an unknown id, a cycle and a duplicate id, naming them', () => {
    expect(() => orderMigrations([step('a.001', ['b.001'])])).toThrow(/a\.001 comes after b\.001, which is not among/);
    expect(() => orderMigrations([step('a.001', ['b.001']), step('b.001', ['a.001'])])).toThrow(/cycle/);
    expect(() => orderMigrations([step('a.001'), step('a.001')])).toThrow(/two migrations have the id a\.001/);
  });
});
