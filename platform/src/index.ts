// What every server package shares: the error base class and the one HTTP error mapping.
export {
  DatabaseUnavailableError,
  DB_RETRY_AFTER_SECONDS,
  HubError,
  isDatabaseUnavailable,
  MethodNotAllowedError,
  ValidationError,
  type FieldIssue,
} from './errors';
export { errorHandler, toApiError } from './http-errors';
