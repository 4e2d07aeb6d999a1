// Who is asking: the admin token, or an operator's session from a login. Logins, logouts and
// operator changes are audited; a session that ends is announced so its sockets are cut.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Operator, OperatorCreate, OperatorUpdate, Principal, Session } from '@hub/config';
import type { Queryable } from '../store/types';
import {
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOf,
  getOperator,
  insertOperator,
  insertSession,
  listOperators,
  publicOperator,
  sessionOperator,
  updateOperator,
  type StoredOperator,
} from '../store/operators';
import { recordAudit } from '../store/audit';
import { checkOperatorToken } from '../api/auth';
import { AuthError, ConflictError, LoginLockedError } from '../errors';
import { hashPassword, verifyPassword } from './passwords';

export const BUILTIN_ADMIN = 'admin';
const ADMIN_PRINCIPAL: Principal = { username: BUILTIN_ADMIN, displayName: 'Administrator', role: 'admin' };

/** Failed logins per username within the window before the username is locked for a while. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 5 * 60_000;

export type OperatorAuthEvents = {
  /** a session ended (logout): `key` is tokenKey(token) */
  sessionEnded: [key: string];
  /** an operator was disabled or changed role or password: all their sessions ended */
  operatorChanged: [username: string];
};

/** The key a token is known by in memory and in the database: its SHA-256, hex. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface OperatorAuthOptions {
  db: Queryable;
  adminToken: string;
  /** how long a login lasts */
  sessionHours: number;
  log: Logger;
}

export class OperatorAuth extends EventEmitter<OperatorAuthEvents> {
  readonly #db: Queryable;
  readonly #adminToken: string;
  readonly #sessionMs: number;
  readonly #log: Logger;
  readonly #failures = new Map<string, number[]>();

  constructor(opts: OperatorAuthOptions) {
    super();
    if (!opts.adminToken) throw new Error('OperatorAuth: adminToken must not be empty');
    this.#db = opts.db;
    this.#adminToken = opts.adminToken;
    this.#sessionMs = opts.sessionHours * 3_600_000;
    this.#log = opts.log;
  }

  /** The built-in admin operator exists (its password is the admin token). */
  async ensureBuiltinAdmin(): Promise<void> {
    await insertOperator(this.#db, { username: BUILTIN_ADMIN, displayName: ADMIN_PRINCIPAL.displayName, role: 'admin', passwordHash: null });
  }

  /** The principal behind a bearer token, or null when it is not (or no longer) valid. */
  async authenticate(token: string | undefined): Promise<Principal | null> {
    if (!token) return null;
    if (checkOperatorToken(token, this.#adminToken)) return ADMIN_PRINCIPAL;
    const op = await sessionOperator(this.#db, Buffer.from(tokenKey(token), 'hex'));
    return op ? principalOf(op) : null;
  }

  async login(username: string, password: string, meta: { ip?: string } = {}): Promise<Session> {
    this.#checkNotLocked(username);
    const op = await getOperator(this.#db, username);
    let ok = false;
    if (op && !op.disabled) {
      ok = op.passwordHash === null ? op.username === BUILTIN_ADMIN && checkOperatorToken(password, this.#adminToken) : await verifyPassword(password, op.passwordHash);
    } else {
      // the same work as a real check, so timing does not tell which usernames exist
      await verifyPassword(password, await dummy());
    }
    if (!ok) {
      this.#noteFailure(username);
      await recordAudit(this.#db, { actor: username, action: 'login_failed', detail: { ip: meta.ip ?? null, reason: !op ? 'unknown user' : op.disabled ? 'disabled' : 'wrong password' } });
      this.#log.warn({ username, ip: meta.ip }, 'operator login refused');
      throw new AuthError('HUB_ERR_LOGIN_FAILED', 'The username or password is not right (or the account is disabled). Check both and try again.');
    }
    this.#failures.delete(username);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.#sessionMs);
    await insertSession(this.#db, Buffer.from(tokenKey(token), 'hex'), op!.username, expiresAt);
    await recordAudit(this.#db, { actor: op!.username, action: 'login', detail: { ip: meta.ip ?? null } });
    this.#log.info({ username: op!.username, ip: meta.ip }, 'operator logged in');
    return { token, expiresAt: expiresAt.toISOString(), operator: principalOf(op!) };
  }

  /** Ends the session of `token`; the admin token has no session to end. */
  async logout(token: string, actor: string): Promise<void> {
    const key = tokenKey(token);
    if (await deleteSession(this.#db, Buffer.from(key, 'hex'))) {
      await recordAudit(this.#db, { actor, action: 'logout' });
    }
    this.emit('sessionEnded', key);
  }

  async listOperators(): Promise<Operator[]> {
    return (await listOperators(this.#db)).map(publicOperator);
  }

  async createOperator(actor: string, body: OperatorCreate): Promise<Operator> {
    const created = await insertOperator(this.#db, {
      username: body.username,
      displayName: body.displayName ?? body.username,
      role: body.role,
      passwordHash: await hashPassword(body.password),
    });
    if (!created) throw new ConflictError('HUB_ERR_OPERATOR_EXISTS', `an operator named ${JSON.stringify(body.username)} already exists`);
    await recordAudit(this.#db, { actor, action: 'operator_created', target: body.username, detail: { role: body.role } });
    return publicOperator(created);
  }

  async updateOperator(actor: string, username: string, change: OperatorUpdate): Promise<Operator | null> {
    if (username === BUILTIN_ADMIN && (change.password !== undefined || change.disabled || (change.role && change.role !== 'admin'))) {
      throw new ConflictError('HUB_ERR_OPERATOR_BUILTIN', 'The built-in admin always has the admin token as its password and stays an enabled admin; change the admin token in the hub configuration instead.');
    }
    const updated = await updateOperator(this.#db, username, {
      displayName: change.displayName,
      role: change.role,
      disabled: change.disabled,
      passwordHash: change.password === undefined ? undefined : await hashPassword(change.password),
    });
    if (!updated) return null;
    const { password: _pw, ...visible } = change;
    await recordAudit(this.#db, { actor, action: 'operator_changed', target: username, detail: { ...visible, passwordChanged: change.password !== undefined } });
    if (change.disabled || change.role !== undefined || change.password !== undefined) {
      await deleteSessionsOf(this.#db, username);
      this.emit('operatorChanged', username);
    }
    return publicOperator(updated);
  }

  async deleteExpiredSessions(): Promise<number> {
    return deleteExpiredSessions(this.#db);
  }

  #checkNotLocked(username: string): void {
    const now = Date.now();
    const recent = (this.#failures.get(username) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (recent.length === 0) this.#failures.delete(username);
    else this.#failures.set(username, recent);
    if (recent.length >= MAX_FAILURES) throw new LoginLockedError(Math.ceil((recent[0]! + FAILURE_WINDOW_MS - now) / 1000));
  }

  #noteFailure(username: string): void {
    const list = this.#failures.get(username) ?? [];
    list.push(Date.now());
    this.#failures.set(username, list);
  }
}

function principalOf(op: StoredOperator): Principal {
  return { username: op.username, displayName: op.displayName, role: op.role };
}

// A valid scrypt hash of a random password, checked against when the username is unknown.
let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));
}
