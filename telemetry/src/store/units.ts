// Units (vehicles and body cams): the register the broker authenticates against.
import type { Unit, UnitCreate, UnitUpdate } from '@hub/config';
import type { Queryable, UnitFilter } from './types';
import { likeLiteral, toIso } from '@hub/platform';
import { ConflictError } from '@hub/platform';

/** 409 HUB_ERR_UNIT_EXISTS: a unit with this id already exists. */
export class UnitExistsError extends ConflictError {
  constructor(readonly unitId: string) {
    super('HUB_ERR_UNIT_EXISTS', `unit ${JSON.stringify(unitId)} already exists`, { unitId });
  }
}

interface UnitRow {
  id: string;
  name: string;
  type: Unit['type'];
  team: string | null;
  district: string | null;
  disabled: boolean;
  has_credential: boolean;
  jt808_terminal_id: string | null;
  jt808_registered: boolean;
  jt808_channels: number[];
  created_at: Date | string;
  updated_at: Date | string;
}

// Never the hash itself: only whether there is one.
const COLUMNS = `id, name, type, team, district, disabled, secret_hash IS NOT NULL AS has_credential,
  jt808_terminal_id, jt808_auth_hash IS NOT NULL AS jt808_registered, jt808_channels, created_at, updated_at`;

function toUnit(r: UnitRow): Unit {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    team: r.team,
    district: r.district,
    disabled: r.disabled,
    hasCredential: r.has_credential,
    ...(r.jt808_terminal_id !== null && { jt808: { terminalId: r.jt808_terminal_id, registered: r.jt808_registered, channels: r.jt808_channels } }),
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

/** 409 HUB_ERR_JT808_TERMINAL_TAKEN: another unit is already this JT/T 808 terminal. */
export class TerminalTakenError extends ConflictError {
  constructor(readonly terminalId: string) {
    super('HUB_ERR_JT808_TERMINAL_TAKEN', `another unit is already the JT/T 808 terminal with phone number ${terminalId}: one terminal is one unit`, { terminalId });
  }
}

/** A unique violation → the conflict it means: the terminal's phone number, else the unit id. */
function conflictOf(err: unknown, unitId: string, terminalId: string | undefined): unknown {
  const e = err as { code?: string; constraint?: string };
  if (e.code !== '23505') return err;
  return e.constraint === 'units_jt808_terminal_id_key' ? new TerminalTakenError(terminalId ?? '') : new UnitExistsError(unitId);
}

/** Registers a unit (without a credential). Throws UnitExistsError on a taken id. */
export async function createUnit(db: Queryable, unit: UnitCreate): Promise<Unit> {
  try {
    const { rows } = await db.query<UnitRow>(`INSERT INTO units (id, name, type, team, district, jt808_terminal_id, jt808_channels) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`, [
      unit.id,
      unit.name,
      unit.type,
      unit.team ?? null,
      unit.district ?? null,
      unit.jt808?.terminalId ?? null,
      unit.jt808?.channels ?? [1],
    ]);
    return toUnit(rows[0]!);
  } catch (err) {
    throw conflictOf(err, unit.id, unit.jt808?.terminalId);
  }
}

/** Units by id, narrowed by `filter`. */
export async function listUnits(db: Queryable, filter: UnitFilter = {}): Promise<Unit[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.type !== undefined) {
    params.push(filter.type);
    where.push(`type = $${params.length}`);
  }
  if (filter.disabled !== undefined) {
    params.push(filter.disabled);
    where.push(`disabled = $${params.length}`);
  }
  if (filter.search) {
    params.push(`%${likeLiteral(filter.search)}%`);
    where.push(`(id ILIKE $${params.length} OR name ILIKE $${params.length})`);
  }
  const { rows } = await db.query<UnitRow>(`SELECT ${COLUMNS} FROM units ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, params);
  return rows.map(toUnit);
}

export async function getUnit(db: Queryable, unitId: string): Promise<Unit | undefined> {
  const { rows } = await db.query<UnitRow>(`SELECT ${COLUMNS} FROM units WHERE id = $1`, [unitId]);
  return rows[0] && toUnit(rows[0]);
}

const UPDATABLE = { name: 'name', type: 'type', team: 'team', district: 'district', disabled: 'disabled' } as const;

/** Applies the fields present in `patch`; undefined when there is no such unit. */
export async function updateUnit(db: Queryable, unitId: string, patch: UnitUpdate): Promise<Unit | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [unitId];
  for (const [field, column] of Object.entries(UPDATABLE) as [keyof UnitUpdate, string][]) {
    if (patch[field] === undefined) continue;
    params.push(patch[field]);
    sets.push(`${column} = $${params.length}`);
  }
  if (patch.jt808 !== undefined) {
    params.push(patch.jt808?.terminalId ?? null);
    // another terminal in the vehicle registers afresh: the old one's code must not let it in
    sets.push(`jt808_auth_hash = CASE WHEN jt808_terminal_id IS NOT DISTINCT FROM $${params.length} THEN jt808_auth_hash END`, `jt808_terminal_id = $${params.length}`);
    if (patch.jt808?.channels) {
      params.push(patch.jt808.channels);
      sets.push(`jt808_channels = $${params.length}`);
    }
  }
  if (sets.length === 0) return getUnit(db, unitId);
  try {
    const { rows } = await db.query<UnitRow>(`UPDATE units SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, params);
    return rows[0] && toUnit(rows[0]);
  } catch (err) {
    throw conflictOf(err, unitId, patch.jt808?.terminalId);
  }
}

/**
 * Records a unit going online or offline at `ts`. A report older than the last one
 * recorded is ignored (a late last will must not overrule a reconnect).
 */
export async function setUnitOnline(db: Queryable, unitId: string, online: boolean, ts: Date): Promise<void> {
  await db.query(
    `UPDATE units SET online = $2, status_changed_at = $3
      WHERE id = $1 AND (status_changed_at IS NULL OR status_changed_at <= $3)`,
    [unitId, online, ts],
  );
}

/** Whether a unit is recorded as online; undefined when there is no such unit. */
export async function isUnitOnline(db: Queryable, unitId: string): Promise<boolean | undefined> {
  const { rows } = await db.query<{ online: boolean }>(`SELECT online FROM units WHERE id = $1`, [unitId]);
  return rows[0]?.online;
}

/** Ids of the units recorded as online (for offline checks after a restart). */
export async function listOnlineUnitIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM units WHERE online ORDER BY id`);
  return rows.map((r) => r.id);
}
