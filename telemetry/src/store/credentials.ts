// Unit credentials: MQTT username = unit id, password = a random secret shown once.
// The secret has 256 bits of entropy, so a single SHA-256 is as safe as a slow KDF
// against guessing, and a CONNECT storm of 10,000 units costs microseconds each, not
// seconds of scrypt.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UnitCredential } from '@hub/config';
import type { CredentialCheck, Queryable } from './types';

/** sha256 of the secret, hex: what is stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Issues (or rotates: the old secret stops working) a unit's credential; undefined when no such unit. */
export async function issueCredential(db: Queryable, unitId: string): Promise<UnitCredential | undefined> {
  const secret = randomBytes(32).toString('base64url');
  const { rows } = await db.query(`UPDATE units SET secret_hash = $2, updated_at = now() WHERE id = $1 RETURNING id`, [unitId, hashSecret(secret)]);
  if (rows.length === 0) return undefined;
  return { unitId, username: unitId, secret };
}

/** The stored hash of a unit's secret; null when none is issued (or no such unit). */
export async function secretHash(db: Queryable, unitId: string): Promise<string | null> {
  const { rows } = await db.query<{ secret_hash: string | null }>(`SELECT secret_hash FROM units WHERE id = $1`, [unitId]);
  return rows[0]?.secret_hash ?? null;
}

/**
 * Checks a unit's secret. The secret is checked before the disabled flag, so a wrong
 * secret learns nothing about the unit's state.
 */
export async function verifyCredential(db: Queryable, unitId: string, secret: string): Promise<CredentialCheck> {
  const { rows } = await db.query<{ disabled: boolean; secret_hash: string | null }>(`SELECT disabled, secret_hash FROM units WHERE id = $1`, [unitId]);
  const row = rows[0];
  return row ? checkSecret(row.secret_hash, row.disabled, secret) : 'unknown_unit';
}

/** A secret against its stored hash (null: none issued), then the disabled flag. Also the JT/T 808 authentication code's check (terminals.ts). */
export function checkSecret(storedHash: string | null, disabled: boolean, secret: string): Exclude<CredentialCheck, 'unknown_unit'> {
  if (!storedHash) return 'no_credential';
  const stored = Buffer.from(storedHash, 'hex');
  const given = Buffer.from(hashSecret(secret), 'hex');
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return 'bad_secret';
  if (disabled) return 'disabled';
  return 'ok';
}
