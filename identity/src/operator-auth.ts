// Who is asking: the admin token, or an operator's session from a login. Logins, logouts and
// operator changes are audited; a session that ends is announced so its sockets are cut.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { LoginLockoutSchema, type LoginLockout, type Operator, type OperatorCreate, type OperatorUpdate, type Principal, type Session } from '@hub/config';
import { ConflictError, type Queryable } from '@hub/platform';
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
} from './store/operators';
import { recordAudit } from './store/audit';
import { forgetFailures, noteFailure, recentFailures } from './store/login-failures';
import { checkOperatorToken } from './api/auth';
import { AuthError, LoginLockedError } from './errors';
import { hashPassword, verifyPassword } from './passwords';

export const BUILTIN_ADMIN = 'admin';
const ADMIN_PRINCIPAL: Principal = { username: BUILTIN_ADMIN, displayName: 'Administrator', role: 'admin' };

/** A lock of one source address (every username from it), with a message that says so. */
class SourceLockedError extends LoginLockedError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds);
    this.message = `Too many failed logins from this address: try again in ${retryAfterSeconds} s, or ask an admin to reset the password.`;
  }
}

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
  /** failed-login lock-out; default LoginLockoutSchema's (5 per username and source, 20 per source, 300 s) */
  lockout?: LoginLockout;
  log: Logger;
}

export class OperatorAuth extends EventEmitter<OperatorAuthEvents> {
  readonly #db: Queryable;
  readonly #adminToken: string;
  readonly #sessionMs: number;
  readonly #log: Logger;
  readonly #lockout: LoginLockout;

  constructor(opts: OperatorAuthOptions) {
    super();
    if (!opts.adminToken) throw new Error('OperatorAuth: adminToken must not be empty');
    this.#db = opts.db;
    this.#adminToken = opts.adminToken;
    this.#sessionMs = opts.sessionHours * 3_600_000;
    this.#lockout = opts.lockout ?? LoginLockoutSchema.parse({});
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
    const source = meta.ip ?? 'unknown';
    await this.#checkNotLocked(source, username);
    const op = await getOperator(this.#db, username);
    let ok = false;
    if (op && !op.disabled) {
      ok = op.passwordHash === null ? op.username === BUILTIN_ADMIN && checkOperatorToken(password, this.#adminToken) : await verifyPassword(password, op.passwordHash);
    } else {
      // the same work as a real check, so timing does not tell which usernames exist
      await verifyPassword(password, await dummy());
    }
    if (!ok) {
      await noteFailure(this.#db, source, username, this.#lockout.windowSeconds);
      await recordAudit(this.#db, { actor: username, action: 'login_failed', detail: { ip: meta.ip ?? null, reason: !op ? 'unknown user' : op.disabled ? 'disabled' : 'wrong password' } });
      this.#log.warn({ username, ip: meta.ip }, 'operator login refused');
      throw new AuthError('HUB_ERR_LOGIN_FAILED', 'The username or password is not right (or the account is disabled). Check both and try again.');
    }
    await forgetFailures(this.#db, source, username);
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
      throw new ConflictError(
        'HUB_ERR_OPERATOR_BUILTIN',
        'The built-in admin always has the admin token as its password and stays an enabled admin; change the admin token in the hub configuration instead.',
      );
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

  /**
   * Throws LoginLockedError while this username from this source, or this source at all, is
   * locked. Failures are keyed on both (in the database, shared by every hub), so that wrong
   * passwords typed elsewhere cannot lock a coordinator out of the wall during an incident;
   * the per-source total stops one address from trying many usernames.
   */
  async #checkNotLocked(source: string, username: string): Promise<void> {
    const { windowSeconds, maxFailures, maxFailuresPerSource } = this.#lockout;
    const bySource = await recentFailures(this.#db, source, windowSeconds);
    // seconds until the failure that locks leaves the window (ago: ms since it happened)
    const retryAfter = (agoMs: number) => Math.max(1, Math.ceil(windowSeconds - agoMs / 1000));
    const pair = bySource.get(username) ?? [];
    if (pair.length >= maxFailures) throw new LoginLockedError(retryAfter(pair[pair.length - maxFailures]!));
    const all = [...bySource.values()].flat().sort((a, b) => b - a);
    if (all.length >= maxFailuresPerSource) throw new SourceLockedError(retryAfter(all[all.length - maxFailuresPerSource]!));
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
