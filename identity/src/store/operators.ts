// Operators and their sessions. Passwords are kept as scrypt hashes, session tokens as
// SHA-256 hashes: a copy of the database lets no one log in.
import type { Operator, OperatorRole } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso, toIsoOrNull } from '@hub/platform';

interface OperatorRow {
  username: string;
  display_name: string;
  role: OperatorRole;
  password_hash: string | null;
  disabled: boolean;
  created_at: Date | string;
  last_login_at: Date | string | null;
}

export interface StoredOperator extends Operator {
  /** null for the built-in admin, whose password is the admin token */
  passwordHash: string | null;
}

const COLUMNS = 'username, display_name, role, password_hash, disabled, created_at, last_login_at';

function toStored(r: OperatorRow): StoredOperator {
  return {
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    disabled: r.disabled,
    createdAt: toIso(r.created_at),
    lastLoginAt: toIsoOrNull(r.last_login_at),
    passwordHash: r.password_hash,
  };
}

/** The operator as the API shows it: never the hash. */
export function publicOperator(o: StoredOperator): Operator {
  const { passwordHash: _hash, ...rest } = o;
  return rest;
}

export async function insertOperator(db: Queryable, o: { username: string; displayName: string; role: OperatorRole; passwordHash: string | null }): Promise<StoredOperator | null> {
  const { rows } = await db.query<OperatorRow>(
    `INSERT INTO operators (username, display_name, role, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [o.username, o.displayName, o.role, o.passwordHash],
  );
  return rows[0] ? toStored(rows[0]) : null;
}

export async function getOperator(db: Queryable, username: string): Promise<StoredOperator | null> {
  const { rows } = await db.query<OperatorRow>(`SELECT ${COLUMNS} FROM operators WHERE username = $1`, [username]);
  return rows[0] ? toStored(rows[0]) : null;
}

export async function listOperators(db: Queryable): Promise<StoredOperator[]> {
  const { rows } = await db.query<OperatorRow>(`SELECT ${COLUMNS} FROM operators ORDER BY username`);
  return rows.map(toStored);
}

export async function updateOperator(
  db: Queryable,
  username: string,
  change: { displayName?: string; role?: OperatorRole; disabled?: boolean; passwordHash?: string },
): Promise<StoredOperator | null> {
  const { rows } = await db.query<OperatorRow>(
    `UPDATE operators SET
       display_name = COALESCE($2, display_name),
       role = COALESCE($3, role),
       disabled = COALESCE($4, disabled),
       password_hash = COALESCE($5, password_hash)
     WHERE username = $1 RETURNING ${COLUMNS}`,
    [username, change.displayName ?? null, change.role ?? null, change.disabled ?? null, change.passwordHash ?? null],
  );
  return rows[0] ? toStored(rows[0]) : null;
}

export async function insertSession(db: Queryable, tokenHash: Buffer, username: string, expiresAt: Date): Promise<void> {
  await db.query('INSERT INTO operator_sessions (token_hash, username, expires_at) VALUES ($1, $2, $3)', [tokenHash, username, expiresAt]);
  await db.query('UPDATE operators SET last_login_at = now() WHERE username = $1', [username]);
}

/** The live session's operator, or null when the token is unknown, expired or the operator disabled. */
export async function sessionOperator(db: Queryable, tokenHash: Buffer): Promise<StoredOperator | null> {
  const { rows } = await db.query<OperatorRow>(
    `SELECT o.username, o.display_name, o.role, o.password_hash, o.disabled, o.created_at, o.last_login_at
       FROM operator_sessions s JOIN operators o USING (username)
      WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT o.disabled`,
    [tokenHash],
  );
  return rows[0] ? toStored(rows[0]) : null;
}

export async function deleteSession(db: Queryable, tokenHash: Buffer): Promise<boolean> {
  const { rows } = await db.query('DELETE FROM operator_sessions WHERE token_hash = $1 RETURNING 1', [tokenHash]);
  return rows.length > 0;
}

/** Ends every session of an operator (disabled, role or password changed). */
export async function deleteSessionsOf(db: Queryable, username: string): Promise<number> {
  const { rows } = await db.query('DELETE FROM operator_sessions WHERE username = $1 RETURNING 1', [username]);
  return rows.length;
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  const { rows } = await db.query('DELETE FROM operator_sessions WHERE expires_at <= now() RETURNING 1');
  return rows.length;
}
