// Units and their credentials against the embedded PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createMigratedDatabase, type MigratedDatabase } from '../../../test-support/migrated-db';
import { createUnit, getUnit, isUnitOnline, listUnits, setUnitOnline, updateUnit, UnitExistsError } from '../../src/store/units';
import { hashSecret, issueCredential, verifyCredential } from '../../src/store/credentials';

let mdb: MigratedDatabase;
let db: pg.Pool;

beforeAll(async () => {
  mdb = await createMigratedDatabase(2);
  db = mdb.db;
  await createUnit(db, { id: 'car-1', name: 'Patrol 1', type: 'vehicle', team: 'north', district: 'Mitte' });
  await createUnit(db, { id: 'car-2', name: 'Patrol 100%', type: 'vehicle' });
  await createUnit(db, { id: 'cam-7', name: 'Officer Weber', type: 'bodycam' });
});
afterAll(() => mdb?.close());

describe('units', () => {
  it('creates a unit and reads it back with ISO dates', async () => {
    const u = await getUnit(db, 'car-1');
    expect(u).toMatchObject({ id: 'car-1', name: 'Patrol 1', type: 'vehicle', team: 'north', district: 'Mitte', disabled: false, hasCredential: false });
    expect(u!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(await getUnit(db, 'nope')).toBeUndefined();
  });

  it('refuses a second unit with the same id', async () => {
    const err = await createUnit(db, { id: 'car-1', name: 'x', type: 'vehicle' }).catch((e) => e);
    expect(err).toBeInstanceOf(UnitExistsError);
    expect(err).toMatchObject({ code: 'HUB_ERR_UNIT_EXISTS', statusCode: 409, unitId: 'car-1' });
  });

  it('lists with filters; the search matches id or name literally', async () => {
    expect((await listUnits(db)).map((u) => u.id)).toEqual(['cam-7', 'car-1', 'car-2']);
    expect((await listUnits(db, { type: 'bodycam' })).map((u) => u.id)).toEqual(['cam-7']);
    expect((await listUnits(db, { search: 'WEBER' })).map((u) => u.id)).toEqual(['cam-7']);
    expect((await listUnits(db, { search: 'CAR-' })).map((u) => u.id)).toEqual(['car-1', 'car-2']);
    expect((await listUnits(db, { search: '0%' })).map((u) => u.id)).toEqual(['car-2']);
  });

  it('updates only the given fields, and says when the unit does not exist', async () => {
    const before = await getUnit(db, 'car-2');
    const u = await updateUnit(db, 'car-2', { team: 'south', disabled: true });
    expect(u).toMatchObject({ name: 'Patrol 100%', team: 'south', disabled: true });
    expect(Date.parse(u!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before!.updatedAt));
    expect((await listUnits(db, { disabled: true })).map((x) => x.id)).toEqual(['car-2']);
    expect(await updateUnit(db, 'ghost', { name: 'x' })).toBeUndefined();
    expect(await updateUnit(db, 'car-2', {})).toMatchObject({ team: 'south' });
  });

  it('records online state, ignoring a report older than the last one', async () => {
    await setUnitOnline(db, 'car-1', true, new Date('2025-01-01T10:00:00Z'));
    expect(await isUnitOnline(db, 'car-1')).toBe(true);
    await setUnitOnline(db, 'car-1', false, new Date('2025-01-01T09:59:00Z')); // a late last will
    expect(await isUnitOnline(db, 'car-1')).toBe(true);
    await setUnitOnline(db, 'car-1', false, new Date('2025-01-01T10:05:00Z'));
    expect(await isUnitOnline(db, 'car-1')).toBe(false);
    expect(await isUnitOnline(db, 'ghost')).toBeUndefined();
  });
});

describe('credentials', () => {
  it('issues a secret, keeps only its hash, and verifies it', async () => {
    expect(await verifyCredential(db, 'cam-7', 'anything')).toBe('no_credential');
    const cred = await issueCredential(db, 'cam-7');
    expect(cred).toMatchObject({ unitId: 'cam-7', username: 'cam-7' });
    expect(Buffer.from(cred!.secret, 'base64url')).toHaveLength(32);
    const { rows } = await db.query(`SELECT secret_hash FROM units WHERE id = 'cam-7'`);
    expect(rows[0].secret_hash).toBe(hashSecret(cred!.secret));
    expect(rows[0].secret_hash).not.toContain(cred!.secret);
    expect((await getUnit(db, 'cam-7'))?.hasCredential).toBe(true);

    expect(await verifyCredential(db, 'cam-7', cred!.secret)).toBe('ok');
    expect(await verifyCredential(db, 'cam-7', cred!.secret + 'x')).toBe('bad_secret');
    expect(await verifyCredential(db, 'cam-7', '')).toBe('bad_secret');
    expect(await verifyCredential(db, 'ghost', cred!.secret)).toBe('unknown_unit');
  });

  it('a rotated credential replaces the old one', async () => {
    const first = await issueCredential(db, 'car-1');
    const second = await issueCredential(db, 'car-1');
    expect(second!.secret).not.toBe(first!.secret);
    expect(await verifyCredential(db, 'car-1', first!.secret)).toBe('bad_secret');
    expect(await verifyCredential(db, 'car-1', second!.secret)).toBe('ok');
  });

  it('refuses a disabled unit even with the right secret', async () => {
    const cred = await issueCredential(db, 'car-2'); // disabled above
    expect(await verifyCredential(db, 'car-2', cred!.secret)).toBe('disabled');
    expect(await verifyCredential(db, 'car-2', 'wrong')).toBe('bad_secret');
  });

  it('issues nothing for an unknown unit', async () => {
    expect(await issueCredential(db, 'ghost')).toBeUndefined();
  });
});
