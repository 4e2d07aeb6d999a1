// Errors of the telemetry package, on the hub's one base class (@hub/platform): each carries a
// stable `code` (HUB_ERR_<AREA>_<WHAT>) and the HTTP status the API answers with.

import { HubError } from '@hub/platform';

export { DatabaseUnavailableError, DB_RETRY_AFTER_SECONDS, HubError, isDatabaseUnavailable, ValidationError, type FieldIssue } from '@hub/platform';

/** 404: a unit, geofence or alarm that does not exist. Code: HUB_ERR_<WHAT>_NOT_FOUND. */
export class NotFoundError extends HubError {
  constructor(what: 'unit' | 'geofence' | 'alarm' | 'route', id: string | number) {
    super(`HUB_ERR_${what.toUpperCase()}_NOT_FOUND`, 404, `${what} ${JSON.stringify(id)} does not exist`);
  }
}

/** 409: the request clashes with what is stored (e.g. HUB_ERR_UNIT_EXISTS). */
export class ConflictError extends HubError {
  constructor(code: `HUB_ERR_${string}`, message: string, details?: unknown) {
    super(code, 409, message, details);
  }
}

export type AuthErrorCode = 'HUB_ERR_AUTH_REQUIRED' | 'HUB_ERR_AUTH_INVALID' | 'HUB_ERR_LOGIN_FAILED';

/** 401: no operator credential, or one that is not accepted. */
export class AuthError extends HubError {
  declare readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string) {
    super(code, 401, message);
  }
}

/** 403 HUB_ERR_FORBIDDEN: a valid operator whose role may not do this. */
export class ForbiddenError extends HubError {
  constructor(message: string) {
    super('HUB_ERR_FORBIDDEN', 403, message);
  }
}

/** 429 HUB_ERR_LOGIN_LOCKED: too many failed logins for one username; try again later. */
export class LoginLockedError extends HubError {
  constructor(readonly retryAfterSeconds: number) {
    super('HUB_ERR_LOGIN_LOCKED', 429, `Too many failed logins for this username: try again in ${retryAfterSeconds} s, or ask an admin to reset the password.`);
  }
}
