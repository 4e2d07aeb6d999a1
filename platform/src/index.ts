// What every server package shares: the error base class, the one HTTP error mapping, and
// the database's least interface with the row conversions.
export { ConflictError, DatabaseUnavailableError, DB_RETRY_AFTER_SECONDS, HubError, isDatabaseUnavailable, MethodNotAllowedError, NotFoundError, ValidationError, type FieldIssue } from './errors';
export { errorHandler, toApiError } from './http-errors';
export type { Queryable } from './db/queryable';
export { likeLiteral, toDate, toIso, toIsoOrNull, toJson, toNumberOrNull } from './db/rows';
export { applyMigrations, MigrationError, onOneConnection, orderMigrations, type ApplyResult, type Branch, type Migration, type MigrationContext } from './db/migrations';
export { createPool } from './db/pool';
export { startEmbeddedDatabase, type EmbeddedDatabase, type EmbeddedDatabaseStatus } from './db/embedded';
export { storableValidatorCompiler } from './validation';
export { LoginThrottle, type LoginThrottleOptions, type ThrottleVerdict } from './login-throttle';
