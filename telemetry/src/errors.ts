// Errors of the telemetry package, on the hub's one base class (@hub/platform): each carries a
// stable `code` (HUB_ERR_<AREA>_<WHAT>) and the HTTP status the API answers with.

export { ConflictError, DatabaseUnavailableError, DB_RETRY_AFTER_SECONDS, HubError, isDatabaseUnavailable, NotFoundError, ValidationError, type FieldIssue } from '@hub/platform';
export { AuthError, ForbiddenError, LoginLockedError, type AuthErrorCode } from '@hub/identity';
