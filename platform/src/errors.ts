// The one error base class of the hub's server packages. Each error carries a stable `code`
// (HUB_ERR_<AREA>_<WHAT>) and the HTTP status the API answers with; http-errors.ts maps them.
// Free of Fastify, so the broker, ingest and the SFU throw them too.

export class HubError extends Error {
  /** stable, for programs: e.g. HUB_ERR_UNIT_NOT_FOUND */
  readonly code: string;
  /** the HTTP status the API answers with */
  readonly statusCode: number;
  /** facts for the caller (field paths, ids); never internals */
  readonly details?: unknown;

  constructor(code: string, statusCode: number, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

/** 404 HUB_ERR_<WHAT>_NOT_FOUND: a unit, geofence, alarm, route… that does not exist. */
export class NotFoundError extends HubError {
  constructor(what: string, id: string | number) {
    super(`HUB_ERR_${what.toUpperCase()}_NOT_FOUND`, 404, `${what} ${JSON.stringify(id)} does not exist`);
  }
}

/** 409: the request clashes with what is stored (e.g. HUB_ERR_UNIT_EXISTS). */
export class ConflictError extends HubError {
  constructor(code: `HUB_ERR_${string}`, message: string, details?: unknown) {
    super(code, 409, message, details);
  }
}

/** One field that failed validation: `path` as `body.geometry.coordinates.0`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** 400 HUB_ERR_VALIDATION: a request (or message) that does not match its schema. */
export class ValidationError extends HubError {
  declare readonly details: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    super('HUB_ERR_VALIDATION', 400, issues.map((i) => `${i.path}: ${i.message}`).join('; ') || 'invalid request', issues);
  }
}

/** 405 HUB_ERR_METHOD_NOT_ALLOWED, with the methods the resource takes (the `Allow` header). */
export class MethodNotAllowedError extends HubError {
  constructor(
    readonly allow: string,
    message: string,
  ) {
    super('HUB_ERR_METHOD_NOT_ALLOWED', 405, message);
  }
}

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DB_RETRY_AFTER_SECONDS = 5;

/** 503 HUB_ERR_DB_UNAVAILABLE: the database cannot be reached; nothing was changed, try again. */
export class DatabaseUnavailableError extends HubError {
  readonly retryAfterSeconds = DB_RETRY_AFTER_SECONDS;
  constructor() {
    super('HUB_ERR_DB_UNAVAILABLE', 503, `The hub's database cannot be reached just now; try again in ${DB_RETRY_AFTER_SECONDS} s. If it lasts, check the database server.`);
  }
}

// Node's socket errors when the server is down or the link drops.
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// pg's own messages for a lost or never-made connection (they carry no code)
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|connect ECONNREFUSED/i;

/**
 * Whether `err` says the database could not be reached rather than that the request was wrong:
 * SQLSTATE class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect
 * now), 53300 (too many connections), a socket error, or pg's messages for a lost connection.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (CONNECTION_ERRNOS.has(code)) return true;
  }
  if (err instanceof AggregateError && err.errors.some(isDatabaseUnavailable)) return true;
  return CONNECTION_MESSAGES.test(err.message);
}
