// KPIs from a trail with known times: counts, medians and 90th percentiles (linear
// interpolation, as percentile_cont) per district, unit and team; CSV; and the tar writer.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpis, kpisCsv } from '../src/kpis';
import { tarStream } from '../src/tar';
import { createMigratedDatabase, type MigratedDatabase } from '../../test-support/migrated-db';

let m: MigratedDatabase;
const T0 = Date.parse('2026-11-01T08:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/**
 * An incident created at `start` s with its events at offsets (s) from its creation: `ack` is each
 * unit's acceptance (the person), delivered 1 s before it (the device); `alarmAck` the operator's
 * acknowledgement of the incident's alarm.
 */
async function incident(start: number, district: string | null, steps: { dispatch?: number; ack?: [string, number][]; onScene?: [string, number][]; resolve?: number; alarmAck?: number }) {
  let alarmId: number | null = null;
  if (steps.alarmAck !== undefined) {
    const { rows: a } = await m.db.query<{ id: number }>(`INSERT INTO alarms (unit_id, kind, ts, acknowledged_at) VALUES ('u1', 'sos', $1, $2) RETURNING id`, [at(start), at(start + steps.alarmAck)]);
    alarmId = a[0]!.id;
  }
  const { rows } = await m.db.query<{ id: number }>(
    `INSERT INTO incidents (type, source, lat, lon, district, created_by, created_at, alarm_id) VALUES ('hotline', 'manual', 22.5, 114, $1, 'test', $2, $3) RETURNING id`,
    [district, at(start), alarmId],
  );
  const id = rows[0]!.id;
  const ev = (s: number, kind: string, to: string | null, detail: object = {}) =>
    m.db.query(`INSERT INTO incident_events (incident_id, ts, actor, kind, to_state, detail) VALUES ($1, $2, 'test', $3, $4, $5)`, [id, at(start + s), kind, to, JSON.stringify(detail)]);
  await ev(0, 'created', 'reported');
  if (steps.dispatch !== undefined) {
    await ev(steps.dispatch, 'transition', 'dispatched');
    for (const [unitId] of steps.ack ?? []) await ev(steps.dispatch, 'dispatch_sent', null, { unitId });
  }
  for (const [unitId, s] of steps.ack ?? []) {
    await ev(s - 1, 'unit_delivered', null, { unitId });
    await ev(s, 'unit_accepted', null, { unitId });
  }
  let first = true;
  for (const [unitId, s] of steps.onScene ?? []) {
    await ev(s, 'unit_on_scene', null, { unitId });
    if (first) await ev(s, 'transition', 'on_scene');
    first = false;
  }
  if (steps.resolve !== undefined) await ev(steps.resolve, 'transition', 'resolved');
  return id;
}

beforeAll(async () => {
  m = await createMigratedDatabase();
  await m.db.query(`INSERT INTO units (id, name, type, team) VALUES ('u1', 'u1', 'vehicle', 'red'), ('u2', 'u2', 'vehicle', 'red'), ('u3', 'u3', 'bodycam', 'blue')`);
  // Futian: dispatch after 10, 20, 30, 40 s; resolve after 100, 200, 300, (never)
  await incident(0, 'Futian', { dispatch: 10, ack: [['u1', 15]], onScene: [['u1', 60]], resolve: 100, alarmAck: 4 });
  await incident(10, 'Futian', {
    dispatch: 20,
    ack: [
      ['u1', 30],
      ['u2', 25],
    ],
    onScene: [
      ['u2', 90],
      ['u1', 120],
    ],
    resolve: 200,
  });
  await incident(20, 'Futian', { dispatch: 30, ack: [['u3', 50]], resolve: 300 });
  await incident(30, 'Futian', { dispatch: 40 });
  await incident(40, 'Nanshan', { dispatch: 5, ack: [['u3', 7]], onScene: [['u3', 70]], resolve: 80 });
  await incident(50, null, {});
  await incident(-86_400, 'Futian', { dispatch: 1, resolve: 2 }); // a day before: outside the period
});
afterAll(async () => {
  await m?.close();
});

describe('KPIs', () => {
  const from = new Date(T0 - 3_600_000);
  const to = new Date(T0 + 3_600_000);

  it('per incident: seconds from creation to each milestone', async () => {
    const k = await kpis(m.db, from, to, 'district');
    expect(k.incidents).toHaveLength(6);
    expect(k.incidents[0]).toMatchObject({ acknowledgeS: 4, dispatchS: 10, deliverS: 14, acceptS: 15 });
    expect(k.incidents[1]).toMatchObject({ dispatchS: 20, deliverS: 24, acceptS: 25, acknowledgeS: null, arriveS: 90, resolveS: 200 });
    expect(k.incidents[5]).toMatchObject({ dispatchS: null, acknowledgeS: null, deliverS: null, acceptS: null, arriveS: null, resolveS: null });
  });

  it('per district: counts, medians and 90th percentiles (linear interpolation)', async () => {
    const k = await kpis(m.db, from, to, 'district');
    expect(k.groups.map((g) => g.key)).toEqual(['Futian', 'Nanshan', '(none)']);
    const futian = k.groups[0]!;
    expect(futian.incidents).toBe(4);
    // dispatch 10, 20, 30, 40: median 25; p90 = 30 + 0.7 × 10 = 37
    expect(futian.dispatch).toEqual({ count: 4, median: 25, p90: 37 });
    // resolve 100, 200, 300: median 200; p90 = 200 + 0.8 × 100 = 280
    expect(futian.resolve).toEqual({ count: 3, median: 200, p90: 280 });
    // first acceptance 15, 25, 50 → median 25, p90 = 25 + 0.8 × 25 = 45; each delivered 1 s before; first arrival 60, 90
    expect(futian.accept).toEqual({ count: 3, median: 25, p90: 45 });
    expect(futian.deliver).toEqual({ count: 3, median: 24, p90: 44 });
    expect(futian.acknowledge).toEqual({ count: 1, median: 4, p90: 4 });
    expect(futian.arrive).toEqual({ count: 2, median: 75, p90: 87 });
    expect(k.groups[2]).toMatchObject({ key: '(none)', incidents: 1, dispatch: { count: 0, median: null, p90: null } });
  });

  it('per unit and team: each unit’s own acknowledgement and arrival', async () => {
    const byUnit = await kpis(m.db, from, to, 'unit');
    const u1 = byUnit.groups.find((g) => g.key === 'u1')!;
    expect(u1.incidents).toBe(2);
    expect(u1.accept).toEqual({ count: 2, median: 22.5, p90: 28.5 }); // 15 and 30 s after each creation
    expect(u1.deliver).toEqual({ count: 2, median: 21.5, p90: 27.5 });
    expect(u1.arrive).toMatchObject({ count: 2, median: 90 }); // 60 and 120
    const byTeam = await kpis(m.db, from, to, 'team');
    expect(byTeam.groups.map((g) => [g.key, g.incidents])).toEqual([
      ['blue', 2],
      ['red', 2],
    ]);
    const red = byTeam.groups.find((g) => g.key === 'red')!;
    expect(red.accept.count).toBe(3); // u1 twice, u2 once
  });

  it('writes CSV with one row per group', async () => {
    const csv = kpisCsv(await kpis(m.db, from, to, 'district')).split('\r\n');
    expect(csv[0]!.split(',')).toHaveLength(21);
    // acknowledge, dispatch, deliver, accept, arrive, resolve: count, median, p90 each; then resolved by notice
    expect(csv[1]).toBe('Futian,4,1,4,4,4,25,37,3,24,44,3,25,45,2,75,87,3,200,280,0');
    expect(csv[3]).toBe('(none),1,0,,,0,,,0,,,0,,,0,,,0,,,0');
  });
});

describe('tar writer', () => {
  it('writes ustar entries that GNU tar lists and extracts byte for byte', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/tar-test-`);
    const big = Buffer.alloc(1500, 7);
    const chunks: Buffer[] = [];
    const seen = new Map<string, ReturnType<typeof createHash>>();
    for await (const c of tarStream(
      [
        { name: 'pack/a.txt', size: 5, data: Buffer.from('hello') },
        { name: 'pack/b.bin', size: big.length, data: big },
        { name: `pack/segments/${'u'.repeat(64)}/${'r'.repeat(36)}-123456.ts`, size: 3, data: Buffer.from('abc') },
      ],
      (n, c) => (seen.get(n) ?? seen.set(n, createHash('sha256')).get(n)!).update(c),
    ))
      chunks.push(c);
    const archive = Buffer.concat(chunks);
    expect(archive.length % 512).toBe(0);
    writeFileSync(`${dir}/x.tar`, archive);
    expect(
      execFileSync('tar', ['-tf', `${dir}/x.tar`])
        .toString()
        .trim()
        .split('\n'),
    ).toEqual(['pack/a.txt', 'pack/b.bin', `pack/segments/${'u'.repeat(64)}/${'r'.repeat(36)}-123456.ts`]);
    execFileSync('tar', ['-xf', `${dir}/x.tar`, '-C', dir]);
    expect(readFileSync(`${dir}/pack/a.txt`, 'utf8')).toBe('hello');
    expect(readFileSync(`${dir}/pack/b.bin`).equals(big)).toBe(true);
    expect(readFileSync(`${dir}/pack/segments/${'u'.repeat(64)}/${'r'.repeat(36)}-123456.ts`, 'utf8')).toBe('abc'); // a name past 100 bytes, in the ustar prefix
    expect(seen.get('pack/b.bin')!.digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
  });
});
