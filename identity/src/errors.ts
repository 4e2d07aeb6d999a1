// Errors of operator identity, on the hub's one base class (@hub/platform).
import { HubError } from '@hub/platform';

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
