// JT/T 808 vehicle terminals: units found by their phone number, and their authentication code
// (JT/T 808-2019 0x8100/0x0102), a credential like the MQTT secret: random, shown once (to the
// terminal in 0x8100, or to the admin who rotates it), kept as its SHA-256 (credentials.ts).
import { randomBytes } from 'node:crypto';
import type { Jt808AuthCode } from '@hub/config';
import { HubError } from '@hub/platform';
import { checkSecret, hashSecret } from './credentials';
import type { CredentialCheck, Queryable } from './types';

/** 404 HUB_ERR_JT808_TERMINAL_NOT_FOUND: no unit with this id is a JT/T 808 terminal. */
export class NotATerminalError extends HubError {
  constructor(unitId: string) {
    super('HUB_ERR_JT808_TERMINAL_NOT_FOUND', 404, `unit ${JSON.stringify(unitId)} does not exist or is not a JT/T 808 terminal (set its jt808.terminalId first)`);
  }
}

/** What the gateway needs to know of a terminal's unit. */
export interface TerminalUnit {
  unitId: string;
  disabled: boolean;
  /** holds an authentication code */
  registered: boolean;
}

/** A terminal's phone number as its header carries it (BCD digits, zero-padded to 12 or 20) → the unit's `jt808_terminal_id`. */
export function terminalIdOf(phone: string): string {
  return phone.replace(/^0+(?=.)/, '');
}

/** The unit whose terminal has this phone number (header digits, padded or not); undefined when none. */
export async function findTerminal(db: Queryable, phone: string): Promise<TerminalUnit | undefined> {
  const { rows } = await db.query<{ id: string; disabled: boolean; registered: boolean }>(`SELECT id, disabled, jt808_auth_hash IS NOT NULL AS registered FROM units WHERE jt808_terminal_id = $1`, [
    terminalIdOf(phone),
  ]);
  const row = rows[0];
  return row && { unitId: row.id, disabled: row.disabled, registered: row.registered };
}

/**
 * Issues a terminal's authentication code (the old one stops working). `onlyIfUnregistered`:
 * registration 0x0100 issues one only to a terminal that holds none, in the same statement, so
 * that two registrations at once cannot both get one. Undefined when nothing was issued.
 */
export async function issueAuthCode(db: Queryable, unitId: string, opts: { onlyIfUnregistered?: boolean } = {}): Promise<Jt808AuthCode | undefined> {
  // 24 random bytes: 32 characters of base64url, well inside 0x0102's 255-byte code
  const authCode = randomBytes(24).toString('base64url');
  const { rows } = await db.query<{ terminal: string }>(
    `UPDATE units SET jt808_auth_hash = $2, updated_at = now()
      WHERE id = $1 AND jt808_terminal_id IS NOT NULL ${opts.onlyIfUnregistered ? 'AND jt808_auth_hash IS NULL' : ''}
      RETURNING jt808_terminal_id AS terminal`,
    [unitId, hashSecret(authCode)],
  );
  return rows[0] && { unitId, terminalId: rows[0].terminal, authCode };
}

/** Forgets a terminal's authentication code: it must register (0x0100) again. False when the unit is no terminal. */
export async function clearAuthCode(db: Queryable, unitId: string): Promise<boolean> {
  const { rows } = await db.query(`UPDATE units SET jt808_auth_hash = NULL, updated_at = now() WHERE id = $1 AND jt808_terminal_id IS NOT NULL RETURNING id`, [unitId]);
  return rows.length > 0;
}

/** Checks a terminal's authentication code (0x0102), the code before the disabled flag, as verifyCredential does. */
export async function verifyAuthCode(db: Queryable, unitId: string, authCode: string): Promise<CredentialCheck> {
  const { rows } = await db.query<{ disabled: boolean; hash: string | null }>(`SELECT disabled, jt808_auth_hash AS hash FROM units WHERE id = $1`, [unitId]);
  const row = rows[0];
  return row ? checkSecret(row.hash, row.disabled, authCode) : 'unknown_unit';
}
